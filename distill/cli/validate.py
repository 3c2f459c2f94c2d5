"""distill validate FILE...: check recipes (and the accelerate configs they point at) without running anything.

A recipe's `stages:` list is checked too: each command known, each name once, each section there, and
every `${stages.NAME}` naming an earlier stage (distill/recipe_stages.py).

Fast enough to run often (well under a second a recipe): pass-through sections are checked against
the fields of TRL's / PEFT's config classes read from their source (distill/config_fields.py), so
nothing heavy is imported. A file with accelerate's keys (`distributed_type`, `compute_environment`)
is checked as an accelerate config: every key a field of accelerate's ClusterConfig, a known
distributed_type.
"""

from __future__ import annotations

import argparse
import sys

HELP = "check recipes and accelerate configs without running them (unknown keys, types, TRL options)"
ACCELERATE_KEYS = ("distributed_type", "compute_environment")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("recipes", nargs="+", help="recipe YAML files (accelerate config files are recognised)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--shallow", action="store_true", help="skip the pass-through checks (TRL/PEFT options)")


def validate_recipe(path: str, overrides: list[str], deep: bool = True):
    from distill.recipe import load_recipe

    recipe = load_recipe(path, overrides)  # the stages and every ${stages.NAME} are checked as it loads
    if deep:
        # A section may check more than its shape, e.g. TRL options against TRL's config classes.
        for stage in recipe.stage_list():
            section = recipe.section(stage.name)
            if hasattr(section, "validate"):
                section.validate(file=path, path=stage.section)
    return recipe


def accelerate_config(path: str) -> dict | None:
    """The file's mapping if it is an accelerate config (not a recipe), else None."""
    from pathlib import Path

    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None  # load_recipe reports it
    return data if isinstance(data, dict) and any(k in data for k in ACCELERATE_KEYS) else None


def validate_accelerate(path: str, data: dict) -> None:
    from distill.config import unknown_key_error
    from distill.config_fields import config_fields
    from distill.errors import ConfigError
    from distill.train.sft.launch import DISTRIBUTED_TYPES

    fields = config_fields("accelerate.commands.config.config_args", "ClusterConfig")
    for key in data:
        if key not in fields:
            raise unknown_key_error(path, "", str(key), list(fields))
    kind = str(data.get("distributed_type", "")).upper()
    if kind not in DISTRIBUTED_TYPES:
        raise ConfigError(
            f"{path}: distributed_type {data.get('distributed_type')!r} is not one of {', '.join(DISTRIBUTED_TYPES)}"
        )


def run(args: argparse.Namespace) -> int:
    from distill.errors import DistillError

    failed = 0
    for path in args.recipes:
        try:
            data = accelerate_config(path)
            if data is not None:
                validate_accelerate(path, data)
            else:
                validate_recipe(path, args.overrides, deep=not args.shallow)
        except DistillError as exc:
            failed += 1
            print(f"FAIL {exc}", file=sys.stderr)
        else:
            print(f"ok   {path}" + (" (accelerate config)" if data is not None else ""))
    if len(args.recipes) > 1:
        print(f"{len(args.recipes) - failed} of {len(args.recipes)} files valid")
    return 1 if failed else 0
