"""`distill eval` run outside a git checkout prints no "fatal: not a git repository" (lm-eval asks
`git describe` in the working directory; distill gives it its own quiet probe)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_eval_outside_a_checkout_is_quiet(tmp_path, tiny_qwen_dir):
    env = {**os.environ, "PYTHONPATH": str(REPO), "GIT_CEILING_DIRECTORIES": str(tmp_path.parent)}
    done = subprocess.run([sys.executable, "-m", "distill", "eval", "--model", f"m={tiny_qwen_dir}", "--tasks", "toy_arithmetic",
                           "--backend", "hf", "--limit", "1", "--max-gen-toks", "4", "--out", str(tmp_path / "out")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "fatal" not in done.stderr and "not a git repository" not in done.stderr
