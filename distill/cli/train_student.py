"""distill train-student RECIPE: SFT of the student on filtered traces (TRL SFTTrainer).

    distill train-student recipes/students/qwen2.5-math-7b.yaml            # train (resumes if interrupted)
    distill train-student recipes/students/qwen2.5-math-7b.yaml --plan     # memory per GPU + every check, no training
"""

from __future__ import annotations

import argparse
import sys

from distill.cli.common import add_recipe_arguments, recipe_from_args

HELP = "fine-tune a student on filtered traces (SFT with TRL; --plan: memory per GPU and every check, no training)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_recipe_arguments(parser)
    parser.add_argument("--plan", action="store_true",
                        help="print the memory plan per GPU and run every check a run makes before training "
                             "(accelerate config, chat template, the first 1000 rows of data); writes nothing")
    parser.add_argument("--resume", action="store_true", default=None,
                        help="continue from the last checkpoint in the output directory (error if there is none)")


def run(args: argparse.Namespace) -> int:
    from distill.train.sft import plan_run, preflight, run_sft
    from distill.train.sft_launch import check_launcher, launch, needs_launch

    recipe = recipe_from_args(args)
    cfg = recipe.section("train_student")
    if args.plan:
        plan_run(recipe, cfg)
        return 0
    preflight(recipe, cfg)
    if needs_launch(cfg):
        check_launcher(cfg)
        return launch(cfg, args.recipe, args.overrides, resume=bool(args.resume))
    result = run_sft(recipe, resume=args.resume)
    counts, train = result["counts"], result["train"]
    print(
        f"train-student: {counts['kept']} of {counts['read']} conversations ({counts['tokens']} tokens), "
        f"{counts['rejected']} rejected; {train['global_steps']} steps, final loss {train['train_loss']:.4f}; "
        f"model saved to {result['output_dir']}",
        file=sys.stderr,
    )
    return 0
