"""The `eval` stage: each model of the stage's section (by default the models trained by earlier
stages) on its tasks, under R1's protocol; results.md side by side."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from distill.stage_contract import open_stage, stage_section, trained_models

if TYPE_CHECKING:  # the recipe module imports every stage's config: only the type checker needs it here
    from distill.recipe import Recipe

COMMAND = "eval"


def models_of(recipe: Recipe, name: str) -> dict[str, str]:
    """eval.models, or else the models this recipe trains before the stage (each stage's output directory)."""
    from distill.errors import DistillError

    config = recipe.section(name)
    models = dict(config.models) or trained_models(recipe, name, COMMAND, "models")
    if not models:
        raise DistillError("no model to evaluate: give --model PATH or eval.models in the recipe")
    return models


def run(recipe: Recipe, name: str = "eval", *, redo: bool = False, allow_partial_input: bool = False) -> dict[str, Any]:
    """Evaluate into the stage's directory; a model whose results under the same protocol exist is kept
    (unless `redo`). Returns the counts and the output directory."""
    from distill.evaluate.backends import model_args
    from distill.evaluate.tasks import check_tasks, task_dir

    config = stage_section(recipe, name, COMMAND)
    models = models_of(recipe, name)
    # bad task names, a missing server URL or backend package fail before anything is written
    check_tasks(config, task_dir(config))
    for path in models.values():
        model_args(config, path)
    out_dir = recipe.stage_dir(name)
    with open_stage(
        recipe,
        name,
        COMMAND,
        [*models.values(), *config.data.values()],
        redo=redo,
        allow_partial_input=allow_partial_input,
    ) as stage:
        if stage.skipped:
            return {"skipped": True, "out": out_dir}
        _evaluate_all(recipe, config, models, out_dir, stage, redo=redo)
    return {"skipped": False, "out": out_dir, **stage.counts}


def _evaluate_all(
    recipe: Recipe, config: Any, models: dict[str, str], out_dir: Path, stage: Any, *, redo: bool
) -> None:
    from distill.evaluate.runner import evaluate_model, finished_result, write_run_table
    from distill.progress import Progress

    results = []
    with Progress(len(models), "eval", "models") as bar:
        stage.extra["models"] = models
        for label, path in models.items():
            result = None if redo else finished_result(config, label, path, out_dir, recipe.seed)
            if result is not None:
                print(
                    f"distill eval: {label}: results under the same protocol already in {out_dir}; kept",
                    file=sys.stderr,
                )
            else:
                print(
                    f"distill eval: {label} ({path}) on {', '.join(config.tasks)} with {config.backend}",
                    file=sys.stderr,
                )
                result = evaluate_model(config, label, path, out_dir, recipe.seed)
            if result:
                results.append(result)
                samples = sum(m["samples"] for m in result["tasks"].values())
                bar.update(1, samples=samples)
        write_run_table(out_dir, results)
        stage.counts.update(
            models=len(results),
            tasks=len(config.tasks),
            problems=sum(m["n"] for r in results for m in r["tasks"].values()),
            samples=sum(m["samples"] for r in results for m in r["tasks"].values()),
        )
