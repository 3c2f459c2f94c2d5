"""Reading what a report shows: eval results, response lengths, the filter funnel, training logs.

Everything but the eval results is optional and read defensively: a funnel or trainer log in an
unexpected shape is noted in the report, never a crash.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from distill.errors import DistillError
from distill.evaluate.results import SAMPLES, load_results, result_dirs


@dataclass
class ModelResult:
    name: str
    path: Path
    results: dict[str, Any]
    # {task: [response length per sample]}, tokens when counted, else characters
    lengths: dict[str, list[int]] = field(default_factory=dict)
    length_unit: str = "tokens"


def load_model_results(named: dict[str, str]) -> list[ModelResult]:
    """{name: dir}: a model result dir, or a run dir with one subdir per model (named NAME/model).
    A name equal to its path means "unnamed": rows are then named after the evaluated models."""
    out = []
    for name, path in named.items():
        dirs = result_dirs(path)
        for directory in dirs:
            results = load_results(directory)
            model = str(results.get("model") or directory.name)
            if name == path:
                label = model
            else:
                label = name if len(dirs) == 1 else f"{name}/{model}"
            entry = ModelResult(label, directory, results)
            entry.lengths, entry.length_unit = response_lengths(directory)
            out.append(entry)
    if not out:
        raise DistillError("no eval results to report")
    return out


def response_lengths(directory: Path) -> tuple[dict[str, list[int]], str]:
    by_task: dict[str, list[int]] = {}
    file = directory / SAMPLES
    if not file.is_file():
        return {}, "tokens"
    rows = [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]
    unit = "tokens" if rows and all(r.get("completion_tokens") is not None for r in rows) else "chars"
    for row in rows:
        value = row.get("completion_tokens") if unit == "tokens" else row.get("completion_chars")
        if isinstance(value, int):
            by_task.setdefault(row.get("task", "?"), []).append(value)
    return by_task, unit


def _first(data: dict, keys: tuple[str, ...]) -> Any:
    for key in keys:
        if isinstance(data.get(key), (int, float)):
            return data[key]
    return None


def load_funnel(path: str | Path | None) -> dict[str, Any] | None:
    """The filter funnel as {"read", "kept", "rejected": {reason: n}, "malformed", "note"}.

    The filter stage owns funnel.json; accept a dir or the file, common key spellings, and rejected
    counts as a mapping or as a list of {reason, count}."""
    if not path:
        return None
    file = Path(path) / "funnel.json" if Path(path).is_dir() else Path(path)
    if not file.is_file():
        return {"note": f"no funnel.json at {file}"}
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        return {"note": f"{file}: unreadable ({exc})"}
    if not isinstance(data, dict):
        return {"note": f"{file}: expected a JSON object"}
    raw_counts = data.get("counts")
    counts = raw_counts if isinstance(raw_counts, dict) else data
    rejected_raw: Any = next(
        (
            counts[k]
            for k in ("rejected", "rejected_by_reason", "reject_reasons", "reasons")
            if isinstance(counts.get(k), (dict, list))
        ),
        {},
    )
    rejected: dict[str, int] = {}
    if isinstance(rejected_raw, dict):
        for reason, value in rejected_raw.items():
            if isinstance(value, dict):  # {reason: {"count": n, ...}}
                value = _first(value, ("count", "n", "rows"))
            if isinstance(value, (int, float)):
                rejected[str(reason)] = int(value)
    else:
        for item in rejected_raw:
            if isinstance(item, dict) and (reason := item.get("reason") or item.get("name")):
                value = _first(item, ("count", "n", "rows"))
                if value is not None:
                    rejected[str(reason)] = int(value)
    funnel = {
        "read": _first(counts, ("read", "rows_in", "in", "input", "total", "rows")),
        "kept": _first(counts, ("kept", "rows_out", "out", "output", "selected")),
        "malformed": _first(counts, ("malformed", "quarantined")),
        "rejected": rejected,
        "source": str(file),
    }
    if funnel["read"] is None and funnel["kept"] is None and not rejected:
        funnel["note"] = f"{file}: no counts found in a shape this report knows"
    return funnel


def find_trainer_state(path: str | Path) -> Path | None:
    """trainer_state.json in a train output dir, or in its latest checkpoint-N."""
    path = Path(path)
    if path.is_file():
        return path
    if (path / "trainer_state.json").is_file():
        return path / "trainer_state.json"
    checkpoints = sorted(
        path.glob("checkpoint-*/trainer_state.json"),
        key=lambda p: int(p.parent.name.split("-")[-1]) if p.parent.name.split("-")[-1].isdigit() else -1,
    )
    return checkpoints[-1] if checkpoints else None


def _history(path: str | Path) -> list[dict]:
    """Logged steps of a training run: `metrics.jsonl` (distill's GRPO stages write one line per
    logging step) if present, else TRL's `trainer_state.json` `log_history`."""
    metrics = Path(path) / "metrics.jsonl"
    if metrics.is_file():
        rows = []
        for line in metrics.read_text(encoding="utf-8").splitlines():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line cut by a crash; the rest of the curve still stands
        return rows
    state_file = find_trainer_state(path)
    if state_file is None:
        return []
    try:
        history = json.loads(state_file.read_text(encoding="utf-8")).get("log_history", [])
    except (OSError, json.JSONDecodeError, AttributeError):
        return []
    return history if isinstance(history, list) else []


TRAINING_SERIES = ("loss", "eval_loss", "completions/mean_length")


def load_training(named: dict[str, str]) -> dict[str, dict[str, list[tuple[float, float]]]]:
    """{run: {series: [(step, value)]}}: loss, reward-like series (not their std) and GRPO's mean
    completion length (R1-Zero's telling curve: it grows as the policy learns to reason longer)."""
    curves = {}
    for name, path in named.items():
        series: dict[str, list[tuple[float, float]]] = {}
        for entry in _history(path):
            if not isinstance(entry, dict) or not isinstance(entry.get("step"), (int, float)):
                continue
            for key, value in entry.items():
                if (key in TRAINING_SERIES or "reward" in key) and isinstance(value, (int, float)) and "std" not in key:
                    series.setdefault(key, []).append((float(entry["step"]), float(value)))
        if series:
            curves[name] = series
    return curves
