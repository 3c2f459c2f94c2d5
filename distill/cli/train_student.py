"""distill train-student RECIPE: SFT of the student on filtered traces (TRL SFTTrainer), or with
`method: on_policy` on-policy distillation from a teacher (TRL DistillationTrainer).

    distill train-student recipes/students/qwen2.5-math-7b.yaml            # train (resumes if interrupted)
    distill train-student recipes/students/qwen2.5-math-7b.yaml --plan     # memory per GPU + every check, no training
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from distill.cli.common import add_recipe_arguments, recipe_from_args

HELP = ("fine-tune a student on filtered traces (SFT), or on-policy from a teacher (method: on_policy); "
        "--plan: memory per GPU and every check, no training")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_recipe_arguments(parser)
    parser.add_argument("--plan", action="store_true",
                        help="print the memory plan per GPU and run every check a run makes before training "
                             "(accelerate config, chat template, the first 1000 rows of data); writes nothing")
    parser.add_argument("--resume", action="store_true", default=None,
                        help="continue from the last checkpoint in the output directory (error if there is none)")
    parser.add_argument("--fresh", action="store_true",
                        help="train from the start even if a finished or interrupted run is there")
    from distill.stage_inputs import add_argument as add_partial_input_argument

    add_partial_input_argument(parser)


def run(args: argparse.Namespace) -> int:
    from distill.train.sft.trainer import plan_run, preflight, run_sft
    from distill.train.sft.launch import check_launcher, launch, needs_launch

    recipe = recipe_from_args(args)
    cfg = recipe.section("train_student")
    if args.plan and cfg.method == "on_policy":
        from distill.errors import DistillError

        raise DistillError("--plan estimates SFT memory only; it has no plan for method: on_policy")
    if not args.plan and not args.fresh and _already_complete(recipe, args):
        return 0  # decided before torch is imported: a finished run's rerun takes a second
    if args.plan:
        plan_run(recipe, cfg)
        return 0
    preflight(recipe, cfg, need_data=cfg.method == "sft")
    if needs_launch(cfg):
        check_launcher(cfg)
        return launch(cfg, args.recipe, args.overrides, resume=bool(args.resume), fresh=args.fresh,
                      allow_partial_input=args.allow_partial_input)
    if cfg.method == "on_policy":
        from distill.train.on_policy import run_on_policy

        run_on_policy(recipe, resume=args.resume, fresh=args.fresh,
                      allow_partial_input=args.allow_partial_input)  # prints its own summary line
        return 0
    result = run_sft(recipe, resume=args.resume, fresh=args.fresh, allow_partial_input=args.allow_partial_input)
    counts, train = result["counts"], result["train"]
    if result.get("skipped"):
        return 0
    print(
        f"train-student: {counts['kept']} of {counts['read']} conversations ({counts['tokens']} tokens), "
        f"{counts['rejected']} rejected; {train['global_steps']} steps, final loss {train['train_loss']:.4f}; "
        f"model saved to {result['output_dir']}",
        file=sys.stderr,
    )
    return 0


def _already_complete(recipe, args: argparse.Namespace) -> bool:
    """A finished run is found here, before torch is imported and before a multi-process launch
    (whose ranks would all train)."""
    from distill.train.rerun import open_stage
    from distill.train.sft.data import resolve_dataset

    cfg = recipe.section("train_student")
    if cfg.method == "on_policy":  # its inputs: the student it starts from and the teacher
        inputs = [p for p in (cfg.model, cfg.on_policy.teacher) if Path(p).exists()]
    else:
        inputs = [resolve_dataset(cfg.dataset, recipe)]
    run = open_stage(recipe, "train_student", inputs, fresh=False, allow_partial_input=args.allow_partial_input)
    return run.already_complete()
