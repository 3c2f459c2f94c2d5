"""MinHash signatures over word shingles, and LSH banding to find near-duplicate candidates.

Small and numpy-only. Shingle hashes are polynomial hashes of the bytes (stable across processes and
runs, unlike Python's `hash`), then permuted with fixed
(a*x + b) mod 2^32 maps on their top 32 bits. Two signatures agree
in a position with probability equal to the Jaccard similarity of the two shingle sets.
"""

from __future__ import annotations

import numpy as np

# A longer text is hashed on its first 16 KB (~2,500 words; R1 traces average ~12 KB): two traces
# that agree on that much are near-duplicates whatever follows, and the long tail stays cheap.
MAX_BYTES = 16_384
SAMPLE_BELOW = np.uint64(1 << 61)  # keep shingles whose mixed hash is below this: 1 in 8
MIN_SAMPLED = 64  # fewer sampled shingles than this: use them all (short texts)
_P = 1099511628211  # odd, so it has an inverse mod 2^64
_SPACE: np.ndarray = np.zeros(256, dtype=bool)
_SPACE[[9, 10, 11, 12, 13, 32]] = True
_NOT_SPACE = ~_SPACE
_LOWER: np.ndarray = np.arange(256, dtype=np.uint64)
_LOWER[65:91] += np.uint64(32)  # ASCII A-Z -> a-z
_PARAMS: dict[int, tuple[np.ndarray, np.ndarray]] = {}
_POWERS: list[np.ndarray] = []


