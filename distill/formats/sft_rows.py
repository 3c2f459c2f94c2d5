"""Rows -> conversations for `distill train-student`: every published layout, bad files in one line.

`conversations(dataset, column)` turns a loaded dataset into `messages` (+ `malformed`, the reason a
row could not be mapped; the tokenizer step counts it as rejected): the filter output and any
`messages` column as they are; ShareGPT, s1K, OpenR1-Math, NuminaMath, trace records through their
adapters (distill/formats/), multi-turn chats whole. `read_jsonl(files)` reads JSONL through
distill.records, so a truncated line or a non-UTF-8 byte is a counted, reasoned row, not an Arrow
traceback, and an empty file is one line. `check_dataset` is what `--plan` runs: the dataset
exists, has rows, and its first rows map to conversations.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from distill import formats
from distill.errors import DistillError
from distill.formats import Bad

WHERE = "train_student.dataset"


def _features():
    import datasets

    turn = {"role": datasets.Value("string"), "content": datasets.Value("string")}
    return datasets.Features({"messages": [turn], "malformed": datasets.Value("string")})


def pick(columns: Iterable[str], column: str = "messages") -> formats.Format | None:
    """The conversation format of a dataset with these columns; None: use `column` as it is."""
    columns = list(columns)
    fmt = formats.detect(columns, "conversation")
    if column in columns and (fmt is None or fmt.name in ("chat", "numina_math")):
        return None  # a `messages` column (filter output, TRL chats, NuminaMath-CoT's): read as is
    return fmt


def _one(fmt: formats.Format, row: dict) -> dict[str, Any]:
    try:
        return {"messages": formats.conversation(fmt, row), "malformed": ""}
    except Bad as exc:
        return {"messages": [], "malformed": f"malformed: {fmt.name}: {exc}"}


def conversations(dataset: Any, column: str = "messages") -> Any:
    names = dataset.column_names
    if "malformed" in names and "messages" in names:
        return dataset  # read_jsonl already mapped it
    fmt = pick(names, column)
    if fmt is None:
        if column not in names:
            raise DistillError(
                f"{WHERE}: no '{column}' column and no known layout "
                f"(formats: {', '.join(formats.names('conversation'))}); "
                f"columns: {', '.join(names)}"
            )
        keep = dataset.select_columns([column])
        return keep.rename_column(column, "messages") if column != "messages" else keep
    return dataset.map(
        lambda row: _one(fmt, row), remove_columns=names, features=_features(), desc=f"{fmt.name} rows -> messages"
    )


def read_jsonl(files: list[Path], column: str = "messages") -> Any:
    """A Dataset of messages + malformed from JSONL files; every line accounted for."""
    import datasets

    from distill.records import read_rows

    out: list[dict[str, Any]] = []
    fmt, read = None, 0
    for file in files:
        for row in read_rows(file):
            read += 1
            if row.data is None:
                out.append({"messages": [], "malformed": f"malformed: {row.source}:{row.line}: {row.error}"})
                continue
            if fmt is None:
                fmt = pick(row.data, column) or _chat_column(column)
            out.append(_one(fmt, row.data))
    if not read:
        raise DistillError(f"{WHERE}: {', '.join(map(str, files))}: no rows (empty file)")
    if all(r["malformed"] for r in out):
        raise DistillError(
            f"{WHERE}: none of {read} rows is a conversation; first: {out[0]['malformed'].removeprefix('malformed: ')}"
        )
    return datasets.Dataset.from_list(out, features=_features())


def _chat_column(column: str) -> formats.Format:
    chat = formats.FORMATS["chat"]
    if column == "messages":
        return chat
    # a conversational column under another name
    return formats.Format(
        f"chat[{column}]",
        chat.datasets,
        (column,),
        conversation=lambda row: formats.conversation(chat, {"messages": row[column]} if column in row else {}),
    )


def check_dataset(spec: str, column: str = "messages", sample: int = 100) -> str:
    """One line on what train-student will read; DistillError when it is missing, empty or unusable."""
    from distill.records import list_row_files, read_rows

    path = Path(spec).expanduser()
    if not path.exists():
        if (
            path.is_absolute()
            or spec.startswith(".")
            or spec.endswith((".jsonl", ".json", ".parquet"))
            or spec.count("/") != 1
        ):
            raise DistillError(f"{WHERE}: {spec} not found; run `distill filter` first or set {WHERE}")
        return f"dataset: {spec} (a hub id: checked when loaded)"
    if path.is_dir() and ((path / "state.json").is_file() or (path / "dataset_dict.json").is_file()):
        return f"dataset: {spec} (save_to_disk output)"
    files = list_row_files(path)
    rows = []
    for file in files:
        for row in read_rows(file):
            rows.append(row)
            if len(rows) >= sample:
                break
        if len(rows) >= sample:
            break
    if not rows:
        raise DistillError(f"{WHERE}: {spec} has no rows")
    good = [r for r in rows if r.data is not None]
    if not good:
        raise DistillError(f"{WHERE}: {rows[0].source}:{rows[0].line}: {rows[0].error}")
    fmt = pick(good[0].data or {}, column) or _chat_column(column)
    errors = []
    for row in good:
        try:
            formats.conversation(fmt, row.data or {})
        except Bad as exc:
            errors.append(f"{row.source}:{row.line}: {exc}")
    if len(errors) == len(good):
        raise DistillError(
            f"{WHERE}: none of the first {len(good)} rows is a conversation ({fmt.name}); first: {errors[0]}"
        )
    bad = len(rows) - len(good) + len(errors)
    return f"dataset: {spec} ({fmt.name}; {len(rows) - bad} of the first {len(rows)} rows are conversations)"
