"""SFT data: load conversations, render them with the checked chat template, build the labels.

Input is the `distill filter` output (Parquet under `<filter dir>/data/`, a `messages` column) or any
conversational dataset: a directory (Parquet/JSONL files or `save_to_disk` output), a single JSONL/
Parquet file, or a hub id. Trace records (`problem` + `completion`) become a user/assistant pair.

Labels are built here, not inside TRL, for two reasons that both decide whether a student stops:
- a trace longer than `max_length` is dropped, never truncated (a truncated trace has no EOS);
- every kept example is checked to end its labels on the stop token.
Labels come from where each assistant turn lies in the rendered conversation (labels.py): every
assistant turn's reasoning, answer and stop token carry loss; the prompt, the system prompt and the
template scaffolding (role headers, BOS, a generation-prompt prefill) do not. TRL then
packs the tokenized rows (`packing=True`) and its padding-free collator resets position_ids per row.

Every row read is accounted for: kept, or rejected with a reason (written to `rejected.jsonl`).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from distill.errors import DistillError
from distill.train.sft.labels import IGNORE  # noqa: E402,F401  (re-exported)

if TYPE_CHECKING:  # the recipe module imports every stage's config: only the type checker needs it here
    from distill.recipe import Recipe


def resolve_dataset(spec: str, recipe: Recipe, name: str = "train_student") -> str:
    """The recipe's dataset, or the output of the last filter stage before stage `name` when none is given."""
    from distill.stage_contract import default_input

    return spec or str(Path(default_input(recipe, name, "train-student", "dataset")) / "data")


def _looks_local(spec: str) -> bool:
    return spec.startswith((".", "/", "~")) or spec.count("/") != 1 or spec.endswith((".jsonl", ".json", ".parquet"))


def check_dataset_exists(spec: str) -> None:
    """Fail before training when a local dataset path is missing (hub ids are checked when loaded)."""
    path = Path(spec).expanduser()
    if path.exists():
        if path.is_dir() and not any(path.iterdir()):
            raise DistillError(f"train_student.dataset: {spec} is an empty directory")
        shards = (
            sorted(str(p) for p in path.rglob("*.parquet"))
            if path.is_dir()
            else [str(path)]
            if path.suffix == ".parquet"
            else []
        )
        if shards and not any(_parquet_rows(f) for f in shards):
            _no_rows(spec)
        return
    if _looks_local(spec):
        raise DistillError(
            f"train_student.dataset: {spec} not found; run `distill filter` first or set train_student.dataset"
        )


def load_rows(spec: str, split: str = "train") -> Any:
    """A datasets.Dataset from a directory, a file or a hub id."""
    import datasets

    from distill.formats import sft_rows

    path = Path(spec).expanduser()
    if path.is_dir():
        if (path / "state.json").is_file() or (path / "dataset_dict.json").is_file():
            loaded = datasets.load_from_disk(str(path))
            return loaded[split] if isinstance(loaded, datasets.DatasetDict) else loaded
        parquet = sorted(str(p) for p in path.rglob("*.parquet"))
        if parquet:
            # `datasets` fails on a zero-row shard with an Arrow error; an empty dataset (a filter
            # that kept nothing) gets a clear message instead.
            parquet = [f for f in parquet if _parquet_rows(f) > 0] or _no_rows(spec)
            return datasets.load_dataset("parquet", data_files=parquet, split="train")
        jsonl = sorted(path.rglob("*.jsonl")) or sorted(path.rglob("*.json"))
        if jsonl:  # read line by line: a bad line is a counted row, not an Arrow traceback
            return sft_rows.read_jsonl(jsonl)
        raise DistillError(f"train_student.dataset: {spec} holds no Parquet or JSONL files")
    if path.is_file():
        if path.suffix != ".parquet":
            return sft_rows.read_jsonl([path])
        if _parquet_rows(str(path)) == 0:
            _no_rows(spec)
        return datasets.load_dataset("parquet", data_files=str(path), split="train")
    check_dataset_exists(spec)
    try:
        return datasets.load_dataset(spec, split=split)
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DistillError(f"train_student.dataset: cannot load {spec} from the hub ({first})") from None


