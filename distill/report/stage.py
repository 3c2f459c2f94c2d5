"""The `report` stage: eval results side by side, with the filter funnel and training curves; by
default the last earlier eval and filter stages and every earlier training stage of the recipe."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from distill.stage_contract import (
    SHORTHAND_TRAINING,
    default_input,
    last_earlier,
    open_stage,
    stage_section,
    trained_models,
)

if TYPE_CHECKING:  # the recipe module imports every stage's config: only the type checker needs it here
    from distill.recipe import Recipe

COMMAND = "report"


def default_sources(recipe: Recipe, name: str) -> tuple[dict[str, str], str | None, dict[str, str]]:
    """(results, funnel, training) the section names, else this recipe's own earlier stage outputs."""
    from distill.errors import DistillError

    config = recipe.section(name)
    results = dict(config.results)
    if not results:
        if last_earlier(recipe, name, COMMAND, "results") is None and recipe.source_file == "<command line>":
            raise DistillError("nothing to report: give eval result dirs or a recipe with report.results")
        eval_dir = default_input(recipe, name, COMMAND, "results")
        results = {eval_dir: eval_dir}  # unnamed: rows are named after the evaluated models
    funnel, filter_stage = config.funnel, last_earlier(recipe, name, COMMAND, "funnel")
    if funnel is None and filter_stage is not None:  # in a pipeline recipe: its own filter stage's funnel
        funnel = str(recipe.stage_dir(filter_stage))
    training = dict(config.training) or trained_models(recipe, name, COMMAND, "training", SHORTHAND_TRAINING)
    return results, funnel, training


def run(
    recipe: Recipe, name: str = "report", *, redo: bool = False, allow_partial_input: bool = False
) -> dict[str, Any]:
    """Build the report into the stage's directory; returns what build_report made (or `skipped`)."""
    from distill.report.build import build_report

    config = stage_section(recipe, name, COMMAND)
    results, funnel, training = default_sources(recipe, name)
    out_dir = recipe.stage_dir(name)
    read = [*results.values(), *([funnel] if funnel else []), *training.values()]
    with open_stage(
        recipe, name, COMMAND, [p for p in read if Path(p).exists()], redo=redo, allow_partial_input=allow_partial_input
    ) as stage:
        if stage.skipped:
            return {"skipped": True}
        built = build_report(
            results,
            out_dir,
            title=config.title,
            funnel=funnel,
            training=training,
            compute=dict(config.compute),
            compare=dict(config.compare),
        )
        stage.counts.update(models=built["models"], plots=len(built["plots"]))
    return {"skipped": False, **built}
