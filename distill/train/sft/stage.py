"""The `train-student` stage: SFT on filtered traces (`method: sft`, by default the last earlier
filter stage's data) or on-policy distillation from a teacher (`method: on_policy`).

Thin: the work is in distill.train.sft (run_sft) and distill.train.on_policy (run_on_policy); this
module gives them the stage's name, finds a finished run before torch is imported, and re-executes
under `accelerate launch` when the section asks for several processes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from distill.stage_contract import stage_section

if TYPE_CHECKING:  # the recipe module imports every stage's config: only the type checker needs it here
    from distill.recipe import Recipe

COMMAND = "train-student"


def run(
    recipe: Recipe,
    name: str = "train_student",
    *,
    resume: bool | None = None,
    redo: bool = False,
    allow_partial_input: bool = False,
    recipe_path: str | None = None,
    overrides: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Train stage `name`; returns run_sft's / run_on_policy's summary, `skipped` when already complete,
    or `launched` with the exit code of a multi-process launch (which needs the recipe's file)."""
    from distill.train.sft.launch import check_launcher, launch, needs_launch
    from distill.train.sft.trainer import preflight

    cfg = stage_section(recipe, name, COMMAND)
    if not redo and already_complete(recipe, name, allow_partial_input=allow_partial_input):
        return {"skipped": True}  # decided before torch is imported: a finished run's rerun takes a second
    preflight(recipe, cfg, need_data=cfg.method == "sft", name=name)
    if needs_launch(cfg):
        check_launcher(cfg)
        code = launch(
            cfg,
            recipe_path or recipe.source_file,
            list(overrides),
            resume=bool(resume),
            fresh=redo,
            allow_partial_input=allow_partial_input,
            stage=name,
        )
        return {"launched": True, "exit_code": code}
    return train(recipe, name, resume=resume, redo=redo, allow_partial_input=allow_partial_input)


def train(recipe: Recipe, name: str, *, resume: bool | None, redo: bool, allow_partial_input: bool) -> dict[str, Any]:
    """In this process (one of several under accelerate launch): SFT or on-policy, by the section's method."""
    if recipe.section(name).method == "on_policy":
        from distill.train.on_policy import run_on_policy

        return run_on_policy(recipe, resume=resume, fresh=redo, allow_partial_input=allow_partial_input, name=name)
    from distill.train.sft.trainer import run_sft

    return run_sft(recipe, resume=resume, fresh=redo, allow_partial_input=allow_partial_input, name=name)


def plan(recipe: Recipe, name: str = "train_student") -> None:
    """`--plan`: the SFT memory plan and every check a run makes before training; writes nothing."""
    from distill.errors import DistillError
    from distill.train.sft.trainer import plan_run

    cfg = stage_section(recipe, name, COMMAND)
    if cfg.method == "on_policy":
        raise DistillError("--plan estimates SFT memory only; it has no plan for method: on_policy")
    plan_run(recipe, cfg, name=name)


def already_complete(recipe: Recipe, name: str, *, allow_partial_input: bool) -> bool:
    """A finished run is found here, before torch is imported and before a multi-process launch
    (whose ranks would all train)."""
    from distill.train.rerun import open_stage
    from distill.train.sft.data import resolve_dataset

    cfg = recipe.section(name)
    if cfg.method == "on_policy":  # its inputs: the student it starts from and the teacher
        inputs = [p for p in (cfg.model, cfg.on_policy.teacher) if Path(p).exists()]
    else:
        inputs = [resolve_dataset(cfg.dataset, recipe, name)]
    return open_stage(recipe, name, inputs, fresh=False, allow_partial_input=allow_partial_input).already_complete()
