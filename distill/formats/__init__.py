"""Input formats: one small adapter per published dataset layout, shared by every stage that reads files.

    from distill import formats
    fmt = formats.get("openr1_math")            # or formats.detect(columns)
    traces = formats.traces(fmt, row)           # [trace dict | formats.Bad, ...]
    prompt = formats.prompt(fmt, row)           # prompt record, or raises formats.Bad
    messages = formats.conversation(fmt, row)   # [{role, content}, ...], or raises formats.Bad

generate and GRPO read prompts (distill/sources.py), the filter reads traces (distill/filter/record.py),
train-student reads conversations (distill/formats/sft_rows.py), eval --data reads prompts
(distill/evaluate/data.py). `distill inspect FILE` shows which format a file is read as. The table of
formats and the recipe lines for each are in docs/data.md.
"""

from __future__ import annotations

from collections.abc import Iterable

from distill.formats import chat, code, gpqa, numina, openr1, s1k, sharegpt, trace
from distill.formats.base import Bad, Format, Unverifiable
from distill.formats.domains import DOMAINS, resolve as resolve_domain

# Detection order: the most specific layouts first (OpenR1 and NuminaMath rows also hold `messages`;
# OpenR1 rows also hold `problem` + `solution`, like NuminaMath).
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        gpqa.FORMAT,
        openr1.FORMAT,
        s1k.FORMAT,
        sharegpt.FORMAT,
        code.APPS,
        code.CODE_CONTESTS,
        code.VERIFIABLE_CODE,
        trace.FORMAT,
        numina.FORMAT,
        chat.FORMAT,
        trace.PROMPTS,
    )
}

__all__ = [
    "Bad",
    "DOMAINS",
    "FORMATS",
    "Format",
    "Unverifiable",
    "conversation",
    "detect",
    "get",
    "names",
    "prompt",
    "traces",
]


def names(role: str | None = None) -> list[str]:
    return [name for name, f in FORMATS.items() if role is None or f.can(role)]


def get(name: str, role: str | None = None) -> Format:
    """The format called `name`; a ValueError naming the choices when there is none (for `role`)."""
    fmt = FORMATS.get(name)
    if fmt is None or (role and not fmt.can(role)):
        choices = names(role)
        what = f"a format that gives {role.replace('_', ' ')}s" if role else "a format"
        raise ValueError(f"format {name!r} is not {what}; choose one of: {', '.join(choices)}")
    return fmt


def detect(columns: Iterable[str], role: str | None = None) -> Format | None:
    """The first format whose identifying columns are all present (and that serves `role`)."""
    present = set(columns)
    for fmt in FORMATS.values():
        if fmt.detect and set(fmt.detect) <= present and (role is None or fmt.can(role)):
            return fmt
    return None


def prompt(fmt: Format, row: dict, domain_map: dict[str, str] | None = None, default_domain: str = "math") -> dict:
    assert fmt.prompt is not None, f"{fmt.name} has no prompt role"  # callers pick a format that can
    record = fmt.prompt(row)
    record["domain"] = resolve_domain(record.get("domain") or default_domain, domain_map, fmt.domains)
    return {k: v for k, v in record.items() if v is not None}


def traces(fmt: Format, row: dict, domain_map: dict[str, str] | None = None) -> list:
    """Every trace the row holds, each a dict or a Bad; a row that holds none usable is one Bad."""
    try:
        assert fmt.traces is not None, f"{fmt.name} has no traces role"
        items = fmt.traces(row)
    except Bad as exc:
        return [exc]
    if fmt is FORMATS["trace"]:
        return items  # checked field by field by the filter, where `columns` applies
    out = []
    for item in items:
        if isinstance(item, Bad):
            out.append(item)
            continue
        try:
            item["domain"] = resolve_domain(item.get("domain") or "math", domain_map, fmt.domains)
            out.append(item)
        except Bad as exc:
            out.append(exc)
    return out


def conversation(fmt: Format, row: dict) -> list[dict]:
    assert fmt.conversation is not None, f"{fmt.name} has no conversation role"
    return fmt.conversation(row)
