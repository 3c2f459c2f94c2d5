"""The bad-input matrix: truncated line, bad encoding, missing column, wrong type, empty file, each
given to every stage that reads files (generate, filter, train-student, eval --data). Each is one
line naming what is wrong, exit code 2, no traceback, before any model is loaded or trained."""

from __future__ import annotations

import pytest
import yaml

from distill.cli import main

TRACE = '"answer": "2", "domain": "math", "completion": "<think>\\nadd\\n</think>\\n\\n$\\\\boxed{2}$"'
CELLS = {  # stage -> cell -> (file bytes, what the one line must say)
    "generate": {
        "truncated": (b'{"problem": "What is 1+1?", "answer": ', "no usable prompts"),
        "bad_encoding": (b'{"problem": "caf\xe9 au lait?"}\n', "bad encoding"),
        "missing_column": (b'{"question_text": "What is 1+1?"}\n', "no column 'problem' (columns.problem); its columns are: question_text"),
        "wrong_type": (b'{"problem": ["What", "is", "1+1?"], "answer": "2"}\n', "column 'problem': expected a string, got list"),
        "empty": (b"", "no rows (empty file)"),
    },
    "filter": {
        "truncated": (b'{"problem": "What is 1+1?", ' + TRACE.encode()[:20], "none of 1 rows could be read as a trace; first: "),
        "bad_encoding": (b'{"problem": "caf\xe9?", ' + TRACE.encode() + b"}\n", "bad encoding"),
        "missing_column": (b'{"problem": "What is 1+1?", "answer": "2", "domain": "math"}\n', "missing field 'completion'"),
        "wrong_type": (b'{"problem": ["What"], ' + TRACE.encode() + b"}\n", "field 'problem': expected a string, got list"),
        "empty": (b"", "no rows to filter: the inputs are empty"),
    },
    "train-student": {
        "truncated": (b'{"messages": [{"role": "user", "content": "q"}', "none of 1 rows is a conversation; first: "),
        "bad_encoding": (b'{"messages": [{"role": "user", "content": "caf\xe9"}]}\n', "bad encoding"),
        "missing_column": (b'{"text": "What is 1+1?"}\n', "missing column 'messages'"),
        "wrong_type": (b'{"messages": "user: hi / assistant: hello"}\n', "column 'messages': expected a list of turns, got str"),
        "empty": (b"", "no rows (empty file)"),
    },
    "eval": {
        "truncated": (b'{"problem": "What is 1+1?", "answer": ', "malformed row (bad JSON"),
        "bad_encoding": (b'{"problem": "caf\xe9?", "answer": "2"}\n', "malformed row (bad encoding"),
        "missing_column": (b'{"problem": "What is 1+1?"}\n', "row 0 has no answer field"),
        "wrong_type": (b'{"problem": ["What", "is"], "answer": "2"}\n', "row 0: problem is list, expected text"),
        "empty": (b"", "no rows"),
    },
}


def argv(stage: str, data, tmp_path, model) -> list[str]:
    out = tmp_path / "run"
    if stage == "filter":
        return ["filter", "--input", str(data), "--output", str(out), "--set", "filter.decontaminate.enabled=false", "--workers", "1"]
    if stage == "eval":
        return ["eval", "--model", f"m={model}", "--tasks", "math500", "--data", f"math500={data}", "--backend", "hf",
                "--limit", "1", "--max-gen-toks", "8", "--out", str(out)]
    if stage == "generate":
        section = {"generate": {"teacher": str(model), "engine": "hf", "source": {"kind": "files", "name": str(data)}}}
    else:
        section = {"train_student": {"model": str(model), "dataset": str(data), "sft": {"max_steps": 1}}}
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(yaml.safe_dump({"seed": 0, "output_dir": str(out), **section}))
    return [stage, str(recipe)]


@pytest.mark.parametrize("stage,cell", [(s, c) for s, cells in CELLS.items() for c in cells])
def test_bad_input_is_one_line(stage, cell, tmp_path, tiny_qwen_dir, capsys):
    content, says = CELLS[stage][cell]
    data = tmp_path / "data.jsonl"
    data.write_bytes(content)
    code = main(argv(stage, data, tmp_path, tiny_qwen_dir))
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if ": error: " in line]
    assert code == 2, err
    assert "Traceback" not in err and len(errors) == 1, err
    assert errors[0].startswith(f"distill {stage}: error: ") and says in errors[0], errors[0]


def test_a_truncated_parquet_file_is_one_line_for_train_student(tmp_path, tiny_qwen_dir, capsys):
    from tests.formats import datasets

    rows, _ = datasets.sharegpt()
    path = datasets.write_parquet(tmp_path / "bespoke.parquet", rows[:2])
    path.write_bytes(path.read_bytes()[:-40])  # a download cut short
    code = main(argv("train-student", path, tmp_path, tiny_qwen_dir))
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "train-student: error: train_student.dataset: " in err and "cannot read Parquet" in err
