"""The `filter` stage: the stage's section applied to its sources, by default the last earlier
generate stage's traces."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from distill.stage_contract import default_input, open_stage, stage_section

if TYPE_CHECKING:  # the recipe module imports every stage's config: only the type checker needs it here
    from distill.recipe import Recipe

COMMAND = "filter"


def run(
    recipe: Recipe, name: str = "filter", *, redo: bool = False, allow_partial_input: bool = False
) -> dict[str, Any]:
    """Filter into the stage's directory, print the funnel; fails when nothing usable is kept."""
    from distill.filter import outcome, pipeline

    config = stage_section(recipe, name, COMMAND)
    out, traces = recipe.stage_dir(name), Path(default_input(recipe, name, COMMAND, "traces"))
    with open_stage(
        recipe, name, COMMAND, input_paths(config, traces), redo=redo, allow_partial_input=allow_partial_input
    ) as stage:
        if stage.skipped:
            return {"skipped": True}
        result = pipeline.run(config, out=out, generate_dir=traces, seed=recipe.seed, stage=stage)
    for line in outcome.summary_lines(out, result):
        print(line, file=sys.stderr)
    outcome.check_usable(out, result)
    return {"skipped": False, **result}


def input_paths(config: Any, traces: Path) -> list[str]:
    """What the filter reads: its sources' paths, else the generate stage's output."""
    if not config.sources:
        return [str(traces)]
    return [p for source in config.sources for p in source.paths]
