"""What `distill filter` says at the end: counts per reason on the console, and an error when
nothing usable is left (the outputs stay written: funnel.md, rejects.jsonl, quarantine.jsonl)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from distill.errors import DistillError


def malformed_reasons(out: Path, limit: int = 100_000) -> tuple[Counter, dict | None]:
    """(reason counts, first entry) of quarantine.jsonl; reasons cut at their first detail."""
    reasons: Counter[str] = Counter()
    first = None
    path = out / "quarantine.jsonl"
    if not path.is_file():
        return reasons, None
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if number >= limit:
                break
            entry = json.loads(line)
            first = first or entry
            reasons[_short(entry.get("reason") or "")] += 1
    return reasons, first


def _short(reason: str) -> str:
    return reason.split(" (", 1)[0][:100]


def summary_lines(out: Path, result: dict[str, Any]) -> list[str]:
    lines = []
    rejected = {k: v for k, v in (result.get("rejected_by_reason") or {}).items() if v}
    if rejected:
        lines.append("distill filter: rejected by reason: " + ", ".join(f"{k} {v}" for k, v in rejected.items()))
    if result.get("malformed"):
        reasons, _ = malformed_reasons(out)
        lines.append(
            "distill filter: malformed by reason (quarantine.jsonl): "
            + "; ".join(f"{k}: {v}" for k, v in reasons.most_common(6))
        )
    return lines


def check_usable(out: Path, result: dict[str, Any]) -> None:
    """A run that kept nothing is an error naming where the rows went (file, line, reason)."""
    if result.get("kept"):
        return
    if not result.get("read"):
        raise DistillError(f"no rows to filter: the inputs are empty (outputs in {out})")
    if result.get("malformed") == result.get("read"):
        _, first = malformed_reasons(out, limit=1)
        where = f"{first['source']}:{first['line']}: {first['reason']}" if first else "see quarantine.jsonl"
        raise DistillError(
            f"none of {result['read']} rows could be read as a trace; first: {where} (all in {out}/quarantine.jsonl)"
        )
    rejected: dict[str, int] = result.get("rejected_by_reason") or {}
    top = max(rejected, key=rejected.__getitem__) if rejected else "?"
    raise DistillError(
        f"kept 0 of {result['read']} rows ({result.get('malformed', 0)} malformed, "
        f"{result.get('rejected', 0)} rejected, "
        f"most by {top}); see {out}/funnel.md and rejects.jsonl"
    )
