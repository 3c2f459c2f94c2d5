"""distill train-student RECIPE: SFT of the student on filtered traces (TRL SFTTrainer), or with
`method: on_policy` on-policy distillation from a teacher (TRL DistillationTrainer).

    distill train-student recipes/students/qwen2.5-math-7b.yaml            # train (resumes if interrupted)
    distill train-student recipes/students/qwen2.5-math-7b.yaml --plan     # memory per GPU + every check, no training
"""

from __future__ import annotations

import argparse
import sys

from distill.cli.common import add_recipe_arguments, add_stage_argument, recipe_from_args

HELP = (
    "fine-tune a student on filtered traces (SFT), or on-policy from a teacher (method: on_policy); "
    "--plan: memory per GPU and every check, no training"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_recipe_arguments(parser)
    add_stage_argument(parser)
    parser.add_argument(
        "--plan",
        action="store_true",
        help="print the memory plan per GPU and run every check a run makes before training "
        "(accelerate config, chat template, the first 1000 rows of data); writes nothing",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        default=None,
        help="continue from the last checkpoint in the output directory (error if there is none)",
    )
    parser.add_argument(
        "--fresh", action="store_true", help="train from the start even if a finished or interrupted run is there"
    )
    from distill.stage_inputs import add_argument as add_partial_input_argument

    add_partial_input_argument(parser)


def run(args: argparse.Namespace) -> int:
    from distill.train.sft import stage as sft_stage

    recipe, name = recipe_from_args(args), args.stage or "train_student"
    if args.plan:
        sft_stage.plan(recipe, name)
        return 0
    result = sft_stage.run(
        recipe,
        name,
        resume=args.resume,
        redo=args.fresh,
        allow_partial_input=args.allow_partial_input,
        recipe_path=args.recipe,
        overrides=tuple(args.overrides),
    )
    if result.get("launched"):
        return result["exit_code"]
    if result.get("skipped") or recipe.section(name).method == "on_policy":  # on-policy prints its own summary
        return 0
    counts, train = result["counts"], result["train"]
    print(
        f"train-student: {counts['kept']} of {counts['read']} conversations ({counts['tokens']} tokens), "
        f"{counts['rejected']} rejected; {train['global_steps']} steps, final loss {train['train_loss']:.4f}; "
        f"model saved to {result['output_dir']}",
        file=sys.stderr,
    )
    return 0
