"""distill's lm-eval tasks by name: one YAML per task in the task directory, named after the task.

Only paths and names live here, so the recipe section (`config.py`) and the loader (`tasks.py`)
both read it and neither imports the other.
"""

from __future__ import annotations

from pathlib import Path


def task_dir(override: str | None = None) -> Path:
    """The directory of task YAMLs: `override` (a recipe's `eval.task_dir`) or the one shipped with distill."""
    from distill.errors import DistillError

    if override:
        path = Path(override)
    else:
        import distill

        path = Path(distill.__file__).resolve().parent.parent / "eval"
    if not path.is_dir():
        raise DistillError(f"lm-eval task directory {path} not found; set eval.task_dir to distill's eval/ directory")
    return path


def known_tasks(directory: Path) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.yaml"))
