"""repetition: degenerate loops at the end of a completion, where a stuck model spends its budget.

Two cheap signals on the last `tail_chars` characters: the zlib ratio (compressed / original; prose
is ~0.3-0.45, a loop compresses to a few percent), and one line repeated so often that it fills most
of the tail. Both are a few microseconds per kilobyte. Under MIN_TAIL characters zlib's overhead
hides any loop, so a short tail gets a third signal instead: a run of one short unit of tokens
(`I think. I think. ...`, `7 7 7 ...`, `\boxed{7}\boxed{7}...`) repeated at least
`min_line_repeats` times back to back, filling more than `max_line_share` of the tail's tokens.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from typing import Any

from distill.filter.config import RepetitionConfig
from distill.filter.reject import Decision, Reject

REASON = "repetition"
MIN_TAIL = 500  # shorter tails compress poorly whatever they say
MAX_UNIT = 12  # tokens in the repeated unit of a short loop ("Wait, let me check again." is 6)
_TOKEN = re.compile(r"\w+|[^\w\s]")


# zlib keeps this many bytes free at the end of its window (MAX_MATCH + MIN_MATCH + 1): a match
# reaches back at most the window size minus this.
_LOOKAHEAD = 262


def window_bits(size: int) -> int:
    """The smallest zlib window (9..15 bits) that holds `size` bytes with every match distance
    allowed, so compressing with it gives the same deflate data as the default 32 KB window (only
    the 2-byte header, which names the window, differs). Why: zlib allocates and touches ~256 KB
    of state per call at the default, which costs more than compressing a 4 KB tail."""
    return min(15, max(9, (size + _LOOKAHEAD).bit_length()))


def zlib_ratio(text: str) -> float:
    raw = text.encode("utf-8", "replace")
    return len(zlib.compress(raw, 1, window_bits(len(raw)))) / max(len(raw), 1)


def top_line(text: str, lines: list[str] | None = None) -> tuple[str, int, float]:
    """The most repeated non-blank line, its count, and the share of the text it fills.
    `lines`: `text.splitlines()`, where the caller has it already."""
    counts = Counter(filter(None, map(str.strip, text.splitlines() if lines is None else lines)))
    if not counts:
        return "", 0, 0.0
    line, count = counts.most_common(1)[0]  # ties: the first seen, as before
    return line, count, count * len(line) / max(len(text), 1)


def token_loop(text: str) -> tuple[str, int, float]:
    """The unit of the longest back-to-back run of repeated tokens, its repeats and the share of
    the text's tokens that run covers. Linear: MAX_UNIT passes over the tokens."""
    tokens = _TOKEN.findall(text)
    best = ("", 0, 0.0)
    for unit in range(1, min(MAX_UNIT, len(tokens) // 2) + 1):
        run = 0  # tokens equal to the one `unit` before, in a row
        for i in range(unit, len(tokens) + 1):
            if i < len(tokens) and tokens[i] == tokens[i - unit]:
                run += 1
                continue
            repeats = (run + unit) // unit
            if run and repeats > best[1] and any(ch.isalnum() for t in tokens[i - unit : i] for ch in t):
                best = (" ".join(tokens[i - unit : i]), repeats, (run + unit) / len(tokens))
            run = 0
    return best


class RepetitionFilter:
    def __init__(self, config: RepetitionConfig):
        self.config = config

    def __call__(self, rec: dict[str, Any]) -> Decision:
        tail = rec["completion"][-self.config.tail_chars :]
        if len(tail) < MIN_TAIL:
            unit, repeats, share = token_loop(tail)
            if repeats >= self.config.min_line_repeats and share > self.config.max_line_share:
                return Reject(
                    REASON, f"short tail of {len(tail)} chars: {unit[:60]!r} repeated {repeats}x fills {share:.0%}"
                )
            return None
        ratio = zlib_ratio(tail)
        if ratio < self.config.min_zlib_ratio:
            return Reject(REASON, f"tail of {len(tail)} chars compresses to {ratio:.3f} < {self.config.min_zlib_ratio}")
        lines = tail.splitlines()
        if len(lines) < self.config.min_line_repeats:  # most tails: a few long paragraphs
            return None  # no line can repeat often enough (blank ones are not even counted)
        line, count, share = top_line(tail, lines)
        if count >= self.config.min_line_repeats and share > self.config.max_line_share:
            return Reject(REASON, f"line repeated {count}x fills {share:.0%} of the tail: {line[:60]!r}")
        return None
