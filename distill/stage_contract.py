"""The one shape of a stage: `run(recipe, name, **options) -> summary` in its package's `stage.py`.

    stage command    its run()                       reads by default (DEFAULT_INPUTS)
    toy setup        distill/toy/stage.py            -
    generate         distill/generate/stage.py       its section's source and teacher
    filter           distill/filter/stage.py         the last earlier generate stage
    train-student    distill/train/sft/stage.py      the last earlier filter stage (method: sft)
    train-teacher    distill/train/grpo/stage.py     its section's prompts
    train-baseline   distill/train/grpo/stage.py     its section's prompts
    eval             distill/evaluate/stage.py       the earlier training stages' models
    report           distill/report/stage.py         the last earlier eval and filter, the training stages

A stage reads its section by the name it is given (`recipe.section(name)`), writes to
`recipe.stage_dir(name)` and opens its run with `open_stage`: its inputs checked (distill.stage_inputs),
its lock taken, a finished identical run found. `distill <command> RECIPE --stage NAME` runs one stage;
without --stage the name is the command's fixed section (train-student: train_student).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from distill.errors import ConfigError
from distill.manifest import StageRun
from distill.stage_inputs import check_inputs

if TYPE_CHECKING:  # the recipe module imports every stage's config: only the type checker needs it here
    from distill.recipe import Recipe

# The fixed section a command reads when no --stage is given.
DEFAULT_NAMES = {
    "toy setup": "toy",
    "generate": "generate",
    "filter": "filter",
    "train-student": "train_student",
    "train-teacher": "train_teacher",
    "train-baseline": "train_baseline",
    "eval": "eval",
    "report": "report",
}
TRAINING = ("train-teacher", "train-student", "train-baseline")
# What a stage reads when its section does not say: the output of the last earlier stage run by
# that command (in a recipe without `stages:`, the fixed section of that name, as always).
DEFAULT_INPUTS: dict[str, dict[str, Any]] = {  # a provider: one command, or a tuple of them
    "filter": {"traces": "generate"},
    "train-student": {"dataset": "filter"},
    "eval": {"models": TRAINING},
    "report": {"results": "eval", "funnel": "filter", "training": TRAINING},
}
# Without `stages:`, the models eval and report name by their role, as before named stages.
SHORTHAND_MODELS = (("teacher", "train_teacher"), ("student", "train_student"), ("baseline", "train_baseline"))
SHORTHAND_TRAINING = (*SHORTHAND_MODELS, ("on_policy", "train_on_policy"))


def stage_section(recipe: Recipe, name: str, command: str) -> Any:
    """Stage `name`'s section, refusing a stage that another command runs."""
    spec = recipe.stage(name)
    if spec is not None and spec.command != command:
        raise ConfigError(
            f"{recipe.source_file}: stage '{name}' is a {spec.command} stage; run it with `distill {spec.command}`"
        )
    return recipe.section(name)


def open_stage(
    recipe: Recipe,
    name: str,
    command: str,
    input_paths: Iterable[Any] = (),
    *,
    redo: bool = False,
    allow_partial_input: bool = False,
    redo_flag: str = "--force",
    out_dir: Any = None,
    **run_options: Any,
) -> StageRun:
    """The StageRun of stage `name` (in `out_dir`, default its stage directory): its inputs checked,
    its manifest naming the command. Enter it to take the lock and learn whether it is done."""
    reader = f"distill {command}"
    inputs = check_inputs([p for p in input_paths if p], allow_partial=allow_partial_input, reader=reader)
    run = StageRun(
        out_dir or recipe.stage_dir(name),
        recipe,
        name,
        inputs=inputs,
        skip_if_complete=not redo,
        redo_hint=f"{command_line(command, name)} {redo_flag}",
        allow_partial_input=allow_partial_input,
        **run_options,
    )
    run.extra["command"] = command
    return run


def command_line(command: str, name: str) -> str:
    """`distill COMMAND RECIPE [--stage NAME]`, as a user reruns this stage."""
    stage = "" if DEFAULT_NAMES.get(command) == name else f" --stage {name}"
    return f"distill {command} RECIPE{stage}"


def earlier_stages(recipe: Recipe, name: str, commands: Iterable[str]) -> list[str]:
    """The stages before `name` (all stages if `name` is not one) run by one of `commands`, in order."""
    names = [s.name for s in recipe.stage_list()]
    before = names[: names.index(name)] if name in names else names
    wanted = set(commands)
    return [s.name for s in recipe.stage_list() if s.name in before and s.command in wanted]


def default_input(recipe: Recipe, name: str, reader: str, what: str) -> str:
    """What stage `name` (run by `reader`) reads as `what` when its section does not say (DEFAULT_INPUTS):
    the output directory of the last earlier stage of that command, else of that command's fixed section."""
    provider = DEFAULT_INPUTS[reader][what]
    found = earlier_stages(recipe, name, [provider])
    return str(recipe.stage_dir(found[-1] if found else DEFAULT_NAMES[provider]))


def last_earlier(recipe: Recipe, name: str, reader: str, what: str) -> str | None:
    """The last stage before `name` that makes its `what` (DEFAULT_INPUTS), if the recipe has one."""
    found = earlier_stages(recipe, name, [DEFAULT_INPUTS[reader][what]])
    return found[-1] if found else None


def trained_models(
    recipe: Recipe, name: str, reader: str, what: str, roles: tuple = SHORTHAND_MODELS
) -> dict[str, str]:
    """Label -> output directory of the models trained before `name`: by role without `stages:`,
    else every earlier stage of the commands DEFAULT_INPUTS[reader][what] names, by its name."""
    if recipe.stages is None:
        return {role: str(recipe.stage_dir(s)) for role, s in roles if recipe.section_or_none(s) is not None}
    return {stage: str(recipe.stage_dir(stage)) for stage in earlier_stages(recipe, name, DEFAULT_INPUTS[reader][what])}
