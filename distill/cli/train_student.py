"""distill train-student RECIPE: SFT of the student on filtered traces (TRL SFTTrainer), or with
`method: on_policy` on-policy distillation from a teacher (TRL DistillationTrainer).

    distill train-student recipes/students/qwen2.5-math-7b.yaml            # train (resumes if interrupted)
    distill train-student recipes/students/qwen2.5-math-7b.yaml --plan     # memory per GPU, no training
"""

from __future__ import annotations

import argparse
import sys

from distill.cli.common import add_recipe_arguments, recipe_from_args

HELP = "fine-tune a student on filtered traces (SFT), or on-policy from a teacher (method: on_policy)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_recipe_arguments(parser)
    parser.add_argument("--plan", action="store_true", help="print the memory plan per GPU and exit (reads config.json only)")
    parser.add_argument("--resume", action="store_true", default=None,
                        help="continue from the last checkpoint in the output directory (error if there is none)")


def run(args: argparse.Namespace) -> int:
    from distill.train.sft import make_plan, preflight, run_sft
    from distill.train.sft_launch import check_launcher, launch, needs_launch

    recipe = recipe_from_args(args)
    cfg = recipe.section("train_student")
    model_config = preflight(recipe, cfg, need_data=not args.plan and cfg.method == "sft")
    if args.plan and cfg.method == "on_policy":
        from distill.errors import DistillError

        raise DistillError("--plan estimates SFT memory only; it has no plan for method: on_policy")
    if args.plan:
        print("\n".join(make_plan(cfg, model_config).lines()))
        return 0
    if needs_launch(cfg):
        check_launcher(cfg)
        return launch(cfg, args.recipe, args.overrides, resume=bool(args.resume))
    if cfg.method == "on_policy":
        from distill.train.on_policy import run_on_policy

        run_on_policy(recipe, resume=args.resume)  # prints its own summary line
        return 0
    result = run_sft(recipe, resume=args.resume)
    counts, train = result["counts"], result["train"]
    print(
        f"train-student: {counts['kept']} of {counts['read']} conversations ({counts['tokens']} tokens), "
        f"{counts['rejected']} rejected; {train['global_steps']} steps, final loss {train['train_loss']:.4f}; "
        f"model saved to {result['output_dir']}",
        file=sys.stderr,
    )
    return 0
