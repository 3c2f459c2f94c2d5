"""distill filter RECIPE [--set KEY=VALUE]: reject bad teacher traces, keep a clean SFT dataset.

    distill filter recipes/filter/toy.yaml
    distill filter --input traces.jsonl --output runs/filtered          # no recipe: default filters
    distill filter --input r1.parquet --column problem=question --column completion=generation \
        --default domain=math --output out
"""

from __future__ import annotations

import argparse

from distill.cli.common import add_set_argument

HELP = (
    "filter teacher traces (format, truncation, correctness, length, language, loops, dedup, contamination)"
    " into an SFT dataset"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("recipe", nargs="?", help="recipe YAML with a 'filter' section (optional with --input)")
    add_set_argument(parser)
    parser.add_argument("--input", action="append", default=[], metavar="PATH",
                        help="trace file or folder (JSONL/Parquet) to filter instead of the recipe's sources (repeatable)")
    parser.add_argument("--column", action="append", default=[], metavar="FIELD=COLUMN",
                        help="with --input: the input's column for a trace field, e.g. completion=generation (repeatable)")
    parser.add_argument("--format", metavar="NAME",
                        help="with --input: the input's layout (openr1_math, sharegpt, s1k, chat, trace); default: detected")
    parser.add_argument("--default", action="append", default=[], metavar="FIELD=VALUE",
                        help="with --input: a value for a trace field the input lacks, e.g. domain=math (repeatable)")
    parser.add_argument("--output", metavar="DIR", help="output folder (default: the recipe's filter stage dir)")
    parser.add_argument("--workers", type=int, help="worker processes (default: recipe, else one per CPU)")
    parser.add_argument("--force", action="store_true", help="filter again even if this output is complete")
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
    from distill.errors import ConfigError
    from distill.recipe import load_recipe, recipe_from_dict

    if args.recipe:
        recipe = load_recipe(args.recipe, args.overrides)
        if recipe.filter is None and args.input:
            data = recipe.to_dict()
            data["filter"] = {}
            recipe = recipe_from_dict(data, args.recipe)
    elif args.input:
        if not args.output:
            raise ConfigError("--output DIR is needed when no recipe is given")
        from distill.config import apply_overrides

        recipe = recipe_from_dict(apply_overrides({"output_dir": args.output, "filter": {"output_dir": args.output}}, args.overrides), "<command line>")
    else:
        raise ConfigError("give a recipe with a 'filter' section, or --input FILE --output DIR")
    recipe.section("filter")  # raises the clear error when the recipe has no filter section
    if args.input:
        columns, defaults = _pairs(args.column, "--column", "completion=generation"), _pairs(args.default, "--default", "domain=math")
        data = recipe.to_dict()
        source = {"path": args.input if len(args.input) > 1 else args.input[0], "columns": columns, "defaults": defaults}
        if args.format:
            source["format"] = args.format
        data["filter"]["sources"] = [source]
        if args.output:
            data["filter"]["output_dir"] = args.output
        recipe = recipe_from_dict(data, recipe.source_file)
    elif args.column or args.default or args.format:
        raise ConfigError("--column/--default/--format need --input "
                          "(a recipe sets them per source: filter.sources[].columns/defaults)")
    config = recipe.section("filter")  # the rebuilt recipe's when --input rebuilt it
    if args.output:
        config.output_dir = args.output
    if args.workers is not None:
        config.workers = args.workers
    return recipe


def run(args: argparse.Namespace) -> int:
    import sys

    from distill.filter import outcome, pipeline
    from distill.manifest import StageRun
    from distill.stage_inputs import check_inputs

    recipe = build_recipe(args)
    out = recipe.stage_dir("filter")
    inputs = check_inputs(_input_paths(recipe), allow_partial=args.allow_partial_input, reader="distill filter")
    with StageRun(out, recipe, "filter", inputs=inputs, skip_if_complete=not args.force,
                  redo_hint="distill filter RECIPE --force", allow_partial_input=args.allow_partial_input) as stage:
        if stage.skipped:
            return 0
        result = pipeline.run(recipe.filter, out=out, generate_dir=recipe.stage_dir("generate"), seed=recipe.seed, stage=stage)
    for line in outcome.summary_lines(out, result):
        print(line, file=sys.stderr)
    outcome.check_usable(out, result)
    return 0


def _input_paths(recipe) -> list[str]:
    """What the filter reads: its sources' paths, else the generate stage's output."""
    sources = recipe.filter.sources
    if not sources:
        return [str(recipe.stage_dir("generate"))]
    return [p for source in sources for p in (source.path if isinstance(source.path, list) else [source.path])]
