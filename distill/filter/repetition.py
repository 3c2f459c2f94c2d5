"""repetition: degenerate loops at the end of a completion, where a stuck model spends its budget.

Two cheap signals on the last `tail_chars` characters: the zlib ratio (compressed / original; prose
is ~0.3-0.45, a loop compresses to a few percent), and one line repeated so often that it fills most
of the tail. Both are a few microseconds per kilobyte.
"""

from __future__ import annotations

import zlib
from collections import Counter
from typing import Any

from distill.filter.config import RepetitionConfig
from distill.filter.reject import Decision, Reject

REASON = "repetition"
MIN_TAIL = 500  # shorter tails compress poorly whatever they say


def zlib_ratio(text: str) -> float:
    raw = text.encode("utf-8", "replace")
    return len(zlib.compress(raw, 1)) / max(len(raw), 1)


def top_line(text: str) -> tuple[str, int, float]:
    """The most repeated non-blank line, its count, and the share of the text it fills."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return "", 0, 0.0
    line, count = Counter(lines).most_common(1)[0]
    return line, count, count * len(line) / max(len(text), 1)


class RepetitionFilter:
    def __init__(self, config: RepetitionConfig):
        self.config = config

    def __call__(self, rec: dict[str, Any]) -> Decision:
        tail = rec["completion"][-self.config.tail_chars:]
        if len(tail) < MIN_TAIL:
            return None
        ratio = zlib_ratio(tail)
        if ratio < self.config.min_zlib_ratio:
            return Reject(REASON, f"tail of {len(tail)} chars compresses to {ratio:.3f} < {self.config.min_zlib_ratio}")
        line, count, share = top_line(tail)
        if count >= self.config.min_line_repeats and share > self.config.max_line_share:
            return Reject(REASON, f"line repeated {count}x fills {share:.0%} of the tail: {line[:60]!r}")
        return None
