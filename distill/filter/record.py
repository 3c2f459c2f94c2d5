"""Turn input rows into trace records (shared/DESIGN.md), or say why a row is malformed.

Two steps. `expand` (in the parent, as rows are read) picks the source's format (distill/formats/:
named in the recipe, else detected from the first row) and, for a `trace` source, passes the rows on
as read (JSONL lines unparsed: the workers parse them). It turns each row of a published layout
into the traces it holds: an OpenR1-Math row with three generations gives three traces, each with
its finish reason and the dataset's own verdicts as `meta`; a ShareGPT row gives one, its thought
markers turned into `<think>`. A trace the adapter cannot map becomes a malformed row with the
adapter's reason. `normalize` (in the workers) checks one trace record field by field: rows in
distill's own layout (`trace`) may name their columns differently (`columns`: trace field -> its
column) and lack fields (`defaults`); a chat in `messages` form is read as its last user turn and
assistant answer (earlier turns and a system prompt are kept as `context`). Fields a record can live
without get derived values: id from the source and line (and sample), prompt_id from the problem
text. Anything else missing or of the wrong type makes the row malformed: it goes to the quarantine
with its reason, never stringified.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any

from distill import formats
from distill.core.trace import STR_FIELDS, TRACE_FIELDS
from distill.filter.config import TraceSourceConfig
from distill.formats import Bad, chat, tests_layouts
from distill.formats.domains import resolve as resolve_domain
from distill.records import Row, parsed


def problem_key(problem: str) -> str:
    return hashlib.sha1(problem.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def source_format(source: TraceSourceConfig, columns: Iterable[str]) -> formats.Format:
    """The format a source is read in: the recipe's, else detected (a column mapping means `trace`)."""
    if source.format:
        return formats.get(source.format, "traces")
    if source.columns or source.defaults:
        return formats.FORMATS["trace"]
    return formats.detect(columns, "traces") or formats.FORMATS["trace"]


def expand(source: TraceSourceConfig, name: str, rows: Iterable[Row], log=None) -> Iterator[Row]:
    """Every trace the rows hold, as Rows of trace records (or malformed Rows with the reason)."""
    rows = iter(rows)
    fmt, n_rows, n_traces = None, 0, 0
    for row in rows:
        row = parsed(row)  # a lazily read line (read_rows(lazy=True)): the format is read from its data
        n_rows += 1
        if row.data is None:
            n_traces += 1
            yield row
            continue
        if fmt is None:
            fmt = source_format(source, row.data)
            if fmt.name == "trace":  # distill's own records: checked by normalize, passed on untouched
                yield row
                yield from rows  # lazily read lines stay unparsed: the workers parse them, in parallel
                return
        items = formats.traces(fmt, row.data, source.domain_map)
        for i, item in enumerate(items):
            n_traces += 1
            if isinstance(item, Bad):
                raw = json.dumps(row.data, ensure_ascii=False, default=str)
                yield Row(
                    row.source, row.line, None, f"{fmt.name}: {item}" + (f" (trace {i})" if len(items) > 1 else ""), raw
                )
            else:
                item.setdefault("id", f"{name}:{row.line}:{item.get('sample_index', 0)}")
                yield Row(row.source, row.line, item)
    if fmt is not None:
        print(
            f"distill filter: source {name!r}: {n_rows} rows in format {fmt.name} hold {n_traces} traces",
            file=log or sys.stderr,
        )


def normalize(
    data: dict[str, Any], source: TraceSourceConfig, source_name: str, line: int
) -> tuple[dict[str, Any] | None, str | None]:
    """(record, None) or (None, reason)."""
    rec: dict[str, Any] = {}
    for name in (*TRACE_FIELDS, "meta", "context"):
        column = source.columns.get(name, name)
        value = data.get(column)
        if value is None:
            value = source.defaults.get(name)
        rec[name] = value
    messages = rec.pop("messages")
    if rec["finish_reason"] == "error" or data.get("error"):  # generate's failed-sample record
        return None, f"generation error record: {str(data.get('error') or 'unknown error')[:200]}"
    if isinstance(rec["answer"], (int, float)) and not isinstance(rec["answer"], bool):
        rec["answer"] = str(rec["answer"])  # numeric answers in JSON (42) are read as their text
    if (rec["problem"] is None or rec["completion"] is None) and messages is not None:
        try:
            mapped = chat.trace(chat.turns(messages, source.columns.get("messages", "messages")), "messages")
        except Bad as exc:
            return None, str(exc)
        rec["problem"] = rec["problem"] if rec["problem"] is not None else mapped["problem"]
        rec["completion"] = rec["completion"] if rec["completion"] is not None else mapped["completion"]
        rec["context"] = rec["context"] or mapped.get("context")
    for name in ("problem", "completion", "domain"):
        if rec[name] is None:
            column = source.columns.get(name, name)
            return None, f"missing field '{column}'" + (f" (trace field '{name}')" if column != name else "")
    for name in STR_FIELDS:
        if rec[name] is not None and not isinstance(rec[name], str):
            return None, f"field '{source.columns.get(name, name)}': expected a string, got {type(rec[name]).__name__}"
    try:
        rec["domain"] = resolve_domain(rec["domain"], source.domain_map)
    except Bad as exc:
        return None, f"field '{source.columns.get('domain', 'domain')}': {exc}"
    if rec["answer"] is None:
        if rec["domain"] != "general":
            return None, f"missing field '{source.columns.get('answer', 'answer')}' (needed for domain {rec['domain']})"
        rec["answer"] = ""
    for name in ("completion_tokens", "sample_index"):
        value = rec[name]
        if isinstance(value, str) and value.isdigit():  # defaults are strings
            value = rec[name] = int(value)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            return None, f"field '{source.columns.get(name, name)}': expected a non-negative integer, got {value!r}"
    if rec["tests"] is not None:
        try:
            rec["tests"] = tests_layouts.any_layout(rec["tests"], source.columns.get("tests", "tests"))
        except Bad as exc:
            return None, f"field 'tests': {exc}"
    if not isinstance(rec["meta"], dict) or not rec["meta"]:
        rec["meta"] = None  # metadata an adapter kept (the dataset's own verdicts); nothing else
    if rec["context"] is not None:
        try:
            rec["context"] = chat.turns(rec["context"], "context") or None
        except Bad as exc:
            return None, f"field 'context': {exc}"
    for name in ("problem", "completion"):
        if rec[name].isascii():  # a flag, no scan: ASCII holds no surrogate (encoding it only copied it)
            continue
        try:
            rec[name].encode("utf-8")
        except UnicodeEncodeError:
            return None, f"field '{name}': bad encoding (lone surrogate)"
    if rec["prompt_id"] is None:
        rec["prompt_id"] = problem_key(rec["problem"])
    if rec["sample_index"] is None:
        rec["sample_index"] = 0
    if rec["id"] is None:
        rec["id"] = f"{source_name}:{line}"
    rec["teacher"] = rec["teacher"] or "unknown"
    rec["finish_reason"] = rec["finish_reason"] or "unknown"
    rec["source"] = source_name
    return rec, None
