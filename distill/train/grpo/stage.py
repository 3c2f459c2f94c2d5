"""The `train-teacher` and `train-baseline` stages: GRPO (R1-Zero style rewards) on the stage's
section. Thin: the work is distill.train.grpo.trainer.run_grpo_stage, given the stage's name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from distill.stage_contract import stage_section

if TYPE_CHECKING:  # the recipe module imports every stage's config: only the type checker needs it here
    from distill.recipe import Recipe


def run(
    recipe: Recipe,
    name: str,
    *,
    command: str = "train-teacher",
    resume: bool | str | None = None,
    redo: bool = False,
    allow_partial_input: bool = False,
) -> dict[str, Any]:
    """Train stage `name` (run by `command`); returns the training summary. `redo` starts over."""
    from distill.train.grpo.trainer import run_grpo_stage

    stage_section(recipe, name, command)
    return run_grpo_stage(recipe, name, resume=False if redo else resume, allow_partial_input=allow_partial_input)


def plan(recipe: Recipe, name: str, *, command: str = "train-teacher") -> list[str]:
    """`--plan`: training memory and vLLM rollouts per GPU, from the model's config.json."""
    from distill.placement import plan_grpo
    from distill.train.model_loading import read_model_config

    cfg = stage_section(recipe, name, command)
    return plan_grpo(read_model_config(cfg.model), cfg).lines()
