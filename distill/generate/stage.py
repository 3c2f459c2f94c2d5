"""The `generate` stage: sample teacher traces for the stage's section (resumable, shardable)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from distill.stage_contract import stage_section

if TYPE_CHECKING:  # the recipe module imports every stage's config: only the type checker needs it here
    from distill.recipe import Recipe

COMMAND = "generate"


def run(
    recipe: Recipe,
    name: str = "generate",
    *,
    part: str | None = None,
    merge: bool = False,
    redo: bool = False,
    allow_partial_input: bool = False,
) -> dict[str, Any]:
    """Generate (one part of) the traces, or with `merge` check and index the parts; returns the counts.
    `redo` moves the old output aside and starts over."""
    stage_section(recipe, name, COMMAND)
    if merge:
        from distill.generate.totals import run_merge

        return run_merge(recipe, name=name)
    from distill.generate.runner import run_generate

    return run_generate(recipe, part=part, fresh=redo, allow_partial_input=allow_partial_input, name=name)


def placement(recipe: Recipe, name: str = "generate", *, required: bool = False) -> list[str]:
    """The vLLM placement lines for the stage's engine (checked before anything loads)."""
    from distill.placement import check_generate_placement

    return check_generate_placement(stage_section(recipe, name, COMMAND), required=required)
