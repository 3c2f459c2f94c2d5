"""MinHash: estimates track the true Jaccard similarity, ignore case and spacing, and are the same
in every process (dedup decisions must not depend on which worker saw a row)."""

from __future__ import annotations

import random
import subprocess
import sys

import numpy as np

from distill.filter import minhash


def shingles(text: str, k: int = 5) -> set:
    words = text.lower().split()
    return {tuple(words[i:i + k]) for i in range(len(words) - k + 1)}


def test_estimate_tracks_jaccard():
    rng = random.Random(0)
    vocab = [f"w{i}" for i in range(5000)]
    base = [rng.choice(vocab) for _ in range(2000)]
    for keep in (1900, 1500, 1000):
        other = base[:keep] + rng.sample(vocab, 2000 - keep)
        a, b = " ".join(base), " ".join(other)
        true = len(shingles(a) & shingles(b)) / len(shingles(a) | shingles(b))
        estimate = minhash.similarity(minhash.signature(a, num_perm=256), minhash.signature(b, num_perm=256))
        assert abs(estimate - true) < 0.1, (keep, true, estimate)


def test_case_and_whitespace_do_not_matter_but_word_boundaries_do():
    a = minhash.signature("Hello   World foo bar baz qux quux")
    assert minhash.similarity(a, minhash.signature("hello world\nfoo bar\tbaz qux quux")) == 1.0
    assert minhash.similarity(a, minhash.signature("helloworld foo bar baz qux quux")) < 0.5


def test_signatures_are_the_same_in_another_process():
    text = "the same text in two processes gives the same signature " * 20
    code = f"from distill.filter import minhash; print(list(minhash.signature({text!r})))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert np.array_equal(np.array(eval(out), dtype=np.uint32), minhash.signature(text))


def test_near_duplicates_keeps_the_first_of_a_group():
    rng = random.Random(1)
    texts = [" ".join(rng.choices([f"w{i}" for i in range(3000)], k=400)) for _ in range(3)]
    rows = [texts[0], texts[1], texts[0] + " tail", texts[2], texts[1].upper()]
    dups = minhash.near_duplicates(np.stack([minhash.signature(t) for t in rows]), bands=8, threshold=0.8)
    assert {row: first for row, (first, _) in dups.items()} == {2: 0, 4: 1}


def test_a_cluster_of_thousands_costs_no_memory_per_pair():
    """5,000 near-identical texts (NuminaMath has clusters like this): every one after the first is
    found as its duplicate, and the search holds a bounded bucket, not ~n * 32 * bands partners."""
    import tracemalloc

    rng = np.random.default_rng(0)
    base = rng.integers(0, 2**32, size=64, dtype=np.uint32)
    sigs = np.tile(base, (5000, 1))
    sigs[np.arange(5000), rng.integers(0, 64, size=5000)] = 7  # one position differs: similarity ~0.98
    others = rng.integers(0, 2**32, size=(3000, 64), dtype=np.uint32)  # unrelated rows, mixed in
    allsigs = np.concatenate([sigs, others])[rng.permutation(8000)]
    tracemalloc.start()
    dups = minhash.near_duplicates(allsigs, bands=8, threshold=0.8)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    cluster = sorted(np.flatnonzero((allsigs == base).sum(axis=1) >= 63).tolist())
    assert set(dups) == set(cluster[1:])
    assert all(original == cluster[0] for original, _ in dups.values())
    # buckets (8 x 8,000 int32) + the duplicates found; the old pair sets took ~40 MB here
    assert peak < 4 * 2**20, peak
