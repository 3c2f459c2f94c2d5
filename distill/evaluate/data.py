"""Benchmark data for the lm-eval tasks in eval/: the hub by default, a local file as an override.

Every task ends up with the same document shape, whatever the source called its columns:

    {"id", "problem", "answer", "domain", "choices"}   # choices: [] except for multiple choice

A local file may also be in a published dataset's layout (NuminaMath, OpenR1-Math, s1K: read by
their adapters in distill/formats/). A value of the wrong type (a list where the problem belongs) is
an error naming the row, never stringified into the prompt.
`problem` never carries the R1 instruction (local copies often end with it); the task's prompt adds
its own, so a problem is never instructed twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from distill.core.instruction import R1_INSTRUCTION
from distill.errors import DistillError

# Column names seen in the wild for the same thing (MATH-500, AIME mirrors, our shared JSONL).
PROBLEM_KEYS = ("problem", "Problem", "question", "Question")
ANSWER_KEYS = ("answer", "Answer")
ID_KEYS = ("id", "ID", "unique_id", "Record ID")
GPQA_KEYS = ("Question", "Correct Answer", "Incorrect Answer 1", "Incorrect Answer 2", "Incorrect Answer 3")


def strip_instruction(text: str) -> str:
    """The problem without a trailing R1 instruction."""
    text = text.rstrip()
    if text.endswith(R1_INSTRUCTION):
        text = text[: -len(R1_INSTRUCTION)].rstrip()
    return text


def read_local(path: str | Path, task: str) -> list[dict[str, Any]]:
    """All rows of a local JSONL/Parquet benchmark file; a malformed row is an error, since a
    benchmark with a silently missing problem gives a wrong score."""
    from distill.records import read_rows

    rows = []
    for row in read_rows(path):
        if row.data is None:
            raise DistillError(f"{task}: {row.source}:{row.line}: malformed row ({row.error})")
        rows.append(
            {
                k: (str(v) if k in ANSWER_KEYS and isinstance(v, (int, float)) and not isinstance(v, bool) else v)
                for k, v in row.data.items()
            }
        )
    if not rows:
        raise DistillError(f"{task}: {path}: no rows")
    return rows


def _pick(row: dict[str, Any], keys: tuple[str, ...], task: str, index: int, what: str) -> Any:
    for key in keys:
        if key in row and row[key] is not None:
            return row[key]
    raise DistillError(f"{task}: row {index} has no {what} field (looked for {', '.join(keys)}; has {', '.join(row)})")


# Published layouts an eval file may come in, read by their adapters (distill/formats/).
ADAPTED = ("openr1_math", "numina_math", "s1k")


def math_doc(row: dict[str, Any], index: int, task: str) -> dict[str, Any]:
    """A free-answer problem (MATH-500, AIME, toy tasks) in the common shape."""
    from distill import formats

    fmt = formats.detect(row, "prompt")
    if fmt is not None and fmt.name in ADAPTED:
        try:
            record = formats.prompt(fmt, row)
        except formats.Bad as exc:
            raise DistillError(f"{task}: row {index} ({fmt.name}): {exc}") from None
        problem, answer, domain = record["problem"], record["answer"], record["domain"]
    else:
        problem = _pick(row, PROBLEM_KEYS, task, index, "problem")
        answer = _pick(row, ANSWER_KEYS, task, index, "answer")
        domain = row.get("domain") or "math"
        for what, value in (("problem", problem), ("answer", answer), ("domain", domain)):
            if not isinstance(value, str):
                raise DistillError(f"{task}: row {index}: {what} is {type(value).__name__}, expected text")
    ident = next((str(row[k]) for k in ID_KEYS if row.get(k) is not None), f"{task}-{index}")
    return {
        "id": ident,
        "problem": strip_instruction(problem),
        "answer": answer.strip(),
        "domain": domain,
        "choices": [],
    }


def gpqa_doc(row: dict[str, Any], index: int, task: str) -> dict[str, Any]:
    """A GPQA row with its four choices shuffled by a seed taken from the question itself."""
    from distill.evaluate.choices import shuffle_choices

    for key in GPQA_KEYS:
        if row.get(key) is None:
            raise DistillError(f"{task}: row {index} has no '{key}' field (GPQA shape: {', '.join(GPQA_KEYS)})")
        if not isinstance(row[key], str):
            raise DistillError(f"{task}: row {index}: '{key}' is {type(row[key]).__name__}, expected text")
    question = row["Question"].strip()
    wrong = [row[f"Incorrect Answer {i}"] for i in (1, 2, 3)]
    choices, letter = shuffle_choices(question, row["Correct Answer"], wrong)
    ident = next((str(row[k]) for k in ID_KEYS if row.get(k) is not None), f"{task}-{index}")
    return {"id": ident, "problem": question, "answer": letter, "domain": "choice", "choices": choices}


def load_rows(task: str, local: str | None, hub_path: str | None, hub_name: str | None, hub_split: str) -> list[dict]:
    """Raw rows of a benchmark: the local file when given, else the hub dataset."""
    if local:
        return read_local(local, task)
    if not hub_path:
        raise DistillError(f"{task}: no hub dataset configured; give a local file with --data {task}=FILE")
    import datasets

    try:
        data = datasets.load_dataset(hub_path, hub_name, split=hub_split)
    except Exception as exc:  # offline, gated, renamed: all end the same way for the user
        raise DistillError(
            f"{task}: cannot load {hub_path} from the hub ({type(exc).__name__}: {str(exc).splitlines()[0][:160]}); "
            f"for offline use give a local file: --data {task}=FILE.jsonl"
        ) from None
    return [dict(row) for row in data]


def toy_rows(toy_task: str, n: int, difficulty: int, seed: int = 0) -> list[dict]:
    """The toy task's held-out test split (never seen by training, which draws from `train`)."""
    from distill.toy.tasks import make_problems

    return make_problems(toy_task, "test", n, seed=seed, difficulty=difficulty)


def as_dataset_dict(docs: list[dict[str, Any]]):
    """lm-eval reads `dataset[test_split]`; a DatasetDict with one `test` split."""
    import datasets

    return datasets.DatasetDict({"test": datasets.Dataset.from_list(docs)})