def _parquet_rows(file: str) -> int:
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(file).metadata.num_rows
    except Exception as exc:  # pyarrow raises several types for a truncated or foreign file
        raise DistillError(
            f"train_student.dataset: {file}: cannot read Parquet ({str(exc).splitlines()[0][:160]})"
        ) from None


def _no_rows(spec: str):
    raise DistillError(
        f"train_student.dataset: {spec} has no rows; "
        "if it is a filter output, its funnel.md says why every trace was rejected"
    )


def to_messages(dataset: Any, column: str) -> Any:
    """`messages` (+ `malformed` reasons) from any conversational layout (distill/formats/sft_rows.py)."""
    from distill.formats.sft_rows import conversations

    return conversations(dataset, column)


def _malformed(messages: Any) -> str:
    if not isinstance(messages, list) or not messages:
        return "malformed: messages is not a non-empty list"
    for turn in messages:
        if not isinstance(turn, dict) or not isinstance(turn.get("content"), str) or not turn.get("role"):
            return "malformed: a turn lacks a role or string content"
    if messages[-1]["role"] != "assistant":
        return "malformed: the last turn is not the assistant's"
    if not messages[-1]["content"].strip():
        return "malformed: empty assistant turn"
    return ""


def _tokenize(
    row: dict[str, Any], tokenizer: Any, template: str, max_length: int, eos_id: int, system_text: str | None = None
) -> dict[str, Any]:
    from distill.train.sft.labels import build_example

    messages = row["messages"]
    reason = row.get("malformed") or _malformed(messages)  # i13's readers may mark a row malformed already
    if reason:
        return {"input_ids": [], "labels": [], "reject": reason, "n_tokens": 0}
    if system_text is not None and messages[0]["role"] != "system":
        messages = [{"role": "system", "content": system_text}] + messages
    example = build_example(tokenizer, template, messages, eos_id)
    if not example.reject and len(example.input_ids) > max_length:
        example.reject = f"too_long: more than max_length={max_length} tokens"
    return {
        "input_ids": example.input_ids,
        "labels": example.labels,
        "reject": example.reject,
        "n_tokens": len(example.input_ids),
    }


def prepare_sft_dataset(
    dataset: Any,
    tokenizer: Any,
    template: str,
    *,
    max_length: int,
    eos_id: int,
    num_proc: int | None = None,
    rejects_path: Path | None = None,
    system_text: str | None = None,
) -> tuple[Any, dict[str, Any]]:  # counts, plus 'rejects' (a list)
    """Tokenize + label every row; return the kept rows (input_ids, labels) and the counts.

    `rejects_path`: where to write one line per rejected row (None: keep them on `counts["rejects"]`
    for the caller to write once its run directory exists, so a failed check leaves nothing behind).
    """
    read = len(dataset)
    tokenized = dataset.map(
        _tokenize,
        fn_kwargs={
            "tokenizer": tokenizer,
            "template": template,
            "max_length": max_length,
            "eos_id": eos_id,
            "system_text": system_text,
        },
        num_proc=num_proc,
        desc="tokenizing traces",
    )
    reasons = tokenized["reject"]
    rejected = Counter(r.split(":")[0] for r in reasons if r)
    rejects = [{"row": index, "reason": reason} for index, reason in enumerate(reasons) if reason]
    if rejects_path is not None and rejects:
        write_rejects(rejects_path, rejects)
    kept = tokenized.filter(lambda r: not r["reject"], num_proc=num_proc, desc="dropping rejected rows")
    counts = {
        "read": read,
        "kept": len(kept),
        "rejected": sum(rejected.values()),
        "tokens": int(sum(kept["n_tokens"])),
        **{f"rejected_{k}": v for k, v in rejected.items()},
    }
    if not len(kept):
        first = f"; first: row {rejects[0]['row']}: {rejects[0]['reason']}" if rejects else ""
        raise DistillError(f"train_student.dataset: none of {read} rows is usable ({dict(rejected)}{first})")
    if rejects_path is None:
        counts["rejects"] = rejects  # type: ignore[assignment]
    return kept.select_columns(["input_ids", "labels"]), counts


def write_rejects(path: Path, rejects: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for item in rejects:
            fh.write(json.dumps(item) + "\n")
