"""dedup: duplicates among the records that passed every record-level filter, first one kept.

Three passes, each over survivors in read order: identical completions (hash); problems of
different prompts that are near-identical (MinHash/LSH over word shingles: a rephrased or
re-spaced copy of the same problem); near-identical completions (the same, over completions).
Works on the signatures the workers computed; no text is held.
"""

from __future__ import annotations

import numpy as np

from distill.filter import minhash
from distill.filter.config import DedupConfig
from distill.filter.ledger import Ledger

REASON = "dedup"


def exact(ledger: Ledger) -> int:
    rows = np.frombuffer(ledger.survivor_rows, dtype=np.int64)
    hashes = np.frombuffer(ledger.survivor_hashes, dtype=np.uint64)
    _, first, inverse = np.unique(hashes, return_index=True, return_inverse=True)
    dups = np.flatnonzero(first[inverse] != np.arange(len(hashes)))
    for pos in dups:
        original = int(rows[first[inverse[pos]]])
        ledger.reject(int(rows[pos]), REASON, f"identical completion to {ledger.ids[original]}")
    return len(dups)


def near_problems(ledger: Ledger, config: DedupConfig) -> int:
    alive = ledger.alive()
    order: dict[int, None] = {}  # prompts in order of their first surviving row
    for row in alive:
        order.setdefault(ledger.prompt[row], None)
    prompts = [p for p in order if p in ledger.problem_sigs]
    if len(prompts) < 2:
        return 0
    sigs = np.stack([ledger.problem_sigs[p] for p in prompts])
    dups = minhash.near_duplicates(sigs, config.bands, config.threshold)
    if not dups:
        return 0
    dup_prompts = {prompts[i]: (prompts[j], sim) for i, (j, sim) in dups.items()}
    rejected = 0
    for row in alive:
        hit = dup_prompts.get(ledger.prompt[row])
        if hit:
            ledger.reject(
                row, REASON, f"problem near-duplicates prompt {ledger.prompt_id(hit[0])} (similarity {hit[1]:.2f})"
            )
            rejected += 1
    return rejected


def near_completions(ledger: Ledger, config: DedupConfig) -> int:
    if not ledger.completion_sigs:
        return 0
    survivors = list(ledger.survivor_rows)
    positions = [pos for pos, row in enumerate(survivors) if ledger.code[row] == 0]
    sigs = ledger.completion_sigs.array()[np.asarray(positions, dtype=np.int64)]
    dups = minhash.near_duplicates(sigs, config.bands, config.threshold)
    for i, (j, sim) in dups.items():
        row, original = survivors[positions[i]], survivors[positions[j]]
        ledger.reject(row, REASON, f"completion near-duplicates {ledger.ids[original]} (similarity {sim:.2f})")
    return len(dups)


def run(ledger: Ledger, config: DedupConfig) -> dict[str, int]:
    if not config.enabled:
        return {}
    counts = {}
    if config.exact:
        counts["exact"] = exact(ledger)
    if config.near_problems:
        counts["near_problems"] = near_problems(ledger, config)
    if config.near_completions:
        counts["near_completions"] = near_completions(ledger, config)
    return counts
