"""distill validate RECIPE...: check recipes strictly without running anything."""

from __future__ import annotations

import argparse
import sys

HELP = "check recipes without running them (unknown keys, types, TRL options)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("recipes", nargs="+", help="recipe YAML files")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--shallow", action="store_true", help="skip checks that import TRL/transformers")


def validate_recipe(path: str, overrides: list[str], deep: bool = True):
    from distill.recipe import PIPELINE_STAGES, load_recipe

    recipe = load_recipe(path, overrides)
    if deep:
        # A section may check more than its shape, e.g. TRL options against TRL's config classes.
        for stage in PIPELINE_STAGES:
            section = getattr(recipe, stage)
            if section is not None and hasattr(section, "validate"):
                section.validate(file=path, path=stage)
    return recipe


def run(args: argparse.Namespace) -> int:
    from distill.errors import DistillError

    failed = 0
    for path in args.recipes:
        try:
            validate_recipe(path, args.overrides, deep=not args.shallow)
        except DistillError as exc:
            failed += 1
            print(f"FAIL {exc}", file=sys.stderr)
        else:
            print(f"ok   {path}")
    if len(args.recipes) > 1:
        print(f"{len(args.recipes) - failed} of {len(args.recipes)} recipes valid")
    return 1 if failed else 0
