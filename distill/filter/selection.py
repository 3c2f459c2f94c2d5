"""selection: keep up to k correct samples per prompt; the rest are rejected as `selection`.

Policies: `first` (lowest sample_index, then read order), `shortest` (fewest completion tokens:
students learn to stop), `random` (seeded, so a rerun keeps the same rows).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

from distill.filter.config import SelectionConfig
from distill.filter.ledger import Ledger

REASON = "selection"


def seeded_key(seed: int, row_id: str | None) -> int:
    """A stable pseudo-random rank for a row: the same seed and id give the same order on every run."""
    return int.from_bytes(hashlib.blake2b(f"{seed}:{row_id}".encode(), digest_size=8).digest(), "little")


def order_key(ledger: Ledger, policy: str, seed: int):
    if policy == "first":
        return lambda row: (ledger.sample_index[row], row)
    if policy == "shortest":
        return lambda row: (ledger.tokens[row], row)
    return lambda row: (seeded_key(seed, ledger.ids[row]), row)


def run(ledger: Ledger, config: SelectionConfig, seed: int) -> int:
    if not config.enabled:
        return 0
    groups: dict[int, list[int]] = defaultdict(list)
    for row in ledger.alive():
        groups[ledger.prompt[row]].append(row)
    key = order_key(ledger, config.policy, seed)
    rejected = 0
    for prompt, rows in groups.items():
        if len(rows) <= config.k:
            continue
        for row in sorted(rows, key=key)[config.k :]:
            ledger.reject(
                row,
                REASON,
                f"prompt {ledger.prompt_id(prompt)} already has k={config.k} samples (policy {config.policy})",
            )
            rejected += 1
    return rejected