def _perms(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    if num_perm not in _PARAMS:
        rng = np.random.default_rng(1234567)
        a = rng.integers(0, 2**31, size=num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
        b = rng.integers(0, 2**32, size=num_perm, dtype=np.uint32)
        _PARAMS[num_perm] = (a, b)
    return _PARAMS[num_perm]


def _powers() -> tuple[np.ndarray, np.ndarray]:
    """P^i and P^-i mod 2^64 for i < MAX_BYTES (numpy uint64 arithmetic wraps mod 2^64)."""
    if not _POWERS:
        with np.errstate(over="ignore"):
            fwd: np.ndarray = np.empty(MAX_BYTES, dtype=np.uint64)
            inv: np.ndarray = np.empty(MAX_BYTES, dtype=np.uint64)
            fwd[0] = inv[0] = 1
            fwd[1:] = np.cumprod(np.full(MAX_BYTES - 1, _P, dtype=np.uint64))
            inv[1:] = np.cumprod(np.full(MAX_BYTES - 1, pow(_P, -1, 2**64), dtype=np.uint64))
        _POWERS.extend([fwd, inv])
    return _POWERS[0], _POWERS[1]


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64 finalizer: spreads the polynomial hash over all 64 bits."""
    with np.errstate(over="ignore"):
        h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return h ^ (h >> np.uint64(31))


def shingle_hashes(text: str, k: int) -> np.ndarray:
    """uint64 hashes of the k-word shingles of `text`, ignoring case (ASCII) and whitespace runs.

    Vectorized: spaces are dropped, then a prefix sum of byte * P^i gives every shingle's
    polynomial hash in O(1) (times P^-start to make it position independent); the first byte of a
    word is marked so that word boundaries count. No Python loop runs per word.
    """
    # every character is at least one byte: the first MAX_BYTES characters hold the first MAX_BYTES
    # bytes, so a 100 KB trace is not encoded whole for its first 16 KB
    arr = np.frombuffer(text[:MAX_BYTES].encode("utf-8", "replace")[:MAX_BYTES], dtype=np.uint8)
    # (`take` rather than fancy indexing throughout: the same values, a few times faster on 1-D arrays)
    kept = np.flatnonzero(_NOT_SPACE.take(arr))  # positions of the non-space bytes
    if not len(kept):
        return np.zeros(1, dtype=np.uint64)
    # Between two consecutive non-space bytes that are not adjacent there are only spaces: a word
    # ends at the first and the next begins at the second.
    gap = np.diff(kept) > 1
    starts = np.flatnonzero(np.concatenate(([True], gap)))
    ends = np.flatnonzero(np.concatenate((gap, [True])))  # inclusive
    value: np.ndarray = _LOWER.take(arr.take(kept))
    value[starts] += np.uint64(256)  # word-boundary marker
    m = len(value)
    fwd, inv = _powers()
    k = min(k, len(starts))
    left, right = starts[: len(starts) - k + 1], ends[k - 1 :]
    prefix: np.ndarray = np.zeros(m + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        np.cumsum(value * fwd[:m], out=prefix[1:])
        h: np.ndarray = (prefix.take(right + 1) - prefix.take(left)) * inv.take(left)
    return _mix(h)  # repeats do not change a minimum; no need to dedupe


def signature(text: str, k: int = 5, num_perm: int = 64) -> np.ndarray:
    """MinHash signature (uint32 x num_perm) of the sampled shingle set of `text`.

    Only shingles whose hash falls in the bottom 1/8 are permuted (the same rule for every text, so
    similar texts keep similar samples); this cuts the cost 8x on R1-length traces. The permutations
    are x -> a*x + b mod 2^32 (odd a: a bijection) on the shingle hash's top 32 bits.
    """
    a, b = _perms(num_perm)
    shingles = shingle_hashes(text, k)
    sampled = shingles[shingles < SAMPLE_BELOW]
    if len(sampled) >= MIN_SAMPLED:
        shingles = sampled
    x = (shingles >> np.uint64(32)).astype(np.uint32)
    with np.errstate(over="ignore"):
        return (x[:, None] * a[None, :] + b[None, :]).min(axis=0)


def similarity(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two shingle sets."""
    return float(np.mean(sig_a == sig_b))


def band_keys(signatures: np.ndarray, band: int, bands: int) -> np.ndarray:
    """(n,) uint64: one hash of band `band` of every signature; equal keys make a candidate pair.
    One band at a time keeps the temporary arrays small (n x rows, not n x num_perm x 8 bytes)."""
    rows = signatures.shape[1] // bands
    mults = np.random.default_rng(7).integers(1, 2**63, size=rows, dtype=np.uint64) | np.uint64(1)
    part: np.ndarray = signatures[:, band * rows : (band + 1) * rows].astype(np.uint64)
    with np.errstate(over="ignore"):
        return (part * mults[None, :]).sum(axis=1, dtype=np.uint64)


def shared_buckets(signatures: np.ndarray, bands: int) -> np.ndarray:
    """(bands, n) int32: for each band, the id of the LSH bucket each row falls in, or -1 when the row
    is alone in it (ids are unique across bands). Memory is O(n * bands), whatever the duplication."""
    n = len(signatures)
    out: np.ndarray = np.full((bands, n), -1, dtype=np.int32)
    offset = 0
    for band in range(bands):
        _, inverse, counts = np.unique(band_keys(signatures, band, bands), return_inverse=True, return_counts=True)
        inverse = inverse.reshape(-1)
        shared = counts[inverse] > 1
        out[band, shared] = inverse[shared] + offset
        offset += len(counts)
    return out


def near_duplicates(
    signatures: np.ndarray, bands: int, threshold: float, max_group: int = 32
) -> dict[int, tuple[int, float]]:
    """Greedy in row order: {row: (earlier kept row it duplicates, similarity)}.

    A row is a duplicate if an earlier row that is itself kept shares an LSH bucket with it and
    their estimated similarity reaches `threshold` (the earliest such row is named). Each bucket
    remembers at most `max_group` kept rows, and a duplicate joins none: a cluster of thousands of
    near-identical texts costs one bucket entry, not a candidate pair per two members, so memory
    does not grow with how duplicated the data is (the old pair sets reached tens of GB).
    """
    n = len(signatures)
    if n < 2:
        return {}
    buckets = shared_buckets(signatures, bands)
    members: dict[int, list[int]] = {}  # bucket -> kept rows in it (at most max_group)
    dups: dict[int, tuple[int, float]] = {}
    for row in np.flatnonzero((buckets >= 0).any(axis=0)).tolist():  # ascending: read order
        ids = [int(b) for b in buckets[:, row] if b >= 0]
        candidates = sorted({m for b in ids for m in members.get(b, ())})
        if candidates:
            sims = (signatures[candidates] == signatures[row]).mean(axis=1)
            hit = np.flatnonzero(sims >= threshold)
            if len(hit):
                dups[row] = (candidates[int(hit[0])], float(sims[hit[0]]))
                continue
        for b in ids:
            kept = members.setdefault(b, [])
            if len(kept) < max_group:
                kept.append(row)
    return dups
