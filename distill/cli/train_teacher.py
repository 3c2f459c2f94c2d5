"""distill train-teacher RECIPE: GRPO on the teacher, R1-Zero style (recipes/teacher/r1_zero.yaml).

Reads the recipe's `train_teacher` section; writes the trained model, tokenizer, metrics.jsonl,
training_curves.png and a manifest to the stage directory. Continues from the last checkpoint there.
"""

from __future__ import annotations

import argparse

from distill.cli.common import add_recipe_arguments, add_stage_argument, recipe_from_args

HELP = "train the teacher with GRPO, R1-Zero style (accuracy + format rewards)"
STAGE = "train_teacher"


def add_grpo_arguments(parser: argparse.ArgumentParser) -> None:
    add_recipe_arguments(parser)
    add_stage_argument(parser)
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--resume",
        nargs="?",
        const=True,
        default=None,
        metavar="CHECKPOINT",
        help="continue from CHECKPOINT, or from the last checkpoint in the output dir "
        "(the default whenever one exists; with --resume one must exist)",
    )
    group.add_argument("--fresh", action="store_true", help="ignore existing checkpoints and start over")
    parser.add_argument(
        "--plan",
        action="store_true",
        help="print the placement (training memory + vLLM rollouts per GPU) from config.json and exit",
    )
    from distill.stage_inputs import add_argument as add_partial_input_argument

    add_partial_input_argument(parser)


def run_stage(args: argparse.Namespace, default_name: str, command: str) -> int:
    from distill.train.grpo import stage as grpo_stage

    recipe, name = recipe_from_args(args), args.stage or default_name
    if getattr(args, "plan", False):
        print("\n".join(grpo_stage.plan(recipe, name, command=command)))
        return 0
    grpo_stage.run(
        recipe, name, command=command, resume=args.resume, redo=args.fresh, allow_partial_input=args.allow_partial_input
    )
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_grpo_arguments(parser)


def run(args: argparse.Namespace) -> int:
    return run_stage(args, STAGE, "train-teacher")
