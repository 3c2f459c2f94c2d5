"""Prompt sources: HF datasets (save_to_disk dir, data-file dir), local files, toy tasks; columns, ids, filters."""

from __future__ import annotations

import json

import pytest

from distill.config import from_dict
from distill.errors import ConfigError, DistillError
from distill.sources import SourceConfig, load_prompts, load_prompts_with_stats, stable_id


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_files_source_columns_ids_empty_and_malformed(tmp_path):
    path = tmp_path / "p.jsonl"
    write_jsonl(path, [{"q": "Solve x+1=2.", "a": 1}, {"q": ""}, {"q": "Pick one.", "a": "B", "kind": "choice"},
                       {"q": "Solve x+1=2.", "a": 1}])
    with open(path, "a") as handle:
        handle.write("{not json\n")
    cfg = from_dict(SourceConfig, {"kind": "files", "name": str(path), "columns": {"problem": "q", "answer": "a", "domain": "kind"}})
    prompts, stats = load_prompts_with_stats(cfg, seed=0)
    assert prompts == [
        {"id": stable_id("Solve x+1=2."), "problem": "Solve x+1=2.", "answer": "1", "domain": "math"},
        {"id": stable_id("Pick one."), "problem": "Pick one.", "answer": "B", "domain": "choice"},
    ]
    counts = stats.as_dict()
    assert counts.pop("reasons") == {"bad JSON: Expecting property name enclosed in double quotes at column 2": 1}
    assert counts.pop("first_bad").endswith("p.jsonl:5: bad JSON: Expecting property name enclosed in double quotes at column 2")
    assert counts == {"read": 5, "kept": 2, "empty": 1, "duplicate": 1, "malformed": 1, "unverifiable": 0, "dropped_by_limit": 0}
    assert stable_id("Solve x+1=2.") == "p-" + __import__("hashlib").sha256(b"Solve x+1=2.").hexdigest()[:16]


def test_missing_column_names_the_columns_that_exist(tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", [{"question": "q1", "answer": "1"}])
    with pytest.raises(DistillError) as err:
        load_prompts(SourceConfig(kind="files", name=str(path)), seed=0)
    message = str(err.value)
    assert "no column 'problem' (columns.problem)" in message and "question, answer" in message and "\n" not in message
    with pytest.raises(ConfigError, match="unknown key 'columns.prob'"):
        from_dict(SourceConfig, {"kind": "files", "name": "x", "columns": {"prob": "q"}})


def test_shuffle_is_seeded_and_limit_extends(tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", [{"id": i, "problem": f"problem {i}", "answer": str(i)} for i in range(50)])
    base = {"kind": "files", "name": str(path), "columns": {"id": "id"}, "shuffle": True}
    ten = load_prompts(SourceConfig(**base, limit=10), seed=1)
    twenty = load_prompts(SourceConfig(**base, limit=20), seed=1)
    other = load_prompts(SourceConfig(**base, limit=10), seed=2)
    assert twenty[:10] == ten and [p["id"] for p in ten] != [str(i) for i in range(10)]
    assert [p["id"] for p in other] != [p["id"] for p in ten]
    assert load_prompts(SourceConfig(**{**base, "seed": 1}, limit=10), seed=99) == ten  # the source's own seed wins


def test_hf_sources_saved_dataset_and_data_file_dir(tmp_path):
    datasets = pytest.importorskip("datasets")
    rows = {"prompt": ["Write a program that doubles n.", "Sum two numbers."], "ref": ["", ""],
            "tests": [json.dumps([{"input": "2\n", "output": "4\n"}]), json.dumps([{"input": "1 2\n", "output": "3\n"}])]}
    dd = datasets.DatasetDict({"train": datasets.Dataset.from_dict(rows), "test": datasets.Dataset.from_dict({k: v[:1] for k, v in rows.items()})})
    dd.save_to_disk(str(tmp_path / "saved"))
    cols = {"problem": "prompt", "answer": "ref", "tests": "tests"}
    prompts = load_prompts(SourceConfig(kind="hf", name=str(tmp_path / "saved"), split="test", columns=cols, domain="code"), 0)
    assert prompts == [{"id": stable_id(rows["prompt"][0]), "problem": rows["prompt"][0], "answer": "", "domain": "code",
                        "tests": [{"input": "2\n", "output": "4\n"}]}]
    with pytest.raises(DistillError, match="no split 'validation'; splits: train, test"):
        load_prompts(SourceConfig(kind="hf", name=str(tmp_path / "saved"), split="validation", columns=cols), 0)

    data_dir = tmp_path / "files"
    data_dir.mkdir()
    datasets.Dataset.from_dict(rows).to_parquet(str(data_dir / "train-00000.parquet"))
    prompts = load_prompts(SourceConfig(kind="hf", name=str(data_dir), columns=cols, domain="code", limit=1), 0)
    assert len(prompts) == 1 and prompts[0]["tests"] == [{"input": "2\n", "output": "4\n"}]
    with pytest.raises(DistillError, match="its columns are: prompt, ref, tests"):
        load_prompts(SourceConfig(kind="hf", name=str(data_dir)), 0)


def test_toy_source():
    prompts = load_prompts(SourceConfig(kind="toy", name="arithmetic", limit=5, split="test"), seed=4)
    assert len(prompts) == 5 and len({p["id"] for p in prompts}) == 5
    assert set(prompts[0]) == {"id", "problem", "answer", "domain"} and prompts[0]["domain"] == "math"
    assert prompts == load_prompts(SourceConfig(kind="toy", name="arithmetic", limit=5, split="test"), seed=4)
