"""distill report RESULT_DIRS... --out DIR: eval results side by side (Markdown + HTML + PNG plots).

distill report runs/base/eval runs/toy/eval --out runs/report
distill report base=runs/base/eval/base student=runs/toy/eval/student --funnel runs/toy/filter --out runs/report
distill report recipes/eval/report.yaml          # a recipe with a `report` section
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

HELP = "compare eval results: table (pass@1 ± s.e., cons@k), plots, filter funnel, training curves"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from distill.cli.common import add_set_argument, add_stage_argument

    parser.add_argument(
        "inputs",
        nargs="*",
        metavar="RESULT_DIR|NAME=DIR|RECIPE.yaml",
        help="eval result dirs (a run dir or one model's dir), or one recipe with a report section",
    )
    add_set_argument(parser)
    parser.add_argument("--out", help="report directory (default: the recipe's report stage dir, else runs/report)")
    parser.add_argument("--funnel", help="filter output dir (or its funnel.json) to show the filter funnel")
    parser.add_argument(
        "--training",
        action="append",
        default=[],
        metavar="NAME=DIR",
        help="training output dir whose trainer_state.json gives loss/reward curves (repeatable)",
    )
    parser.add_argument(
        "--compute",
        action="append",
        default=[],
        metavar="NAME=DIR[,DIR...]",
        help="stage output dirs whose manifests give row NAME's compute (repeatable)",
    )
    parser.add_argument("--title")
    parser.add_argument("--force", action="store_true", help="build the report again even if it is complete")
    add_stage_argument(parser)
    from distill.stage_inputs import add_argument as add_partial_input_argument

    add_partial_input_argument(parser)


def _named(items: list[str], unnamed_is_path: bool = False) -> dict[str, str]:
    """NAME=DIR pairs; a bare DIR is keyed by itself (result rows are then named after their models)
    or, for training dirs, by its directory name."""
    named = {}
    for item in items:
        name, sep, path = item.partition("=")
        if not sep:
            path = item
            name = item if unnamed_is_path else (Path(item.rstrip("/")).name or item)
        named[name] = path
    return named


def build_recipe(args: argparse.Namespace):
    from distill.config import apply_overrides, load_yaml
    from distill.recipe import recipe_from_dict, section_key_in

    recipe_file = args.inputs[0] if len(args.inputs) == 1 and args.inputs[0].endswith((".yaml", ".yml")) else None
    data: dict[str, Any] = load_yaml(recipe_file) if recipe_file else {"output_dir": "runs"}
    apply_overrides(data, args.overrides)
    key = section_key_in(data, args.stage or "report", recipe_file or "<command line>")
    section = data.setdefault(key, {}) or {}
    data[key] = section
    if not recipe_file and args.inputs:
        section["results"] = _named(args.inputs, unnamed_is_path=True)
    if args.out:
        section["output_dir"] = args.out
    if args.funnel:
        section["funnel"] = args.funnel
    if args.training:
        section["training"] = {**(section.get("training") or {}), **_named(args.training)}
    if args.compute:
        section["compute"] = {
            **(section.get("compute") or {}),
            **{name: path.split(",") for name, path in _named(args.compute).items()},
        }
    if args.title:
        section["title"] = args.title
    return recipe_from_dict(data, file=recipe_file or "<command line>")


def run(args: argparse.Namespace) -> int:
    from distill.report import stage

    built = stage.run(
        build_recipe(args), args.stage or "report", redo=args.force, allow_partial_input=args.allow_partial_input
    )
    if built["skipped"]:
        return 0
    print(built["markdown"].read_text(encoding="utf-8").split("\n## Accuracy")[0])
    print(f"distill report: {built['models']} model(s), {len(built['plots'])} plot(s) -> {built['html']}")
    return 0
