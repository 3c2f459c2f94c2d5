"""Mixture: take a quota of rows from each source (e.g. R1's 600K reasoning + 200K general).

A source with more rows than its quota gives a seeded random subset; the rest are rejected as
`mixture_quota`. A source with fewer is a shortfall: reported (warning, `quota_shortfall` in the
funnel) and, with `strict: true`, a failure - never a silently smaller dataset.
A `target_size` without quotas caps the whole dataset the same way.
"""

from __future__ import annotations

from collections import defaultdict

from distill.filter.config import FilterConfig
from distill.filter.ledger import Ledger
from distill.filter.selection import seeded_key

REASON = "mixture_quota"


def _cap(ledger: Ledger, rows: list[int], quota: int, seed: int, label: str) -> int:
    if len(rows) <= quota:
        return 0
    ranked = sorted(rows, key=lambda row: (seeded_key(seed, ledger.ids[row]), row))
    for row in ranked[quota:]:
        ledger.reject(row, REASON, f"{label} quota {quota} filled")
    return len(rows) - quota


def run(ledger: Ledger, config: FilterConfig, quotas: dict[str, int | None], seed: int) -> tuple[int, list[dict]]:
    """Apply quotas; returns (rows rejected, shortfalls)."""
    by_source: dict[str, list[int]] = defaultdict(list)
    for row in ledger.alive():
        by_source[ledger.source_names[ledger.source[row]]].append(row)
    rejected, shortfalls = 0, []
    for name, quota in quotas.items():
        rows = by_source.get(name, [])
        if quota is None:
            continue
        if len(rows) < quota:
            shortfalls.append({"source": name, "quota": quota, "available": len(rows), "missing": quota - len(rows)})
        rejected += _cap(ledger, rows, quota, seed, f"source {name}")
    if config.target_size is not None and all(q is None for q in quotas.values()):
        rows = ledger.alive()
        if len(rows) < config.target_size:
            shortfalls.append(
                {
                    "source": "*",
                    "quota": config.target_size,
                    "available": len(rows),
                    "missing": config.target_size - len(rows),
                }
            )
        rejected += _cap(ledger, rows, config.target_size, seed, "target_size")
    return rejected, shortfalls
