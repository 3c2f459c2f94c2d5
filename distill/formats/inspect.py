"""What a file will be read as, before anything runs: `distill inspect FILE [--format NAME]`.

Reads the first rows (a quick scan), names the detected format, shows one mapped record per role
the format serves (prompt for generate/GRPO/eval, traces for filter, conversation for train-student)
and counts where the scanned rows would go: mapped, unverifiable or malformed, by reason.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from distill import formats
from distill.errors import DistillError
from distill.formats import Bad, Unverifiable

ROLES = (
    ("prompt", "generate / train-teacher / train-baseline / eval --data"),
    ("traces", "filter"),
    ("conversation", "train-student"),
)


def _short(value: Any, width: int = 160) -> Any:
    if isinstance(value, str):
        return value if len(value) <= width else value[:width] + f"... ({len(value)} chars)"
    if isinstance(value, list):
        return [_short(v, width) for v in value[:6]] + ([f"... ({len(value)} items)"] if len(value) > 6 else [])
    if isinstance(value, dict):
        return {k: _short(v, width) for k, v in value.items()}
    return value


def _reason(exc: Bad) -> str:
    return str(exc).split(" (", 1)[0][:100]


def inspect_file(path: str, name: str | None = None, limit: int = 1000) -> list[str]:
    from distill.records import read_rows

    rows, columns = [], {}
    unreadable: Counter[str] = Counter()
    for row in read_rows(path):
        if row.data is None:
            unreadable[(row.error or "").split(" at ", 1)[0]] += 1
        else:
            rows.append(row)
            columns.update(dict.fromkeys(row.data))
        if len(rows) + sum(unreadable.values()) >= limit:
            break
    total = len(rows) + sum(unreadable.values())
    if not total:
        raise DistillError(f"{path}: no rows (empty file)")
    lines = [
        f"{path}: scanned {total} rows"
        + (f" (the first {limit})" if total >= limit else "")
        + (
            f"; unreadable {sum(unreadable.values())} ({', '.join(f'{k}: {v}' for k, v in unreadable.items())})"
            if unreadable
            else ""
        )
    ]
    if not rows:
        raise DistillError(lines[0] + ": no readable row")
    lines.append(f"columns: {', '.join(columns)}")
    fmt: formats.Format | None
    if name:
        try:
            fmt = formats.get(name)
        except ValueError as exc:
            raise DistillError(str(exc)) from None
        lines.append(f"format: {fmt.name} (given) - {fmt.datasets}")
    else:
        fmt = formats.detect(columns)
        if fmt is None:
            lines.append(
                "format: none detected; map the columns in the recipe (source.columns / filter.sources[].columns), "
                f"or name one of: {', '.join(formats.names())}"
            )
            return lines
        lines.append(f"format: {fmt.name} (detected from columns {', '.join(fmt.detect)}) - {fmt.datasets}")
    for role, stages in ROLES:
        if fmt.can(role):
            lines += _role(fmt, role, stages, [r.data or {} for r in rows])  # rows holds readable rows only
    return lines


def _role(fmt: formats.Format, role: str, stages: str, rows: list[dict]) -> list[str]:
    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    example = None
    for data in rows:
        items = _items(fmt, role, data)
        for item in items:
            if isinstance(item, Unverifiable):
                counts["unverifiable"] += 1
                reasons[_reason(item)] += 1
            elif isinstance(item, Bad):
                counts["malformed"] += 1
                reasons[_reason(item)] += 1
            else:
                counts["mapped"] += 1
                example = example if example is not None else item
    what = {"prompt": "prompts", "traces": "traces", "conversation": "conversations"}[role]
    line = f"as {what} ({stages}): {counts['mapped']} mapped"
    for kind in ("unverifiable", "malformed"):
        if counts[kind]:
            line += f", {counts[kind]} {kind}"
    if role == "traces":
        line += f" from {len(rows)} rows"
    out = [line] + [f"    {n} x {reason}" for reason, n in reasons.most_common(5)]
    if example is not None:
        out.append("    first: " + json.dumps(_short(example), ensure_ascii=False))
    return out


def _items(fmt: formats.Format, role: str, data: dict) -> list:
    if role == "traces":
        items = formats.traces(fmt, data)
        if fmt.name == "trace":  # the filter checks these field by field; show that check's verdict
            from distill.filter.config import TraceSourceConfig
            from distill.filter.record import normalize

            rec, error = normalize(data, TraceSourceConfig(path="-"), "inspect", 0)
            return [rec if rec is not None else Bad(error)]
        return items
    try:
        return [formats.prompt(fmt, data) if role == "prompt" else formats.conversation(fmt, data)]
    except Bad as exc:
        return [exc]
