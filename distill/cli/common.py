"""Arguments shared by commands that take a recipe."""

from __future__ import annotations

import argparse

from distill.recipe import Recipe, load_recipe


def add_recipe_arguments(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    parser.add_argument("recipe", nargs=None if required else "?", help="recipe YAML file")
    add_set_argument(parser)


def add_set_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a recipe key, e.g. --set generate.num_samples=8 (repeatable)",
    )


def recipe_from_args(args: argparse.Namespace) -> Recipe:
    return load_recipe(args.recipe, args.overrides)


def add_stage_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--stage",
        metavar="NAME",
        help="the recipe stage to run (a name in its `stages:` list); default: the command's section",
    )
