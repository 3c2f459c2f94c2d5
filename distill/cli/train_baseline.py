"""distill train-baseline RECIPE: GRPO directly on a small model, the comparison for distillation
(recipes/baselines/). Same prompts as the distillation data; `budget` matches its compute.

Reads the recipe's `train_baseline` section; writes like train-teacher.
"""

from __future__ import annotations

import argparse

from distill.cli.train_teacher import add_grpo_arguments, run_stage

HELP = "RL baseline: GRPO directly on the student-sized model, compute-matched to distillation"
STAGE = "train_baseline"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_grpo_arguments(parser)


def run(args: argparse.Namespace) -> int:
    return run_stage(args, STAGE, "train-baseline")
