"""Prompt sources: where the problems come from, as prompt records.

    from distill.sources import SourceConfig, load_prompts
    prompts = load_prompts(SourceConfig(kind="files", name="data/problems.jsonl"), seed=0)
    # [{"id": ..., "problem": ..., "answer": ..., "domain": "math"}, ...]   (+ "tests" for code)

Three kinds of source, one record shape:
- `hf`: a Hugging Face dataset: a hub id, a directory written by `save_to_disk`, or a directory of
  data files (anything `datasets.load_dataset` reads), one `split` of it.
- `files`: local JSONL/Parquet files (a file or a directory of them); malformed rows are counted.
- `toy`: a built-in toy task (`distill.toy.tasks.make_problems`), generated from the seed.

A column mapping (`columns`) renames the source's columns to ours. A missing column is a one-line
error listing the columns that exist. Ids come from the id column, else a stable hash of the
problem text. Empty problems are skipped and counted; so are exact duplicates.
`shuffle` (seeded) happens before `limit`, so a larger limit extends a smaller one.

Module level is standard library only: recipes import `SourceConfig` without loading `datasets`.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from typing import Any, Iterable, Literal

from distill.errors import DistillError

DOMAINS = ("math", "choice", "code", "general")


@dataclass
class ColumnMap:
    """Which source column holds each field; None means the source has no such column."""

    problem: str = "problem"
    answer: str | None = "answer"
    id: str | None = None
    domain: str | None = None
    tests: str | None = None


@dataclass
class SourceConfig:
    kind: Literal["toy", "hf", "files"] = "toy"
    # toy: task name; hf: hub id or local dataset directory; files: a JSONL/Parquet file or directory.
    name: str = ""
    subset: str | None = None  # hf: dataset config name (e.g. "main" for gsm8k)
    split: str = "train"  # hf and toy; a `files` source is one split
    columns: ColumnMap = field(default_factory=ColumnMap)
    domain: str = "math"  # used when there is no domain column
    limit: int | None = None  # keep the first `limit` prompts (after shuffling); toy: how many to make
    shuffle: bool = False
    seed: int | None = None  # shuffle / toy seed; None: the recipe seed
    difficulty: int = 1  # toy only

    def __post_init__(self) -> None:
        if isinstance(self.columns, dict):  # SourceConfig(columns={"problem": "question"}) from Python
            self.columns = ColumnMap(**self.columns)
        if not self.name:
            raise ValueError("source.name is required: a toy task, a dataset id/directory or a file path")
        if self.domain not in DOMAINS:
            raise ValueError(f"source.domain must be one of {', '.join(DOMAINS)}, got {self.domain!r}")
        if self.limit is not None and self.limit < 0:
            raise ValueError(f"source.limit must be >= 0, got {self.limit}")
        from distill import ranges

        ranges.seed("source.seed", self.seed)
        if self.kind == "toy":  # a task name (files and hf take a path or hub id here)
            ranges.name("source.name", self.name)

    def identity(self) -> dict[str, Any]:
        """What decides which prompts a run sees, minus `limit` (growing the limit extends a run)."""
        from distill.config import to_dict

        data = to_dict(self)
        data.pop("limit")
        return data


@dataclass
class SourceStats:
    read: int = 0
    kept: int = 0
    empty: int = 0  # problem missing or blank: skipped
    duplicate: int = 0  # same id and same problem as an earlier row: skipped
    malformed: int = 0  # unreadable row in a file: skipped
    dropped_by_limit: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def load_prompts(source: SourceConfig, seed: int = 0) -> list[dict[str, Any]]:
    """The prompt records of a source: id, problem, answer, domain (+ tests where given)."""
    return load_prompts_with_stats(source, seed)[0]


def load_prompts_with_stats(source: SourceConfig, seed: int = 0) -> tuple[list[dict[str, Any]], SourceStats]:
    seed = source.seed if source.seed is not None else seed
    stats = SourceStats()
    if source.kind == "toy":
        rows, columns = _toy_rows(source, seed), ["id", "problem", "answer", "domain"]
        mapping = ColumnMap(problem="problem", answer="answer", id="id", domain="domain")
    elif source.kind == "hf":
        rows, columns = _hf_rows(source)
        mapping = source.columns
    else:
        rows, columns = _file_rows(source, stats)
        mapping = source.columns
    _check_columns(source, mapping, columns)
    prompts = _to_prompts(source, mapping, rows, stats)
    if source.shuffle:
        random.Random(seed).shuffle(prompts)
    if source.limit is not None and len(prompts) > source.limit:
        stats.dropped_by_limit = len(prompts) - source.limit
        prompts = prompts[: source.limit]
    stats.kept = len(prompts)
    return prompts, stats


def stable_id(problem: str) -> str:
    """Id of a problem without an id column: a hash of its text, the same on every machine."""
    return "p-" + hashlib.sha256(problem.encode("utf-8")).hexdigest()[:16]


def _check_columns(source: SourceConfig, mapping: ColumnMap, columns: list[str]) -> None:
    wanted = {key: getattr(mapping, key) for key in ("problem", "answer", "id", "domain", "tests")}
    for key, column in wanted.items():
        if column is not None and column not in columns:
            raise DistillError(
                f"source {source.name!r}: no column {column!r} (columns.{key}); "
                f"its columns are: {', '.join(columns) or '(none)'}"
            )


def _to_prompts(source: SourceConfig, mapping: ColumnMap, rows: Iterable[dict], stats: SourceStats) -> list[dict]:
    prompts: list[dict] = []
    seen: dict[str, str] = {}
    for number, row in enumerate(rows, start=1):
        stats.read += 1
        problem = row.get(mapping.problem)
        if problem is None or not str(problem).strip():
            stats.empty += 1
            continue
        problem = str(problem)
        pid = str(row[mapping.id]) if mapping.id and row.get(mapping.id) is not None else stable_id(problem)
        if pid in seen:
            if seen[pid] != problem:
                raise DistillError(f"source {source.name!r} row {number}: id {pid!r} is used by two different problems")
            stats.duplicate += 1
            continue
        seen[pid] = problem
        record = {"id": pid, "problem": problem, "answer": _answer(row, mapping), "domain": _domain(source, mapping, row, number)}
        if mapping.tests and row.get(mapping.tests) is not None:
            record["tests"] = _tests(source, row[mapping.tests], number)
        prompts.append(record)
    return prompts


def _answer(row: dict, mapping: ColumnMap) -> str:
    if not mapping.answer or row.get(mapping.answer) is None:
        return ""
    return str(row[mapping.answer])


def _domain(source: SourceConfig, mapping: ColumnMap, row: dict, number: int) -> str:
    value = row.get(mapping.domain) if mapping.domain else None
    domain = str(value) if value else source.domain
    if domain not in DOMAINS:
        raise DistillError(f"source {source.name!r} row {number}: domain {domain!r} is not one of {', '.join(DOMAINS)}")
    return domain


def _tests(source: SourceConfig, value: Any, number: int) -> list[dict]:
    # Datasets often store test cases as a JSON string; accept that or a list of {input, output}.
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise DistillError(f"source {source.name!r} row {number}: tests column is not JSON") from None
    if isinstance(value, dict) and "input" in value and isinstance(value["input"], list):
        value = [{"input": i, "output": o} for i, o in zip(value["input"], value.get("output", []))]
    if not isinstance(value, list) or not all(isinstance(t, dict) and "input" in t and "output" in t for t in value):
        raise DistillError(f"source {source.name!r} row {number}: tests must be a list of {{input, output}}")
    return [{"input": str(t["input"]), "output": str(t["output"])} for t in value]


def _toy_rows(source: SourceConfig, seed: int) -> list[dict]:
    from distill.toy.tasks import make_problems

    count = source.limit if source.limit is not None else 64
    return make_problems(source.name, source.split, count, seed=seed, difficulty=source.difficulty)


def _file_rows(source: SourceConfig, stats: SourceStats) -> tuple[list[dict], list[str]]:
    from distill.records import read_rows

    rows, columns = [], {}
    for row in read_rows(source.name):
        if row.data is None:
            stats.read += 1
            stats.malformed += 1
            continue
        columns.update(dict.fromkeys(row.data))
        rows.append(row.data)
    return rows, list(columns)


def _hf_rows(source: SourceConfig):
    from pathlib import Path

    from distill.errors import require

    datasets = require("datasets", "core", "loading a Hugging Face dataset")
    path = Path(source.name)
    try:
        if path.is_dir() and any((path / f).is_file() for f in ("dataset_dict.json", "dataset_info.json", "state.json")):
            data = datasets.load_from_disk(str(path))
            if isinstance(data, datasets.DatasetDict):
                if source.split not in data:
                    raise DistillError(f"source {source.name!r}: no split {source.split!r}; splits: {', '.join(data)}")
                data = data[source.split]
        else:
            data = datasets.load_dataset(source.name, source.subset, split=source.split)
    except DistillError:
        raise
    except Exception as exc:  # datasets raises many types (missing hub id, bad split, offline)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DistillError(f"source {source.name!r} split {source.split!r}: cannot load dataset: {first}") from None
    return data, list(data.column_names)
