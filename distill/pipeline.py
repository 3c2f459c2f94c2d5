"""`distill run`: the stages a recipe names, in order, each skipped when its output is current.

A stage is current when its output directory holds a pipeline stamp (`pipeline.json`) whose
fingerprint equals the fingerprint of the stage's recipe section (plus the seed) and whose status
is ok. Once a stage runs, every later stage runs too, since its input changed. Each stage runs as
its own process (`python -m distill <command> <recipe>`), so memory (and GPU memory) is released
between stages and a crash in one leaves the finished ones intact: rerunning continues there.

Some sections reuse another stage's command: `warmup_teacher` and `warmup_student` are SFT runs
(`train-student`), `train_on_policy` an on-policy distillation run (`train-student`, method: on_policy).
For those, the pipeline writes a derived recipe in which the section takes the name the command reads,
with its output directory pinned to the section's own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from distill.errors import DistillError
from distill.manifest import now_iso, read_json, read_manifest, write_json_atomic
from distill.orphans import child_preexec
from distill.recipe import PIPELINE_STAGES, Recipe
from distill.stage_lock import OutputLock

STAMP = "pipeline.json"


@dataclass(frozen=True)
class Stage:
    section: str  # the recipe section it reads
    command: tuple[str, ...]  # the `distill` command (and subcommand) that runs it
    as_section: str  # the section name that command reads
    # The command's flag to redo a finished output: a stage rerun with the same recipe and inputs
    # is a no-op, so a rerun the pipeline asks for (--force, --from, a changed earlier stage) says so.
    redo_flag: str | None = None


STAGE_TABLE = {
    "toy": Stage("toy", ("toy", "setup"), "toy", "--force"),
    "warmup_teacher": Stage("warmup_teacher", ("train-student",), "train_student", "--fresh"),
    "train_teacher": Stage("train_teacher", ("train-teacher",), "train_teacher", "--fresh"),
    "generate": Stage("generate", ("generate",), "generate", "--fresh"),
    "filter": Stage("filter", ("filter",), "filter", "--force"),
    "warmup_student": Stage("warmup_student", ("train-student",), "train_student", "--fresh"),
    "train_student": Stage("train_student", ("train-student",), "train_student", "--fresh"),
    "train_baseline": Stage("train_baseline", ("train-baseline",), "train_baseline", "--fresh"),
    "train_on_policy": Stage("train_on_policy", ("train-student",), "train_student", "--fresh"),
    "eval": Stage("eval", ("eval",), "eval", "--force"),
    "report": Stage("report", ("report",), "report", "--force"),
}
assert list(STAGE_TABLE) == PIPELINE_STAGES


@dataclass
class PlannedStage:
    stage: Stage
    action: str  # "run" or "skip"
    why: str

    @property
    def redo(self) -> bool:
        """Run to redo finished work (not to finish or start it): pass the command's redo flag."""
        return self.action == "run" and self.why in REDO_REASONS


REDO_REASONS = {"selected", "an earlier stage ran", "recipe section changed"}


def stage_is_current(recipe: Recipe, section: str) -> tuple[bool, str]:
    out = recipe.stage_dir(section)
    stamp = read_json(out / STAMP)
    if stamp is None:
        return False, "no previous output"
    if stamp.get("status") != "ok":
        return False, f"previous run {stamp.get('status', 'unknown')}"
    if stamp.get("fingerprint") != recipe.section_fingerprint(section):
        return False, "recipe section changed"
    manifest = read_manifest(out)
    if manifest is not None and manifest.get("status") != "ok":
        return False, f"stage manifest says {manifest.get('status')}"
    return True, "output is current"


