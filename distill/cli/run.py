"""distill run RECIPE: the whole pipeline from one recipe, each stage skipped when its output is current."""

from __future__ import annotations

import argparse

from distill.cli.common import add_recipe_arguments, recipe_from_args

HELP = "run every stage a recipe names, in order, skipping stages whose output is current"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_recipe_arguments(parser)
    parser.add_argument("--from", dest="from_stage", metavar="STAGE", help="rerun from this stage on")
    parser.add_argument("--only", action="append", metavar="STAGE", help="run only this stage (repeatable)")
    parser.add_argument("--force", action="store_true", help="rerun every stage even if its output is current")
    parser.add_argument("--dry-run", action="store_true", help="print the plan and stop")


def run(args: argparse.Namespace) -> int:
    import time

    from distill.pipeline import run_pipeline

    recipe = recipe_from_args(args)
    t0 = time.time()
    summary = run_pipeline(
        recipe,
        from_stage=args.from_stage,
        only=args.only,
        force=args.force,
        dry_run=args.dry_run,
        overrides=args.overrides,
    )
    if not args.dry_run:
        ran = sum(1 for _, action, _ in summary if action == "ran")
        print(
            f"\npipeline done: {ran} stages ran, {len(summary) - ran} skipped, {time.time() - t0:.0f} s; "
            f"outputs under {recipe.output_dir}"
        )
        for section, action, seconds in summary:
            print(f"  {section:15} {action:8} {seconds:7.1f} s")
    return 0
