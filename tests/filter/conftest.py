"""Helpers for the filter tests: hand-written trace records with varied (non-looping) thoughts."""

from __future__ import annotations

import json
import random
import zlib
from pathlib import Path

import pytest

WORDS = ("we need the value so consider first note since this means then therefore sum product "
         "equation root integer prime factor divides remainder modulo case check compute gives").split()


def thought(seed: int = 0, sentences: int = 40) -> str:
    rng = random.Random(seed)
    return " ".join(" ".join(rng.choices(WORDS, k=rng.randint(6, 14))).capitalize() + f" {rng.randint(0, 10**6)}." for _ in range(sentences))


def trace(prompt: str = "p0", sample: int = 0, *, answer: str = "42", boxed: str | None = None, domain: str = "math",
          problem: str | None = None, think: str | None = None, seed: int | None = None, **fields) -> dict:
    """One trace record (shared/DESIGN.md), correct by default."""
    seed = zlib.crc32(f"{prompt}:{sample}".encode()) if seed is None else seed
    think = thought(seed) if think is None else think
    final = f"So the answer is $\\boxed{{{answer if boxed is None else boxed}}}$." if domain != "general" else "Hello! Here is my answer."
    rec = {"id": f"{prompt}:{sample}", "prompt_id": prompt, "problem": problem or f"Problem {prompt}: compute six times seven.",
           "answer": answer if domain != "general" else "", "domain": domain,
           "completion": f"<think>\n{think}\n</think>\n\n{final}", "finish_reason": "stop",
           "completion_tokens": 500, "sample_index": sample, "teacher": "toy-teacher"}
    rec.update(fields)
    return rec


def write_jsonl(path: Path, rows: list, extra_lines: list[str] = ()) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
        for line in extra_lines:
            f.write(line + "\n")
    return path


@pytest.fixture
def traces():
    return trace


@pytest.fixture
def jsonl():
    return write_jsonl
