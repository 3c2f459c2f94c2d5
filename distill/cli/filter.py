"""distill filter RECIPE [--set KEY=VALUE]: reject bad teacher traces, keep a clean SFT dataset.

    distill filter recipes/filter/toy.yaml
    distill filter --input traces.jsonl --output runs/filtered          # no recipe: default filters
    distill filter --input r1.parquet --column problem=question --column completion=generation \
        --default domain=math --output out
"""

from __future__ import annotations

import argparse

from distill.cli.common import add_set_argument, add_stage_argument

HELP = (
    "filter teacher traces (format, truncation, correctness, length, language, loops, dedup, contamination)"
    " into an SFT dataset"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("recipe", nargs="?", help="recipe YAML with a 'filter' section (optional with --input)")
    add_set_argument(parser)
    parser.add_argument(
        "--input",
        action="append",
        default=[],
        metavar="PATH",
        help="trace file or folder (JSONL/Parquet) to filter instead of the recipe's sources (repeatable)",
    )
    parser.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="with --input: the input's column for a trace field, e.g. completion=generation (repeatable)",
    )
    parser.add_argument(
        "--format",
        metavar="NAME",
        help="with --input: the input's layout (openr1_math, sharegpt, s1k, chat, trace); default: detected",
    )
    parser.add_argument(
        "--default",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="with --input: a value for a trace field the input lacks, e.g. domain=math (repeatable)",
    )
    parser.add_argument("--output", metavar="DIR", help="output folder (default: the recipe's filter stage dir)")
    parser.add_argument("--workers", type=int, help="worker processes (default: recipe, else one per CPU)")
    parser.add_argument("--force", action="store_true", help="filter again even if this output is complete")
    add_stage_argument(parser)
    from distill.stage_inputs import add_argument as add_partial_input_argument

    add_partial_input_argument(parser)


def _pairs(items: list[str], flag: str, example: str) -> dict[str, str]:
    from distill.errors import ConfigError

    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"{flag} {item!r}: expected FIELD=VALUE, e.g. {example}")
        out[key] = value
    return out


def build_recipe(args: argparse.Namespace):
    """The recipe (or one made from --input/--output) with the flags applied to stage `args.stage`'s section."""
    from distill.config import apply_overrides, load_yaml
    from distill.errors import ConfigError
    from distill.recipe import recipe_from_dict, section_key_in

    name = args.stage or "filter"
    if args.recipe:
        data = apply_overrides(load_yaml(args.recipe), args.overrides)
    elif args.input:
        if not args.output:
            raise ConfigError("--output DIR is needed when no recipe is given")
        data = apply_overrides({"output_dir": args.output, "filter": {"output_dir": args.output}}, args.overrides)
    else:
        raise ConfigError("give a recipe with a 'filter' section, or --input FILE --output DIR")
    key = section_key_in(data, name, args.recipe or "<command line>")
    if data.get(key) is None and args.input:
        data[key] = {}
    if args.input and isinstance(data[key], dict):  # anything else is reported when the recipe is built
        columns, defaults = (
            _pairs(args.column, "--column", "completion=generation"),
            _pairs(args.default, "--default", "domain=math"),
        )
        source = {
            "path": args.input if len(args.input) > 1 else args.input[0],
            "columns": columns,
            "defaults": defaults,
        }
        if args.format:
            source["format"] = args.format
        data[key]["sources"] = [source]
    elif not args.input and (args.column or args.default or args.format):
        raise ConfigError(
            "--column/--default/--format need --input "
            "(a recipe sets them per source: filter.sources[].columns/defaults)"
        )
    recipe = recipe_from_dict(data, args.recipe or "<command line>")
    section = recipe.section(name)
    if args.output:
        section.output_dir = args.output
    if args.workers is not None:
        section.workers = args.workers
    return recipe


def run(args: argparse.Namespace) -> int:
    from distill.filter import stage

    stage.run(build_recipe(args), args.stage or "filter", redo=args.force, allow_partial_input=args.allow_partial_input)
    return 0
