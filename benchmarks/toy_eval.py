"""Shared by the toy benchmarks: evaluate named models on the held-out toy split through `distill eval`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml


def evaluate(models: dict[str, str], out: Path, problems: int = 200, samples: int = 4) -> str:
    """Run `distill eval` (R1's protocol: temperature 0.6, pass@1 over `samples`) and return its table."""
    recipe = {"seed": 0, "output_dir": str(out / "evalrun"),
              "eval": {"models": models, "tasks": ["toy_arithmetic"], "backend": "hf", "samples": samples,
                       "max_gen_toks": 64, "toy_problems": problems, "toy_difficulty": 1, "batch_size": 100}}
    path = out / "eval.yaml"
    path.write_text(yaml.safe_dump(recipe))
    subprocess.run([sys.executable, "-m", "distill", "eval", str(path), "--force"], check=True)
    return (out / "evalrun" / "eval" / "results.md").read_text()
