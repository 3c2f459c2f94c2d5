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
    from distill.cli.common import add_set_argument

    parser.add_argument("inputs", nargs="*", metavar="RESULT_DIR|NAME=DIR|RECIPE.yaml",
                        help="eval result dirs (a run dir or one model's dir), or one recipe with a report section")
    add_set_argument(parser)
    parser.add_argument("--out", help="report directory (default: the recipe's report stage dir, else runs/report)")
    parser.add_argument("--funnel", help="filter output dir (or its funnel.json) to show the filter funnel")
    parser.add_argument("--training", action="append", default=[], metavar="NAME=DIR",
                        help="training output dir whose trainer_state.json gives loss/reward curves (repeatable)")
    parser.add_argument("--compute", action="append", default=[], metavar="NAME=DIR[,DIR...]",
                        help="stage output dirs whose manifests give row NAME's compute (repeatable)")
    parser.add_argument("--title")
    parser.add_argument("--force", action="store_true", help="build the report again even if it is complete")
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
    from distill.recipe import recipe_from_dict

    recipe_file = args.inputs[0] if len(args.inputs) == 1 and args.inputs[0].endswith((".yaml", ".yml")) else None
    data: dict[str, Any] = load_yaml(recipe_file) if recipe_file else {"output_dir": "runs"}
    apply_overrides(data, args.overrides)
    section: dict[str, Any] = data.setdefault("report", {}) or {}
    data["report"] = section
    if not recipe_file and args.inputs:
        section["results"] = _named(args.inputs, unnamed_is_path=True)
    if args.out:
        section["output_dir"] = args.out
    if args.funnel:
        section["funnel"] = args.funnel
    if args.training:
        section["training"] = {**(section.get("training") or {}), **_named(args.training)}
    if args.compute:
        section["compute"] = {**(section.get("compute") or {}),
                              **{name: path.split(",") for name, path in _named(args.compute).items()}}
    if args.title:
        section["title"] = args.title
    return recipe_from_dict(data, file=recipe_file or "<command line>")


def run(args: argparse.Namespace) -> int:
    from distill.errors import DistillError
    from distill.manifest import StageRun
    from distill.report.build import build_report
    from distill.stage_inputs import check_inputs

    recipe = build_recipe(args)
    config = recipe.report
    results = dict(config.results)
    if not results:
        if recipe.eval is None and not args.inputs:
            raise DistillError("nothing to report: give eval result dirs or a recipe with report.results")
        eval_dir = str(recipe.stage_dir("eval"))
        results = {eval_dir: eval_dir}  # unnamed: rows are named after the evaluated models
    funnel, training = config.funnel, dict(config.training)
    # In a pipeline recipe the funnel and the training logs are this recipe's own stage outputs.
    if funnel is None and recipe.filter is not None:
        funnel = str(recipe.stage_dir("filter"))
    if not training:
        training = {name: str(recipe.stage_dir(stage)) for name, stage in
                    (("teacher", "train_teacher"), ("student", "train_student"), ("baseline", "train_baseline"),
                     ("on_policy", "train_on_policy"))
                    if getattr(recipe, stage) is not None}
    out_dir = recipe.stage_dir("report")
    read = [*results.values(), *([funnel] if funnel else []), *training.values()]
    inputs = check_inputs([p for p in read if Path(p).exists()], allow_partial=args.allow_partial_input,
                          reader="distill report")
    with StageRun(out_dir, recipe, "report", inputs=inputs, skip_if_complete=not args.force,
                  redo_hint="distill report ... --force", allow_partial_input=args.allow_partial_input) as stage:
        if stage.skipped:
            return 0
        built = build_report(results, out_dir, title=config.title, funnel=funnel, training=training,
                             compute=dict(config.compute))
        stage.counts.update(models=built["models"], plots=len(built["plots"]))
    print(built["markdown"].read_text(encoding="utf-8").split("\n## Accuracy")[0])
    print(f"distill report: {built['models']} model(s), {len(built['plots'])} plot(s) -> {built['html']}")
    return 0
