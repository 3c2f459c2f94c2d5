"""The output dataset's shape: conversational rows (`messages`) plus metadata, as Arrow tables.

writer.py writes them as Parquet shards under `data/`: temporary names first, renamed
`train-00000-of-00003.parquet` at the end (the count is known only then), the layout
`datasets.load_dataset("parquet", data_dir=...)` and the Hub expect.
"""

from __future__ import annotations

import pyarrow as pa

SCHEMA = pa.schema(
    [
        ("messages", pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))),
        ("id", pa.string()),
        ("prompt_id", pa.string()),
        ("domain", pa.string()),
        ("source", pa.string()),
        ("answer", pa.string()),
        ("completion_tokens", pa.int64()),
        ("teacher", pa.string()),
        ("meta", pa.string()),  # JSON: what the input's format kept per trace (OpenR1's own verdicts, ...)
    ]
)


def conversations(kept: pa.Table, assistants: list[str]) -> pa.Table:
    """The output rows for spooled records `kept`: messages (user problem, assistant turn) + metadata.
    A record with a `context` (a chat's system prompt and earlier turns) gets them in front, whole."""
    n = kept.num_rows
    contexts = kept.column("context").to_pylist() if "context" in kept.column_names else [None] * n
    if any(contexts):
        return _with_context(kept, assistants, contexts)
    contents = [text for pair in zip(kept.column("problem").to_pylist(), assistants) for text in pair]
    turns = pa.StructArray.from_arrays(
        [pa.array(["user", "assistant"] * n, pa.string()), pa.array(contents, pa.string())],
        fields=list(SCHEMA.field("messages").type.value_type),
    )
    messages = pa.ListArray.from_arrays(pa.array(range(0, 2 * n + 1, 2), pa.int32()), turns)
    columns = [messages] + [kept.column(name) for name in SCHEMA.names[1:]]
    return pa.Table.from_arrays(columns, schema=SCHEMA)


def _with_context(kept: pa.Table, assistants: list[str], contexts: list[str | None]) -> pa.Table:
    import json

    roles, contents, offsets = [], [], [0]
    for context, problem, answer in zip(contexts, kept.column("problem").to_pylist(), assistants):
        turns = (json.loads(context) if context else []) + [
            {"role": "user", "content": problem},
            {"role": "assistant", "content": answer},
        ]
        roles += [t["role"] for t in turns]
        contents += [t["content"] for t in turns]
        offsets.append(offsets[-1] + len(turns))
    turns = pa.StructArray.from_arrays(
        [pa.array(roles, pa.string()), pa.array(contents, pa.string())],
        fields=list(SCHEMA.field("messages").type.value_type),
    )
    messages = pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), turns)
    columns = [messages] + [kept.column(name) for name in SCHEMA.names[1:]]
    return pa.Table.from_arrays(columns, schema=SCHEMA)
