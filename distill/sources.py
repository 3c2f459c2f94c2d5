"""Prompt sources: where the problems come from, as prompt records.

    from distill.sources import SourceConfig, load_prompts
    prompts = load_prompts(SourceConfig(kind="files", name="data/problems.jsonl"), seed=0)
    # [{"id": ..., "problem": ..., "answer": ..., "domain": "math"}, ...]   (+ "tests" for code)

Three kinds of source, one record shape:
- `hf`: a Hugging Face dataset: a hub id, a directory written by `save_to_disk`, or a directory of
  data files (anything `datasets.load_dataset` reads), one `split` of it.
- `files`: local JSONL/Parquet files (a file or a directory of them); malformed rows are counted.
- `toy`: a built-in toy task (`distill.toy.tasks.make_problems`), generated from the seed.

A file in a published dataset's layout is read by its adapter (distill/formats/, docs/data.md):
`format` names it (`openr1_math`, `numina_math`, `gpqa`, `apps`, ...), or it is detected from the
columns when neither `format` nor `columns` is given. Otherwise a column mapping (`columns`) renames
the source's columns to ours. A missing column is a one-line error listing the columns that exist.
`domain_map` maps a dataset's domain names to ours (`{science: choice}`).
Ids come from the id column, else a stable hash of the problem text. Every row read is counted:
kept, or skipped as empty, duplicate, malformed (wrong type, unknown domain: with its reason) or
unverifiable (a proof, no answer); a source that yields no prompt at all is a one-line error.
`shuffle` (seeded) happens before `limit`, so a larger limit extends a smaller one.

Module level is standard library only: recipes import `SourceConfig` without loading `datasets`.
"""

from __future__ import annotations

import hashlib
import random
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from distill import formats
from distill.core.domains import DOMAINS
from distill.errors import DistillError
from distill.formats import Bad, Unverifiable, tests_layouts
from distill.formats.base import Empty, answer_text, type_name
from distill.formats.domains import check_map, resolve as resolve_domain


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
    # files/hf: the dataset's layout (distill/formats/, docs/data.md); None: detected from the columns
    # unless `columns` is given; "columns": the column mapping only.
    format: str | None = None
    domain_map: dict[str, str] = field(default_factory=dict)  # the dataset's domain names -> ours

    def __post_init__(self) -> None:
        if isinstance(self.columns, dict):  # SourceConfig(columns={"problem": "question"}) from Python
            self.columns = ColumnMap(**self.columns)
        if self.format not in (None, "columns"):
            formats.get(self.format, "prompt")
            if self.columns != ColumnMap():
                raise ValueError(
                    f"source.columns applies to format 'columns'; format {self.format!r} reads its own columns"
                )
        check_map(self.domain_map, "source")
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
    unverifiable: int = 0  # the reference answer cannot be checked (a proof, "notfound", no tests)
    dropped_by_limit: int = 0
    format: str = "columns"
    reasons: Counter = field(default_factory=Counter)  # malformed / unverifiable rows by reason
    first_bad: str = ""  # where the first skipped row is, and why

    def as_dict(self) -> dict:
        """Counts for the manifest (+ the reasons and the first skipped row where any)."""
        out: dict[str, Any] = {k: v for k, v in self.__dict__.items() if isinstance(v, int)}
        if self.reasons:
            out.update(reasons=dict(self.reasons), first_bad=self.first_bad)
        return out

    def skip(self, kind: str, where: str, reason: str) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        if kind != "empty":
            self.reasons[reason.split(" (", 1)[0][:120]] += 1
        self.first_bad = self.first_bad or f"{where}: {reason}"

    def line(self) -> str:
        """One line: what was read and where every row went."""
        skipped = [
            f"{n} {name}"
            for name in ("malformed", "unverifiable", "empty", "duplicate", "dropped_by_limit")
            if (n := getattr(self, name))
        ]
        why = "; ".join(f"{reason}: {n}" for reason, n in self.reasons.most_common(5))
        return (
            f"read {self.read} rows ({self.format}): {self.kept} prompts"
            + (f", skipped {', '.join(skipped)}" if skipped else "")
            + (f" [{why}]" if why else "")
        )


def load_prompts(source: SourceConfig, seed: int = 0) -> list[dict[str, Any]]:
    """The prompt records of a source: id, problem, answer, domain (+ tests where given)."""
    return load_prompts_with_stats(source, seed)[0]


def load_prompts_with_stats(source: SourceConfig, seed: int = 0) -> tuple[list[dict[str, Any]], SourceStats]:
    seed = source.seed if source.seed is not None else seed
    stats = SourceStats()
    if source.kind == "toy":
        rows: Iterable[tuple[str, dict]] = [(f"row {i}", r) for i, r in enumerate(_toy_rows(source, seed), start=1)]
        columns = ["id", "problem", "answer", "domain"]
        mapping = ColumnMap(problem="problem", answer="answer", id="id", domain="domain")
    elif source.kind == "hf":
        data, columns = _hf_rows(source)
        rows = ((f"row {i}", r) for i, r in enumerate(data, start=1))
        mapping = source.columns
    else:
        rows, columns = _file_rows(source, stats)
        mapping = source.columns
    fmt = None if source.kind == "toy" else pick_format(source, columns)
    if fmt is not None:
        stats.format = fmt.name
    elif columns or not stats.malformed:  # with no readable row, say why below rather than "no column"
        _check_columns(source, mapping, columns)
    prompts = _to_prompts(source, mapping, rows, stats, fmt)
    if source.shuffle:
        random.Random(seed).shuffle(prompts)
    if source.limit is not None and len(prompts) > source.limit:
        stats.dropped_by_limit = len(prompts) - source.limit
        prompts = prompts[: source.limit]
    stats.kept = len(prompts)
    _report(source, stats)
    return prompts, stats


