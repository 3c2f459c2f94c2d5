"""The compute each reported model cost, read from the manifests of the stages that made it, so
accuracy per unit of compute can be read off the report, not only accuracy.

    report:
      compute:                      # row name (as in `results`) -> the stage output dirs it cost
        student_distilled: [runs/toy/generate, runs/toy/train_student]
        student_rl_baseline: [runs/toy/train_baseline]

Per stage, from its manifest.json: generated tokens (a `distill generate` run's completion_tokens,
a GRPO or on-policy run's generated_tokens), training tokens (tokens through a trainer's forward and
backward: `train_tokens`, written by SFT, GRPO and on-policy runs) and the stage's wall time. A
figure a manifest does not hold is shown as unknown, and a row's total then as a lower bound.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from distill.manifest import MANIFEST, read_json


@dataclass
class StageCompute:
    path: str
    stage: str = "?"
    generated_tokens: int | None = None
    train_tokens: int | None = None
    wall_seconds: float | None = None
    note: str = ""


@dataclass
class RowCompute:
    name: str
    stages: list[StageCompute] = field(default_factory=list)

    def total(self, key: str) -> tuple[float | None, bool]:
        """(sum of the known values, whether every stage knew it)."""
        values = [getattr(s, key) for s in self.stages]
        known = [v for v in values if v is not None]
        return (sum(known) if known else None), len(known) == len(values)


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def stage_compute(path: str | Path) -> StageCompute:
    directory = Path(path)
    is_file = directory.suffix == ".json"
    manifest = read_json(directory if is_file else directory / MANIFEST)
    # Named by its directory (the pipeline section: warmup_student, train_on_policy, ...), since a
    # section run through another stage's command records that command's stage name.
    label = (directory.parent if is_file else directory).name or str(path)
    if manifest is None:
        return StageCompute(str(path), label, note=f"no manifest at {path}")
    raw_counts = manifest.get("counts")
    counts = raw_counts if isinstance(raw_counts, dict) else {}
    nested = [section for k in ("training", "train") if isinstance(section := manifest.get(k), dict)]
    generated = _int(counts.get("generated_tokens"))
    if generated is None:
        generated = _int(counts.get("completion_tokens"))
    train = _int(counts.get("train_tokens"))
    for part in nested:
        train = train if train is not None else _int(part.get("train_tokens"))
    stage = str(manifest.get("command") or manifest.get("stage", "?"))  # a named stage's manifest names its command
    if stage == "generate" and train is None:
        train = 0  # sampling only
    if generated is None and stage in ("train-student", "train_student", "warmup_student", "warmup_teacher"):
        generated = 0  # SFT samples nothing
    note = "" if manifest.get("status") == "ok" else f"status {manifest.get('status')}"
    return StageCompute(str(path), label, generated, train, _float(manifest.get("wall_seconds")), note)


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def load_compute(named: dict[str, list[str]]) -> list[RowCompute]:
    return [RowCompute(name, [stage_compute(p) for p in paths]) for name, paths in named.items()]


def _count(value: float | None, complete: bool) -> str:
    if value is None:
        return "–"
    text = f"{value / 1e6:.2f}M" if value >= 1e6 else f"{int(value):,}"
    return text if complete else f"≥ {text}"


def _seconds(value: float | None, complete: bool) -> str:
    if value is None:
        return "–"
    text = f"{value / 3600:.2f} h" if value >= 3600 else f"{value:.0f} s"
    return text if complete else f"≥ {text}"


def compute_rows(
    rows: list[RowCompute], accuracy: dict[str, list[str]], tasks: list[str]
) -> tuple[list[str], list[list[str]]]:
    """The table: model, pass@1 per task, then the compute totals and the stages they sum."""
    header = ["model", *[f"{t} pass@1" for t in tasks], "generated tokens", "training tokens", "wall time", "stages"]
    table = []
    for row in rows:
        cells = [row.name, *accuracy.get(row.name, ["–"] * len(tasks))]
        cells.append(_count(*row.total("generated_tokens")))
        cells.append(_count(*row.total("train_tokens")))
        cells.append(_seconds(*row.total("wall_seconds")))
        cells.append(", ".join(s.stage + (f" [{s.note}]" if s.note else "") for s in row.stages) or "–")
        table.append(cells)
    return header, table
