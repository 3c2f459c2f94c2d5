"""MinHash signatures over word shingles, and LSH banding to find near-duplicate candidates.

Small and numpy-only. Shingle hashes are polynomial hashes of the bytes (stable across processes and
runs, unlike Python's `hash`), then permuted with fixed
(a*x + b) mod 2^32 maps on their top 32 bits. Two signatures agree
in a position with probability equal to the Jaccard similarity of the two shingle sets.

Most per-byte work (lowering ASCII, dropping whitespace, flagging word bytes) is done by
`bytes.translate` in C; numpy finds the word edges, does the prefix sum and everything per word or
shingle (issue #15: signatures were the largest CPU cost of a filter worker).
tests/filter/test_filter_minhash_identity.py holds the earlier, plainer version of the same
algorithm and checks that both give the same bits on every kind of text.
"""

from __future__ import annotations

import numpy as np

# A longer text is hashed on its first 16 KB (~2,500 words; R1 traces average ~12 KB): two traces
# that agree on that much are near-duplicates whatever follows, and the long tail stays cheap.
MAX_BYTES = 16_384
SAMPLE_BELOW = np.uint64(1 << 61)  # keep shingles whose mixed hash is below this: 1 in 8
MIN_SAMPLED = 64  # fewer sampled shingles than this: use them all (short texts)
_P = 1099511628211  # odd, so it has an inverse mod 2^64
# Whitespace: exactly the bytes that bytes.split() and bytes.isspace() treat as such (not 0x1c-0x1f,
# 0x85 or 0xa0, which str.split() would also split on).
_SPACE_BYTES = b" \t\n\r\x0b\x0c"
_LOWER_TABLE = bytes(range(256)).lower()  # for bytes.translate: ASCII A-Z -> a-z, other bytes as they are
_WORD_TABLE = bytes(int(byte not in _SPACE_BYTES) for byte in range(256))  # 1 for a word byte, 0 for a space
_PARAMS: dict[int, tuple[np.ndarray, np.ndarray]] = {}
_POWERS: list[np.ndarray] = []
# numpy scalars, so that no operation below converts a Python int per call
_U8, _U27, _U30, _U31, _U32, _U63 = (np.uint64(bits) for bits in (8, 27, 30, 31, 32, 63))
_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


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


def _hashes_but_last_step(text: str, k: int) -> np.ndarray | None:
    """The shingle hashes of `text` before splitmix64's last step (h ^ h >> 31), or None if it has
    no word. The step is left to the caller: `signature` needs it on only 1 in 8 of them.

    No errstate is needed: numpy wraps uint64 array arithmetic silently; only scalar arithmetic
    warns on overflow (tests/filter/test_filter_minhash_identity.py runs this under "raise").
    """
    # every character is at least one byte: the first MAX_BYTES characters hold the first MAX_BYTES
    # bytes, so a 100 KB trace is not encoded whole for its first 16 KB
    raw = text[:MAX_BYTES].encode("utf-8", "replace")[:MAX_BYTES]
    # The bytes that are hashed: whitespace dropped and ASCII lowered, in one pass in C.
    compact = raw.translate(_LOWER_TABLE, _SPACE_BYTES)
    m = len(compact)
    if not m:
        return None
    # Words: where the word/space flag changes. The spaces added at both ends give every word an edge
    # on either side, so `edges` is start, end, start, end, ... (raw offsets, ends exclusive).
    is_word = np.frombuffer((b" " + raw + b" ").translate(_WORD_TABLE), dtype=bool)
    edges = np.flatnonzero(is_word[1:] != is_word[:-1])
    n = len(edges) // 2
    # bounds[w]: where word w starts in `compact` (its length is what the words before it add up to);
    # bounds[n] == m
    bounds: np.ndarray = np.empty(n + 1, dtype=np.int64)
    bounds[0] = 0
    np.cumsum(edges[1::2] - edges[0::2], out=bounds[1:])
    starts = bounds[:-1]
    fwd, inv = _powers()
    # prefix[i] = sum of byte[j] * P^j for j < i; every shingle's hash is a difference of two of
    # them, at word boundaries, times P^-start (to make it position independent)
    prefix: np.ndarray = np.empty(m + 1, dtype=np.uint64)
    prefix[0] = 0
    np.multiply(np.frombuffer(compact, dtype=np.uint8), fwd[:m], out=prefix[1:])
    np.cumsum(prefix[1:], out=prefix[1:])
    at_bounds: np.ndarray = prefix.take(bounds)  # (`take`: the same as fancy indexing, faster on 1-D arrays)
    # The word-boundary marker: 256 on the first byte of every word, so that "ab c" and "a bc" differ.
    # Added per word (n values), not per byte: mod 2^64, sum (b + 256) * P^j == sum b * P^j + 256 * P^j.
    # (From fwd, just read, rather than a table of 256 * P^j: one table fewer to bring into the cache,
    # which other filters have emptied between two rows)
    marks: np.ndarray = fwd.take(starts)
    marks <<= _U8
    at_bounds[1:] += np.cumsum(marks, out=marks)
    k = min(k, n)
    # shingle w: words w .. w+k-1, the bytes from bounds[w] up to bounds[w + k]
    h = at_bounds[k:] - at_bounds[: n - k + 1]
    h *= inv.take(starts[: n - k + 1])
    # splitmix64's finalizer but its last step: spreads the polynomial hash over all 64 bits
    spare = h >> _U30
    h ^= spare
    h *= _MIX1
    np.right_shift(h, _U27, out=spare)
    h ^= spare
    h *= _MIX2
    return h


