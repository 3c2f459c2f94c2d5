"""The `toy setup` stage: tokenizer, tiny models and task files from a recipe's toy section."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from distill.stage_contract import open_stage, stage_section

if TYPE_CHECKING:  # the recipe module imports every stage's config: only the type checker needs it here
    from distill.recipe import Recipe

COMMAND = "toy setup"


def run(recipe: Recipe, name: str = "toy", *, redo: bool = False) -> dict[str, Any]:
    """Build the toy kit into the stage's directory; returns its counts (and `skipped`)."""
    from distill.toy.setup import build_toy_setup

    section = stage_section(recipe, name, COMMAND)
    # bad shapes or shares fail before anything is written
    section.validate(file=recipe.source_file, path=recipe.section_key(name))
    with open_stage(recipe, name, COMMAND, redo=redo) as stage:
        if stage.skipped:
            return {"skipped": True}
        stage.counts.update(build_toy_setup(recipe, name))
    return {
        "skipped": False,
        "counts": stage.counts,
        "wall_seconds": stage.wall_seconds,
        "out": recipe.stage_dir(name),
        "section": section,
    }
