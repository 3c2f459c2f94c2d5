"""The faster MinHash (issue #15) gives the same bits as the plainer one it replaced, on every kind of
text: a signature that moved by one bit could move a dedup decision, and `distill filter`'s output
must stay byte-identical. The reference below is that earlier implementation, frozen."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import numpy as np

from distill.filter import minhash

ROOT = Path(__file__).resolve().parents[2]

# ---------------------------------------------------------------------------------------------------
# REFERENCE: distill/filter/minhash.py as of commit 0a5e714 (before the bytes-level rewrite), frozen
# here as the definition of the hashes. Do not optimize it; benchmarks/bench_filter_parts.py minhash
# times it against the module.
# ---------------------------------------------------------------------------------------------------
REF_MAX_BYTES = 16_384
REF_SAMPLE_BELOW = np.uint64(1 << 61)
REF_MIN_SAMPLED = 64
REF_P = 1099511628211
REF_SPACE = np.zeros(256, dtype=bool)
REF_SPACE[[9, 10, 11, 12, 13, 32]] = True
REF_NOT_SPACE = ~REF_SPACE
REF_LOWER = np.arange(256, dtype=np.uint64)
REF_LOWER[65:91] += np.uint64(32)


REF_PARAMS: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def reference_perms(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    if num_perm not in REF_PARAMS:  # cached as the module did: the benchmark times the old code as it ran
        rng = np.random.default_rng(1234567)
        a = rng.integers(0, 2**31, size=num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
        b = rng.integers(0, 2**32, size=num_perm, dtype=np.uint32)
        REF_PARAMS[num_perm] = (a, b)
    return REF_PARAMS[num_perm]


def _reference_powers() -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(over="ignore"):
        fwd = np.empty(REF_MAX_BYTES, dtype=np.uint64)
        inv = np.empty(REF_MAX_BYTES, dtype=np.uint64)
        fwd[0] = inv[0] = 1
        fwd[1:] = np.cumprod(np.full(REF_MAX_BYTES - 1, REF_P, dtype=np.uint64))
        inv[1:] = np.cumprod(np.full(REF_MAX_BYTES - 1, pow(REF_P, -1, 2**64), dtype=np.uint64))
    return fwd, inv


REF_FWD, REF_INV = _reference_powers()


def reference_mix(h: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return h ^ (h >> np.uint64(31))


def reference_shingle_hashes(text: str, k: int) -> np.ndarray:
    arr = np.frombuffer(text[:REF_MAX_BYTES].encode("utf-8", "replace")[:REF_MAX_BYTES], dtype=np.uint8)
    kept = np.flatnonzero(REF_NOT_SPACE.take(arr))
    if not len(kept):
        return np.zeros(1, dtype=np.uint64)
    gap = np.diff(kept) > 1
    starts = np.flatnonzero(np.concatenate(([True], gap)))
    ends = np.flatnonzero(np.concatenate((gap, [True])))
    value = REF_LOWER.take(arr.take(kept))
    value[starts] += np.uint64(256)
    m = len(value)
    k = min(k, len(starts))
    left, right = starts[: len(starts) - k + 1], ends[k - 1 :]
    prefix = np.zeros(m + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        np.cumsum(value * REF_FWD[:m], out=prefix[1:])
        h = (prefix.take(right + 1) - prefix.take(left)) * REF_INV.take(left)
    return reference_mix(h)


def reference_signature(text: str, k: int = 5, num_perm: int = 64) -> np.ndarray:
    a, b = reference_perms(num_perm)
    shingles = reference_shingle_hashes(text, k)
    sampled = shingles[shingles < REF_SAMPLE_BELOW]
    if len(sampled) >= REF_MIN_SAMPLED:
        shingles = sampled
    x = (shingles >> np.uint64(32)).astype(np.uint32)
    with np.errstate(over="ignore"):
        return (x[:, None] * a[None, :] + b[None, :]).min(axis=0)


# ------------------------------------------------------------------------------ end of the reference


def assert_same(text: str, k: int = 5, num_perm: int = 64) -> None:
    # "raise": the module runs without errstate, which is right only if numpy never flags its
    # (wrapping, array) uint64 arithmetic
    with np.errstate(all="raise"):
        got_hashes, got_sig = minhash.shingle_hashes(text, k), minhash.signature(text, k, num_perm)
    want_hashes, want_sig = reference_shingle_hashes(text, k), reference_signature(text, k, num_perm)
    assert got_hashes.dtype == np.uint64 and got_sig.dtype == np.uint32, (got_hashes.dtype, got_sig.dtype)
    assert np.array_equal(got_hashes, want_hashes), (text[:80], k)
    assert np.array_equal(got_sig, want_sig), (text[:80], k, num_perm)


def synthetic_records(n: int) -> list[dict]:
    spec = importlib.util.spec_from_file_location("synthetic_traces", ROOT / "benchmarks" / "synthetic_traces.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.Generator(seed=3).records(n))


EDGE_TEXTS = [
    "",
    " ",
    " \t\n\r\x0b\x0c  \n\n",
    "word",
    "  word  ",
    "two words",
    "one two three four",  # fewer than k = 5 words
    "one two three four five",  # exactly k
    "one two three four five six",
    "\tone\x0btwo\x0cthree\rfour\r\nfive  six\n",  # every whitespace byte
    # not whitespace for bytes (str.split would split on them): part of a word here
    "a\x1cb\x1dc\x1ed\x1fe f\x85g\xa0h i j k l",
    "nul\x00inside a word \x00 and alone \x00\x00 here",
    "UPPER Case MiXeD words AND MORE of THEM here",  # ASCII uppercase: lowered
    "ÉCOLE école ΣΟΦΙΑ σοφια İSTANBUL istanbul ÄÖÜ äöü",  # non-ASCII uppercase: not lowered
    "数学 问题 的 答案 是 四十二 所以 我们 需要 重新 计算",
    "所以我们需要重新计算这个值。等一下，这里可能有错误。",  # CJK without spaces: one word
    "emoji 😀 🤔🤔 👩‍👩‍👧 flags 🇫🇷 and more 🎉 words here",
    "combining e\u0301 a\u0308 n\u0303 marks \u0301\u0302 alone in text",
    "lone \ud800 surrogate \udfff halves \ud83d here and there",  # encoded with "replace": "?"
    "\u3000ideographic\u3000space\u2003em space\u00a0nbsp are word bytes",
    "a " * 3000,  # one word repeated: all shingles equal
    "x" * 20_000,  # one word longer than MAX_BYTES
]


def test_edge_cases_match_the_reference():
    for text in EDGE_TEXTS:
        for k in (1, 2, 5, 8):
            assert_same(text, k)
    for num_perm in (1, 16, 128, 256):
        assert_same("the quick brown fox jumps over the lazy dog " * 50, num_perm=num_perm)


def test_the_16kb_cut_matches_the_reference_wherever_it_falls():
    """The cut at MAX_BYTES may fall inside a multi-byte character, inside a word, on a space, or
    just after one; texts of 16,000 to 16,400 bytes and characters, and longer ones, all hash alike."""
    for fill in range(16_370, 16_385):
        for tail in ("é word", "€ word", "😀 word", " word", "\nword", "  ", "ab cd"):
            text = ("ab " * (fill // 3 + 1))[:fill] + tail + " more words after the cut" * 40
            assert_same(text)
    wide = "语" * 6000  # 3 bytes each: 18,000 bytes, the cut inside the 5,462nd character
    assert_same(wide)
    assert_same(" ".join(["语言", "😀😀", "word"] * 3000))


def test_random_texts_match_the_reference():
    """Random mixes of words, whitespace of every kind, case and multi-byte characters, at lengths
    around MIN_SAMPLED sampled shingles (~500 words: sampled or all) and up to past MAX_BYTES."""
    rng = random.Random(0)
    pieces = ["a", "B", "cd", "EF", "é", "É", "语", "😀", "\u0301", "\x00", "?", "7", "\ud800", "\x1c"]
    spaces = [" ", " ", " ", "  ", "\n", "\t", "\r\n", "\x0b", "\x0c"]
    for i in range(300):
        words = rng.choice((rng.randint(0, 12), rng.randint(400, 620), rng.randint(2000, 4000)))
        parts = []
        for _ in range(words):
            parts.append("".join(rng.choices(pieces, k=rng.randint(1, 6))))
            parts.append(rng.choice(spaces))
        text = "".join(parts)
        if i % 3 == 0:
            text = rng.choice(spaces) + text  # leading whitespace
        assert_same(text, k=rng.choice((1, 3, 5, 5, 5, 9)))


def test_r1_like_traces_match_the_reference():
    """Synthetic R1 traces (benchmarks/synthetic_traces.py): long thoughts, Chinese mixed in, loops,
    near-copies in clusters; completions and problems, as the filter's workers sign them."""
    for rec in synthetic_records(400):
        assert_same(rec["completion"])
        assert_same(rec["problem"])


def test_near_duplicate_search_finds_the_same_pairs():
    """Same signatures, so the LSH buckets and the duplicates found are the same (near_duplicates
    and shared_buckets themselves are unchanged)."""
    records = synthetic_records(600)
    texts = [rec["completion"] for rec in records] + [rec["problem"] for rec in records]
    new = np.stack([minhash.signature(t) for t in texts])
    old = np.stack([reference_signature(t) for t in texts])
    assert np.array_equal(new, old)
    assert np.array_equal(minhash.shared_buckets(new, 8), minhash.shared_buckets(old, 8))
    dups = minhash.near_duplicates(new, bands=8, threshold=0.8)
    assert dups == minhash.near_duplicates(old, bands=8, threshold=0.8)
    assert len(dups) > 50  # the clusters' near-copies are found: the comparison is not vacuous
