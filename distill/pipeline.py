"""`distill run`: the stages a recipe names, in order, each skipped when its output is current.

The stages are the recipe's `stages:` list, else its fixed sections (recipe.PIPELINE_STAGES order).
A stage is current when its output directory holds a pipeline stamp (`pipeline.json`) whose
fingerprint equals the fingerprint of the stage's recipe section (plus the seed) and whose status
is ok. Once a stage runs, every later stage runs too, since its input changed. Each stage runs as
its own process (`python -m distill <command> RECIPE --stage NAME`), so memory (and GPU memory) is
released between stages and a crash in one leaves the finished ones intact: rerunning continues there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from distill.errors import DistillError
from distill.manifest import now_iso, read_json, read_manifest, write_json_atomic
from distill.orphans import child_preexec
from distill.recipe import PIPELINE_STAGES, Recipe
from distill.recipe_stages import StageSpec
from distill.stage_lock import OutputLock

STAMP = "pipeline.json"
# Each command's flag to redo a finished output: a stage rerun with the same recipe and inputs is a
# no-op, so a rerun the pipeline asks for (--force, --from, a changed earlier stage) says so.
REDO_FLAGS = {
    "toy setup": "--force",
    "generate": "--fresh",
    "filter": "--force",
    "train-student": "--fresh",
    "train-teacher": "--fresh",
    "train-baseline": "--fresh",
    "eval": "--force",
    "report": "--force",
}
REDO_REASONS = {"selected", "an earlier stage ran", "recipe section changed"}


@dataclass
class PlannedStage:
    stage: StageSpec
    action: str  # "run" or "skip"
    why: str

    @property
    def redo(self) -> bool:
        """Run to redo finished work (not to finish or start it): pass the command's redo flag."""
        return self.action == "run" and self.why in REDO_REASONS


def stage_is_current(recipe: Recipe, name: str) -> tuple[bool, str]:
    out = recipe.stage_dir(name)
    stamp = read_json(out / STAMP)
    if stamp is None:
        return False, "no previous output"
    if stamp.get("status") != "ok":
        return False, f"previous run {stamp.get('status', 'unknown')}"
    if stamp.get("fingerprint") != recipe.section_fingerprint(name):
        return False, "recipe section changed"
    manifest = read_manifest(out)
    if manifest is not None and manifest.get("status") != "ok":
        return False, f"stage manifest says {manifest.get('status')}"
    return True, "output is current"


def present_stages(recipe: Recipe, selected: list[str | None]) -> list[StageSpec]:
    """The recipe's stages, checking that every stage named on the command line is one of them."""
    stages = recipe.stage_list()
    names = [s.name for s in stages]
    if not stages:
        raise DistillError(
            f"{recipe.source_file}: no stage sections; expected a 'stages:' list "
            f"or some of {', '.join(PIPELINE_STAGES)}"
        )
    for name in selected:
        if name is not None and name not in names:
            raise DistillError(f"stage '{name}' is not in this recipe; its stages: {', '.join(names)}")
    return stages


def plan(
    recipe: Recipe, *, from_stage: str | None = None, only: list[str] | None = None, force: bool = False
) -> list[PlannedStage]:
    stages = present_stages(recipe, [from_stage, *(only or [])])
    names = [s.name for s in stages]
    planned, rerun_rest = [], force
    for stage in stages:
        if only is not None and stage.name not in only:
            planned.append(PlannedStage(stage, "skip", "not selected (--only)"))
            continue
        if from_stage is not None and names.index(stage.name) < names.index(from_stage):
            planned.append(PlannedStage(stage, "skip", f"before --from {from_stage}"))
            continue
        if from_stage == stage.name or only is not None:
            planned.append(PlannedStage(stage, "run", "selected"))
            rerun_rest = True
            continue
        current, why = stage_is_current(recipe, stage.name)
        if current and not rerun_rest:
            planned.append(PlannedStage(stage, "skip", why))
        else:
            planned.append(PlannedStage(stage, "run", why if not current else "an earlier stage ran"))
            rerun_rest = True
    return planned


def stage_command(recipe: Recipe, stage: StageSpec, overrides: list[str], *, redo: bool = False) -> list[str]:
    """`python -m distill COMMAND RECIPE --stage NAME [--set ...] [redo flag]`: the recipe file as
    given, the stage named, so no derived recipe is written."""
    command = [sys.executable, "-m", "distill", *stage.command.split(), recipe.source_file, "--stage", stage.name]
    for item in overrides:
        command += ["--set", item]
    if redo:
        command.append(REDO_FLAGS[stage.command])
    return command


def run_stage(recipe: Recipe, stage: StageSpec, overrides: list[str], *, redo: bool = False) -> float:
    out = recipe.stage_dir(stage.name)
    out.mkdir(parents=True, exist_ok=True)
    stamp = {"stage": stage.name, "fingerprint": recipe.section_fingerprint(stage.name), "started": now_iso()}
    write_json_atomic(out / STAMP, {**stamp, "status": "running"})
    command = stage_command(recipe, stage, overrides, redo=redo)
    print(f"\n=== {stage.name}: {' '.join(command[2:])}", flush=True)
    t0 = time.time()
    # The stage dies with this process: a killed `distill run` leaves no stage running on its own.
    result = subprocess.run(command, env={**os.environ, "PYTHONUNBUFFERED": "1"}, preexec_fn=child_preexec(os.getpid()))
    seconds = time.time() - t0
    status = "ok" if result.returncode == 0 else "failed"
    write_json_atomic(out / STAMP, {**stamp, "status": status, "ended": now_iso(), "wall_seconds": round(seconds, 1)})
    if result.returncode != 0:
        raise DistillError(
            f"stage '{stage.name}' failed (exit {result.returncode}) after {seconds:.0f} s; "
            f"earlier stages are kept, rerun `distill run` to continue from '{stage.name}'"
        )
    return seconds


def run_pipeline(
    recipe: Recipe,
    *,
    from_stage: str | None = None,
    only: list[str] | None = None,
    force: bool = False,
    dry_run: bool = False,
    overrides: list[str] | None = None,
) -> list[tuple[str, str, float]]:
    stages = plan(recipe, from_stage=from_stage, only=only, force=force)
    width = max(15, *(len(p.stage.name) for p in stages))
    for item in stages:
        print(f"{item.action:4} {item.stage.name:{width}} {item.why}")
    if dry_run:
        return [(p.stage.name, p.action, 0.0) for p in stages]
    summary = []
    with OutputLock(Path(recipe.output_dir) / "pipeline"):  # one `distill run` per recipe output at a time
        for item in stages:
            seconds = run_stage(recipe, item.stage, overrides or [], redo=item.redo) if item.action == "run" else 0.0
            summary.append((item.stage.name, "ran" if item.action == "run" else "skipped", seconds))
    return summary
