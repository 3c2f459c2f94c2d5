"""Per-process entry point under `accelerate launch` (what `distill train-student` re-executes).

    accelerate launch --config_file recipes/accelerate/zero3.yaml --num_processes 8 \
        -m distill.train.sft.entry RECIPE.yaml [--set KEY=VALUE ...] [--resume] [--stage NAME]
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    from distill.errors import DistillError
    from distill.recipe import load_recipe
    from distill.train.sft.stage import train

    parser = argparse.ArgumentParser(prog="distill.train.sft.entry")
    parser.add_argument("recipe")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--resume", action="store_true", default=None)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--allow-partial-input", action="store_true")
    parser.add_argument("--stage", default="train_student")
    args = parser.parse_args(argv)
    try:
        recipe = load_recipe(args.recipe, args.overrides)
        train(recipe, args.stage, resume=args.resume, redo=args.fresh, allow_partial_input=args.allow_partial_input)
    except DistillError as exc:
        print(f"distill train-student: error: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
