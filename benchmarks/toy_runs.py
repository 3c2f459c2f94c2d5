"""Shared by the toy benchmarks: run `distill` commands on recipes written on the spot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml


def run_distill(command: list[str], recipe: dict, path: Path) -> None:
    """Write `recipe` to `path` and run `python -m distill COMMAND... path`; a failure stops the benchmark."""
    path.write_text(yaml.safe_dump(recipe))
    subprocess.run([sys.executable, "-m", "distill", *command, str(path)], check=True)


def evaluate(models: dict[str, str], out: Path, problems: int = 200, samples: int = 4) -> str:
    """Run `distill eval` (R1's protocol: temperature 0.6, pass@1 over `samples`) and return its table."""
    recipe = {"seed": 0, "output_dir": str(out / "evalrun"),
              "eval": {"models": models, "tasks": ["toy_arithmetic"], "backend": "hf", "samples": samples,
                       "max_gen_toks": 64, "toy_problems": problems, "toy_difficulty": 1, "batch_size": 100}}
    run_distill(["eval", "--force"], recipe, out / "eval.yaml")
    return (out / "evalrun" / "eval" / "results.md").read_text()
