"""Reruns of a training stage: a finished one does nothing, an interrupted one continues from its
last *complete* checkpoint.

    previous manifest            this run            what happens
    ok, same recipe + inputs     (no --fresh)        "already complete", nothing is touched
    anything else                (no --fresh)        continues from the last complete checkpoint
                                                     (a longer max_steps extends a finished run)
    anything                     --fresh             trains from the start

A checkpoint is complete once the trainer wrote its `trainer_state.json`, the last file it saves;
one cut short (kill -9 or a full disk while saving) is skipped and removed, so a rerun never
resumes from half a checkpoint.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from distill.manifest import StageRun

if TYPE_CHECKING:  # the recipe module imports every stage's config: only the type checker needs it here
    from distill.recipe import Recipe

COMMANDS = {"train_student": "train-student", "train_teacher": "train-teacher", "train_baseline": "train-baseline"}
CHECKPOINT_RE = re.compile(r"^checkpoint-(\d+)$")
STATE_FILE = "trainer_state.json"


def checkpoints(out_dir: Path) -> list[Path]:
    """checkpoint-N directories, by step."""
    if not out_dir.is_dir():
        return []
    found = [p for p in out_dir.iterdir() if p.is_dir() and CHECKPOINT_RE.match(p.name)]
    return sorted(found, key=lambda p: _step(p.name))


def _step(name: str) -> int:
    match = CHECKPOINT_RE.match(name)
    return int(match.group(1)) if match else -1  # checkpoints() passes only names that match


def last_complete_checkpoint(out_dir: Path) -> str | None:
    complete = [p for p in checkpoints(out_dir) if (p / STATE_FILE).is_file()]
    return str(complete[-1]) if complete else None


def remove_incomplete_checkpoints(out_dir: Path) -> list[str]:
    """Delete checkpoints cut short while being saved (call with the output's lock held)."""
    removed = []
    for path in checkpoints(out_dir):
        if not (path / STATE_FILE).is_file():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    if removed:
        print(
            f"removed incomplete checkpoint(s) {', '.join(removed)} in {out_dir} (cut short while saving)",
            file=sys.stderr,
        )
    return removed


def clear_checkpoints(out_dir: Path) -> None:
    """--fresh: the old run's checkpoints go, so none of them is resumed later by mistake."""
    for path in checkpoints(out_dir):
        shutil.rmtree(path, ignore_errors=True)


def open_stage(recipe: Recipe, stage: str, input_paths: list, *, fresh: bool, allow_partial_input: bool) -> StageRun:
    """The StageRun for training stage `stage` (enter it to take the lock and learn whether it is done)."""
    from distill.stage_contract import open_stage as open_any_stage

    spec = recipe.stage(stage)
    command = spec.command if spec is not None else COMMANDS.get(stage, stage)
    run = open_any_stage(
        recipe, stage, command, input_paths, redo=fresh, allow_partial_input=allow_partial_input, redo_flag="--fresh"
    )
    # A checkpoint cut short by a full disk goes at once: it frees the space and is never resumed.
    run.on_failure.append(lambda: remove_incomplete_checkpoints(run.out_dir))
    return run
