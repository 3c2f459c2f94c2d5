"""Deterministic partitioning: `--part i/N` takes the prompts whose id hashes to i modulo N.

The hash depends on the prompt id alone, not on the prompt set or its order, so a prompt stays in
the same part when the source grows, and N processes on N nodes never need to talk to each other.
"""

from __future__ import annotations

import hashlib

from distill.errors import DistillError


def parse_part(text: str | None) -> tuple[int, int]:
    """'i/N' -> (i, N); None -> (0, 1), the whole set."""
    if not text:
        return 0, 1
    index, sep, count = text.partition("/")
    try:
        i, n = int(index), int(count)
    except ValueError:
        i, n = -1, 0
    if not sep or n < 1 or not 0 <= i < n:
        raise DistillError(f"--part {text!r}: expected i/N with 0 <= i < N, e.g. --part 0/8")
    return i, n


def part_of(prompt_id: str, count: int) -> int:
    return int(hashlib.sha256(prompt_id.encode("utf-8")).hexdigest()[:12], 16) % count


def select(prompts: list[dict], index: int, count: int) -> list[dict]:
    if count == 1:
        return list(prompts)
    return [p for p in prompts if part_of(p["id"], count) == index]