def shingle_hashes(text: str, k: int) -> np.ndarray:
    """uint64 hashes of the k-word shingles of `text`, ignoring case (ASCII) and whitespace runs.

    A word is a run of bytes other than ASCII whitespace; a shingle's hash is the polynomial hash
    (base P, mod 2^64) of its words' bytes with whitespace dropped, A-Z lowered and 256 added to
    each word's first byte, then mixed (splitmix64's finalizer). Vectorized: a prefix sum over the
    bytes gives every shingle's hash in O(1); no Python loop runs per word. A text without a word
    gives [0]. Repeats are kept: they do not change a minimum.
    """
    h = _hashes_but_last_step(text, k)
    if h is None:
        return np.zeros(1, dtype=np.uint64)
    h ^= h >> _U31
    return h


def signature(text: str, k: int = 5, num_perm: int = 64) -> np.ndarray:
    """MinHash signature (uint32 x num_perm) of the sampled shingle set of `text`.

    Only shingles whose hash falls in the bottom 1/8 are permuted (the same rule for every text, so
    similar texts keep similar samples); this cuts the cost 8x on R1-length traces. The permutations
    are x -> a*x + b mod 2^32 (odd a: a bijection) on the shingle hash's top 32 bits.
    """
    a, b = _perms(num_perm)
    h = _hashes_but_last_step(text, k)
    x: np.ndarray
    if h is None:
        x = np.zeros(1, dtype=np.uint32)  # shingle_hashes' [0]
    else:
        # The last mixing step, h ^ (h >> 31), leaves the top 31 bits as they are: it changes neither
        # which hashes are below SAMPLE_BELOW (those whose top 3 bits are 0) nor, for those, the top
        # 32 bits (bit 32 gets bit 63, which is 0 there). So it is done only when every shingle is used.
        sampled = h.compress(h < SAMPLE_BELOW)
        if len(sampled) >= MIN_SAMPLED:
            x = (sampled >> _U32).astype(np.uint32)
        else:
            x = ((h >> _U32) ^ (h >> _U63)).astype(np.uint32)  # the finished hash's top 32 bits
    # (num_perm, len(x)): uint32 arithmetic wraps mod 2^32 as the maps need; the minimum of each row is
    # taken over contiguous memory
    images = np.multiply.outer(a, x)
    images += b[:, None]
    return images.min(axis=1)


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
