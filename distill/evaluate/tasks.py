"""distill's lm-eval tasks: where their YAMLs live, and loading them through lm-eval's TaskManager.

The YAMLs in distill/evaluate/lm_eval_tasks/ fix R1's protocol; a run sets only what varies: k (`repeats`), the sampling
settings, the local data files and the toy task size. Data overrides travel as TaskManager
metadata, which lm-eval hands to each task's `custom_dataset` loader (lm_eval_tasks/utils.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from distill.errors import DistillError
from distill.evaluate import registry
from distill.evaluate.config import EvalConfig
from distill.evaluate.registry import known_tasks


def task_dir(config: EvalConfig | None = None) -> Path:
    """The task YAMLs this run reads: the recipe's `eval.task_dir`, else distill's own."""
    return registry.task_dir(config.task_dir if config is not None else None)


def check_tasks(config: EvalConfig, directory: Path) -> None:
    known = known_tasks(directory)
    for name in config.tasks:
        if name not in known:
            raise DistillError(f"unknown eval task {name!r}; distill's tasks: {', '.join(known)}")
    for name, path in config.data.items():
        if name not in known:
            raise DistillError(f"data override for unknown task {name!r}; distill's tasks: {', '.join(known)}")
        if not Path(path).exists():
            raise DistillError(f"data file for {name} not found: {path}")


def task_metadata(config: EvalConfig, seed: int) -> dict[str, Any]:
    data = {name: str(Path(path).resolve()) for name, path in config.data.items()}
    toy = {"n": config.toy_problems, "difficulty": config.toy_difficulty, "seed": seed}
    return {"distill": {"data": data, "toy": toy}}


def generation_kwargs(config: EvalConfig) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"until": [], "max_gen_toks": config.max_gen_toks}
    if config.temperature > 0:
        kwargs.update(do_sample=True, temperature=config.temperature, top_p=config.top_p)
    else:  # greedy: k samples would all be the same; still allowed (k is then usually 1)
        kwargs.update(do_sample=False, temperature=0.0)
    if config.backend.startswith("local-"):
        # lm-eval's API backends send one fixed `seed` with every request, so a server returns the
        # same completion k times; a null seed (gen kwargs override the payload) lets samples differ.
        kwargs["seed"] = None
    return kwargs


class _QuietCustomDataset:
    """Drops lm-eval's per-task hint about `--metadata` for custom datasets: distill sets the metadata."""

    def filter(self, record) -> bool:
        return "Custom kwargs can be passed to `--metadata`" not in str(record.msg)


def load_tasks(config: EvalConfig, seed: int = 0) -> tuple[dict[str, Any], Any]:
    """({task name: lm-eval Task} with k and the sampling settings of this run, the TaskManager).

    Pass the manager on to simple_evaluate: without one it indexes all of lm-eval's ~14,000 stock
    task YAMLs (close to a minute on a small machine) just to look up tasks it already has."""
    from distill.errors import require

    require("lm_eval", "eval", "distill eval")
    import logging

    from lm_eval.tasks import TaskManager

    task_logger = logging.getLogger("lm_eval.api.task")
    if not any(isinstance(f, _QuietCustomDataset) for f in task_logger.filters):
        task_logger.addFilter(_QuietCustomDataset())

    directory = task_dir(config)
    check_tasks(config, directory)
    # Only distill's tasks: the stock aime24/aime25 share our names and score differently.
    manager = TaskManager(include_path=str(directory), include_defaults=False, metadata=task_metadata(config, seed))
    loaded = manager.load(list(config.tasks))["tasks"]
    gen = generation_kwargs(config)
    for name, task in loaded.items():
        task.set_config(key="repeats", value=config.k_for(name))
        task.set_config(key="generation_kwargs", value=dict(gen), update=True)
    return loaded, manager