def pick_format(source: SourceConfig, columns: list[str]) -> formats.Format | None:
    """The adapter for the source's rows, or None for the column mapping."""
    if source.format == "columns" or (source.format is None and source.columns != ColumnMap()):
        return None
    if source.format is None:
        fmt = formats.detect(columns, "prompt")
        return None if fmt is None or fmt.name in ("prompts", "trace") else fmt
    fmt = formats.get(source.format, "prompt")
    missing = [c for c in fmt.detect if c not in columns]
    if missing and columns:
        raise DistillError(
            f"source {source.name!r}: format {fmt.name} needs column(s) {', '.join(missing)}; "
            f"its columns are: {', '.join(columns)}"
        )
    return fmt


def _report(source: SourceConfig, stats: SourceStats) -> None:
    """Say on the console where skipped rows went; a source with no usable prompt is an error."""
    if stats.kept == 0 and source.limit != 0:
        where = f"; first: {stats.first_bad}" if stats.first_bad else ""
        raise DistillError(f"source {source.name!r}: no usable prompts: {stats.line()}{where}")
    if stats.read != stats.kept:
        print(
            f"distill: source {source.name!r}: {stats.line()}"
            + (f"; first: {stats.first_bad}" if stats.first_bad else ""),
            file=sys.stderr,
        )


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


def _to_prompts(
    source: SourceConfig,
    mapping: ColumnMap,
    rows: Iterable[tuple[str, dict]],
    stats: SourceStats,
    fmt: formats.Format | None = None,
) -> list[dict]:
    prompts: list[dict] = []
    seen: dict[str, str] = {}
    for where, row in rows:
        stats.read += 1
        try:
            record = (
                formats.prompt(fmt, row, source.domain_map, source.domain) if fmt else _mapped(source, mapping, row)
            )
        except Unverifiable as exc:
            stats.skip("unverifiable", where, str(exc))
            continue
        except Bad as exc:
            stats.skip("empty" if isinstance(exc, Empty) else "malformed", where, str(exc))
            continue
        problem = record["problem"]
        pid = record.get("id") or stable_id(problem)
        if pid in seen:
            if seen[pid] != problem:
                raise DistillError(f"source {source.name!r} {where}: id {pid!r} is used by two different problems")
            stats.duplicate += 1
            continue
        seen[pid] = problem
        out = {"id": pid, "problem": problem, "answer": record.get("answer", ""), "domain": record["domain"]}
        if record.get("tests"):
            out["tests"] = record["tests"]
        prompts.append(out)
    return prompts


def _mapped(source: SourceConfig, mapping: ColumnMap, row: dict) -> dict:
    """A prompt record through the column mapping; wrong types are Bad, never stringified."""
    problem = row.get(mapping.problem)
    if problem is None or (isinstance(problem, str) and not problem.strip()):
        raise Empty(f"column '{mapping.problem}' is empty")
    if not isinstance(problem, str):
        raise Bad(f"column '{mapping.problem}': expected a string, got {type_name(problem)}")
    record: dict[str, Any] = {
        "problem": problem,
        "answer": (answer_text(row, mapping.answer) or "") if mapping.answer else "",
    }
    ident = row.get(mapping.id) if mapping.id else None
    if ident is not None:
        if isinstance(ident, bool) or not isinstance(ident, (str, int)):
            raise Bad(f"column '{mapping.id}': expected a string or integer id, got {type_name(ident)}")
        record["id"] = str(ident)
    value = row.get(mapping.domain) if mapping.domain else None
    record["domain"] = resolve_domain(value if value else source.domain, source.domain_map)
    if mapping.tests and row.get(mapping.tests) is not None:
        record["tests"] = tests_layouts.any_layout(row[mapping.tests], mapping.tests)
    return record


def _toy_rows(source: SourceConfig, seed: int) -> list[dict]:
    from distill.toy.tasks import make_problems

    count = source.limit if source.limit is not None else 64
    return make_problems(source.name, source.split, count, seed=seed, difficulty=source.difficulty)


def _file_rows(source: SourceConfig, stats: SourceStats) -> tuple[list[tuple[str, dict]], list[str]]:
    from distill.records import read_rows

    rows, columns = [], {}
    for row in read_rows(source.name):
        if row.data is None:
            stats.read += 1
            stats.skip("malformed", f"{row.source}:{row.line}", row.error or "unreadable row")
            continue
        columns.update(dict.fromkeys(row.data))
        rows.append((f"{row.source}:{row.line}", row.data))
    if not stats.read and not rows:
        raise DistillError(f"source {source.name!r}: no rows (empty file)")
    return rows, list(columns)


def _hf_rows(source: SourceConfig):
    from pathlib import Path

    from distill.errors import require

    datasets = require("datasets", "core", "loading a Hugging Face dataset")
    path = Path(source.name)
    try:
        if path.is_dir() and any(
            (path / f).is_file() for f in ("dataset_dict.json", "dataset_info.json", "state.json")
        ):
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
