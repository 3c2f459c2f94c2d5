"""The funnel: rows in, rejected per filter (in filter order), malformed, kept; yields per domain
and per source; where the time went. Written as funnel.json and funnel.md."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from distill.filter.chain import REASONS
from distill.filter.ledger import KEPT, MALFORMED, NAME, Ledger
from distill.manifest import write_json_atomic


def _yields(ledger: Ledger, key, names: list[str]) -> dict[str, dict[str, Any]]:
    rows_in: Counter[Any] = Counter()
    kept: Counter[Any] = Counter()
    for i, code in enumerate(ledger.code):
        k = key(i)
        if k < 0:
            continue
        rows_in[names[k]] += 1
        kept[names[k]] += code == KEPT
    return {
        name: {
            "in": rows_in[name],
            "kept": kept[name],
            "yield": round(kept[name] / rows_in[name], 4) if rows_in[name] else 0.0,
        }
        for name in names
        if rows_in[name]
    }


def build(
    ledger: Ledger,
    *,
    shortfalls: list[dict],
    dedup: dict[str, int],
    seconds: dict[str, float],
    seen: dict[str, int],
    wall: float,
    verify_calls: int,
) -> dict[str, Any]:
    counts = ledger.counts()
    read = len(ledger)
    kept = counts.get("kept", 0)
    malformed = counts.get("malformed", 0)
    rejected = {reason: counts.get(reason, 0) for reason in REASONS}
    assert kept + sum(rejected.values()) + malformed == read, "accounting: kept + rejected + malformed != read"
    remaining, steps = read - malformed, []
    for reason in REASONS:
        remaining -= rejected[reason]
        steps.append(
            {
                "filter": reason,
                "rejected": rejected[reason],
                "remaining": remaining,
                "seconds": round(seconds.get(reason, 0.0), 2),
                "checked": seen.get(reason),
            }
        )
    return {
        "read": read,
        "malformed": malformed,
        "rejected": sum(rejected.values()),
        "kept": kept,
        "rejected_by_reason": rejected,
        "steps": steps,
        "dedup": dedup,
        "quota_shortfall": shortfalls,
        "per_domain": _yields(ledger, lambda i: ledger.domain[i], ledger.domains),
        "per_source": _yields(
            ledger, lambda i: ledger.source[i] if ledger.code[i] != MALFORMED else -1, ledger.source_names
        ),
        "malformed_per_source": dict(
            Counter(ledger.source_names[ledger.source[i]] for i, c in enumerate(ledger.code) if c == MALFORMED)
        ),
        "seconds": {k: round(v, 2) for k, v in seconds.items()},
        "verify_calls": verify_calls,
        "wall_seconds": round(wall, 2),
        "rows_per_second": round(read / wall, 1) if wall else None,
    }


def markdown(funnel: dict[str, Any]) -> str:
    lines = [
        "# Filter funnel",
        "",
        f"Read **{funnel['read']}** rows: kept **{funnel['kept']}**, "
        f"rejected {funnel['rejected']}, malformed {funnel['malformed']} (quarantine.jsonl).",
        "",
        "| step | rejected | remaining | CPU seconds |",
        "|---|---:|---:|---:|",
        f"| read | | {funnel['read']} | {funnel['seconds'].get('read', 0)} |",
        f"| malformed | {funnel['malformed']} | {funnel['read'] - funnel['malformed']} | |",
    ]
    for step in funnel["steps"]:
        lines.append(f"| {step['filter']} | {step['rejected']} | {step['remaining']} | {step['seconds'] or ''} |")
    lines += [
        "",
        f"Kept {funnel['kept']} of {funnel['read']} ({100 * funnel['kept'] / max(funnel['read'], 1):.1f}%).",
        "",
    ]
    if funnel["quota_shortfall"]:
        lines += (
            ["**Quota shortfall**:", ""]
            + [
                f"- source `{s['source']}`: quota {s['quota']}, "
                f"only {s['available']} available ({s['missing']} missing)"
                for s in funnel["quota_shortfall"]
            ]
            + [""]
        )
    for title, key in (("domain", "per_domain"), ("source", "per_source")):
        lines += [f"| {title} | in | kept | yield |", "|---|---:|---:|---:|"]
        lines += [f"| {name} | {v['in']} | {v['kept']} | {100 * v['yield']:.1f}% |" for name, v in funnel[key].items()]
        lines.append("")
    lines.append(
        f"Wall time {funnel['wall_seconds']} s ({funnel['rows_per_second']} rows/s); "
        f"verifier calls {funnel['verify_calls']}."
    )
    return "\n".join(lines) + "\n"


def write(out_dir: Path, funnel: dict[str, Any]) -> None:
    write_json_atomic(out_dir / "funnel.json", funnel)
    (out_dir / "funnel.md").write_text(markdown(funnel), encoding="utf-8")


__all__ = ["build", "markdown", "write", "NAME"]