def plan(recipe: Recipe, *, from_stage: str | None = None, only: list[str] | None = None, force: bool = False) -> list[PlannedStage]:
    present = [s for s in PIPELINE_STAGES if getattr(recipe, s) is not None]
    if not present:
        raise DistillError(f"{recipe.source_file}: no stage sections; expected some of {', '.join(PIPELINE_STAGES)}")
    for name in [from_stage, *(only or [])]:
        if name is not None and name not in present:
            raise DistillError(f"stage '{name}' is not in this recipe; its stages: {', '.join(present)}")
    planned, rerun_rest = [], force
    for section in present:
        stage = STAGE_TABLE[section]
        if only is not None and section not in only:
            planned.append(PlannedStage(stage, "skip", "not selected (--only)"))
            continue
        if from_stage is not None and present.index(section) < present.index(from_stage):
            planned.append(PlannedStage(stage, "skip", f"before --from {from_stage}"))
            continue
        if from_stage == section or only is not None:
            planned.append(PlannedStage(stage, "run", "selected"))
            rerun_rest = True
            continue
        current, why = stage_is_current(recipe, section)
        if current and not rerun_rest:
            planned.append(PlannedStage(stage, "skip", why))
        else:
            planned.append(PlannedStage(stage, "run", why if not current else "an earlier stage ran"))
            rerun_rest = True
    return planned


def derived_recipe(recipe: Recipe, stage: Stage) -> dict:
    """The recipe as the stage's command should read it."""
    data = recipe.to_dict()
    if stage.as_section != stage.section:
        section = dict(data[stage.section])
        section["output_dir"] = str(recipe.stage_dir(stage.section))
        data[stage.as_section] = section
    return data


def run_stage(recipe: Recipe, stage: Stage, work_dir: Path, *, redo: bool = False) -> float:
    out = recipe.stage_dir(stage.section)
    out.mkdir(parents=True, exist_ok=True)
    recipe_path = work_dir / f"{stage.section}.yaml"
    recipe_path.write_text(yaml.safe_dump(derived_recipe(recipe, stage), sort_keys=False), encoding="utf-8")
    stamp = {"stage": stage.section, "fingerprint": recipe.section_fingerprint(stage.section), "started": now_iso()}
    write_json_atomic(out / STAMP, {**stamp, "status": "running"})
    command = [sys.executable, "-m", "distill", *stage.command, str(recipe_path)]
    if redo and stage.redo_flag:
        command.append(stage.redo_flag)
    print(f"\n=== {stage.section}: {' '.join(command[2:])}", flush=True)
    t0 = time.time()
    # The stage dies with this process: a killed `distill run` leaves no stage running on its own.
    result = subprocess.run(command, env={**os.environ, "PYTHONUNBUFFERED": "1"}, preexec_fn=child_preexec(os.getpid()))
    seconds = time.time() - t0
    status = "ok" if result.returncode == 0 else "failed"
    write_json_atomic(out / STAMP, {**stamp, "status": status, "ended": now_iso(), "wall_seconds": round(seconds, 1)})
    if result.returncode != 0:
        raise DistillError(
            f"stage '{stage.section}' failed (exit {result.returncode}) after {seconds:.0f} s; "
            f"earlier stages are kept, rerun `distill run` to continue from '{stage.section}'"
        )
    return seconds


def run_pipeline(recipe: Recipe, *, from_stage: str | None = None, only: list[str] | None = None, force: bool = False, dry_run: bool = False) -> list[tuple[str, str, float]]:
    stages = plan(recipe, from_stage=from_stage, only=only, force=force)
    for item in stages:
        print(f"{item.action:4} {item.stage.section:15} {item.why}")
    if dry_run:
        return [(p.stage.section, p.action, 0.0) for p in stages]
    work_dir = Path(recipe.output_dir) / "pipeline"
    summary = []
    with OutputLock(work_dir):  # one `distill run` per recipe output at a time
        for item in stages:
            seconds = run_stage(recipe, item.stage, work_dir, redo=item.redo) if item.action == "run" else 0.0
            summary.append((item.stage.section, "ran" if item.action == "run" else "skipped", seconds))
    return summary
