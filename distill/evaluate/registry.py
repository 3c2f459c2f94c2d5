"""distill's lm-eval tasks by name: one YAML per task in the task directory, named after the task.

Only paths and names live here, so the recipe section (`config.py`) and the loader (`tasks.py`)
both read it and neither imports the other.
"""

from __future__ import annotations

from pathlib import Path

TASK_PACKAGE = "distill.evaluate.lm_eval_tasks"  # its YAMLs are package data (pyproject.toml)


def task_dir(override: str | None = None) -> Path:
    """The directory of task YAMLs: `override` (a recipe's `eval.task_dir`) or the one shipped with distill."""
    from distill.errors import DistillError

    if override:
        path = Path(override)
    else:
        from importlib.resources import files

        # A package directory on disk (source checkout or installed wheel): lm-eval reads it by path.
        path = Path(str(files(TASK_PACKAGE)))
    if not path.is_dir():
        raise DistillError(
            f"lm-eval task directory {path} not found; set eval.task_dir to a directory of "
            f"lm-eval task YAMLs (distill's own are in {TASK_PACKAGE})"
        )
    return path


def known_tasks(directory: Path) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.yaml"))
