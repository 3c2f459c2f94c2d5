"""The whole command: quarantine and accounting, a datasets-loadable output, column mapping, workers."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from distill.cli import main

ROOT = Path(__file__).resolve().parents[2]


def synthetic():
    spec = importlib.util.spec_from_file_location("synthetic_traces", ROOT / "benchmarks" / "synthetic_traces.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_malformed_rows_are_quarantined_and_every_row_accounted(tmp_path, traces, jsonl):
    good = [traces("p0", 0), traces("p0", 1, finish_reason="length")]
    bad = [
        {"id": "x:0", "prompt_id": "x", "answer": "1", "domain": "math", "completion": "<think>a</think>b"},  # no problem
        {**traces("y", 0), "completion_tokens": "many"},  # wrong type
        {**traces("z", 0), "domain": "poetry"},  # unknown domain
        {**traces("e", 0), "finish_reason": "error", "error": "server 500"},  # generate's error record
    ]
    path = jsonl(tmp_path / "in.jsonl", good + bad, extra_lines=['{"id": "cut', '[1, 2]'])
    with open(path, "ab") as f:
        f.write(b'{"id": "\xff\xfe"}\n')  # bad UTF-8
    out = tmp_path / "out"
    assert main(["filter", "--input", str(path), "--output", str(out), "--workers", "1",
                 "--set", "filter.decontaminate.enabled=false", "--set", "filter.plots=false"]) == 0
    quarantine = lines(out / "quarantine.jsonl")
    reasons = [q["reason"] for q in quarantine]
    assert len(quarantine) == 7 and all(q["source"] == str(path) and q["line"] > 2 for q in quarantine)
    for expected in ("missing field 'problem'", "expected a non-negative integer", "not one of", "generation error record",
                     "bad JSON", "not a JSON object", "bad encoding"):
        assert any(expected in r for r in reasons), expected
    funnel = json.loads((out / "funnel.json").read_text())
    assert funnel["read"] == 9 and funnel["malformed"] == 7 and funnel["kept"] == 1 and funnel["rejected"] == 1
    assert funnel["kept"] + funnel["rejected"] + funnel["malformed"] == funnel["read"]
    assert [r["reject_reason"] for r in lines(out / "rejects.jsonl")] == ["truncated"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "ok" and manifest["counts"]["read"] == 9


def test_cli_on_generated_traces_gives_a_loadable_dataset(tmp_path):
    traces_dir = tmp_path / "generate"
    synthetic().write(traces_dir, 300, files=2, seed=1, malformed_every=100)
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(f"output_dir: {tmp_path}\nfilter:\n  workers: 1\n  selection: {{k: 2, policy: shortest}}\n"
                      f"  decontaminate: {{eval_sets: []}}\n")
    assert main(["filter", str(recipe)]) == 0  # default source: the generate stage's output
    out = tmp_path / "filter"
    funnel = json.loads((out / "funnel.json").read_text())
    assert funnel["read"] == 303 and funnel["malformed"] == 3
    assert funnel["kept"] + funnel["rejected"] + funnel["malformed"] == funnel["read"]
    for reason in ("truncated", "format", "correctness", "language", "repetition", "selection"):
        assert funnel["rejected_by_reason"][reason] > 0, reason
    rejects = lines(out / "rejects.jsonl")
    assert len(rejects) == funnel["rejected"] and all(r["reject_reason"] and r["reject_detail"] for r in rejects)

    from datasets import load_dataset

    cache = str(tmp_path / "hf-cache")  # the shared ~/.cache may hold another run's "filter" dataset
    ds = load_dataset("parquet", data_dir=str(out / "data"), split="train", cache_dir=cache)
    assert len(ds) == funnel["kept"] > 0
    assert {"messages", "id", "prompt_id", "domain", "source", "completion_tokens", "teacher"} <= set(ds.column_names)
    row = ds[0]
    assert [m["role"] for m in row["messages"]] == ["user", "assistant"]
    assert row["messages"][1]["content"].startswith("<think>\n") and "</think>\n\n" in row["messages"][1]["content"]
    assert len(load_dataset(str(out), split="train", cache_dir=cache)) == len(ds)  # the card's header points at data/
    for name in ("funnel.md", "README.md", "recipe.resolved.yaml", "manifest.json", "figures/rejections.png",
                 "figures/lengths.png", "figures/yield_domain.png", "figures/yield_source.png"):
        assert (out / name).is_file(), name
    assert "figures/rejections.png" in (out / "README.md").read_text()


def test_column_mapping_messages_and_parquet_input(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    thought = " ".join(f"Step {i}: we add {i * 37 % 101} and carry {i * 53 % 97}." for i in range(40))
    table = pa.table({
        "question": ["What is 6*7?", "What is 2+2?"],
        "generation": [f"<think>{thought}</think>\n\n$\\boxed{{42}}$", f"<think>{thought} again</think>\n\n$\\boxed{{5}}$"],
        "gold": ["42", "4"],
    })
    path = tmp_path / "r1.parquet"
    pq.write_table(table, path)
    out = tmp_path / "out"
    args = ["filter", "--input", str(path), "--output", str(out), "--workers", "1", "--column", "problem=question",
            "--column", "completion=generation", "--column", "answer=gold", "--set", "filter.decontaminate.enabled=false"]
    assert main(args + ["--set", "filter.plots=false"]) == 2  # nothing usable left: exit 2, outputs kept
    assert [q["reason"] for q in lines(out / "quarantine.jsonl")] == ["missing field 'domain'"] * 2  # no domain: quarantined
    assert main(args + ["--default", "domain=math", "--set", "filter.plots=false"]) == 0
    assert json.loads((out / "funnel.json").read_text())["kept"] == 1
    # The same from a recipe: one source mapped, one chat dataset in messages form
    recipe = tmp_path / "r.yaml"
    recipe.write_text(f"output_dir: {tmp_path}\nfilter:\n  workers: 1\n  plots: false\n  decontaminate: {{enabled: false}}\n"
                      f"  sources:\n  - path: {path}\n    name: r1\n    columns: {{problem: question, completion: generation, answer: gold}}\n"
                      f"    defaults: {{domain: math, teacher: deepseek-r1}}\n  - path: {tmp_path / 'chat.jsonl'}\n"
                      f"    defaults: {{domain: general}}\n")
    (tmp_path / "chat.jsonl").write_text(json.dumps({"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "Hello! How can I help?"}]}) + "\n")
    assert main(["filter", str(recipe)]) == 0
    from datasets import load_dataset

    ds = load_dataset("parquet", data_dir=str(tmp_path / "filter" / "data"), split="train")
    assert sorted(ds["source"]) == ["chat", "r1"] and set(ds["teacher"]) == {"deepseek-r1", "unknown"}
    chat = ds[ds["source"].index("chat")]
    assert chat["messages"][1]["content"] == "Hello! How can I help?"
    rejects = lines(tmp_path / "filter" / "rejects.jsonl")
    assert [r["reject_reason"] for r in rejects] == ["correctness"] and rejects[0]["source"] == "r1"


def test_two_workers_give_the_same_result_as_one(tmp_path):
    traces_dir = tmp_path / "traces"
    synthetic().write(traces_dir, 200, seed=3, malformed_every=0)
    results = []
    for workers in (1, 2):
        out = tmp_path / f"out{workers}"
        assert main(["filter", "--input", str(traces_dir), "--output", str(out), "--workers", str(workers),
                     "--set", "filter.decontaminate.enabled=false", "--set", "filter.plots=false", "--set", "filter.chunk_size=16",
                     "--set", "filter.shard_rows=40", "--set", "filter.selection.k=2"]) == 0
        import pyarrow.parquet as pq

        shards = sorted((out / "data").glob("train-*.parquet"))
        kept_ids = [i for shard in shards for i in pq.read_table(shard).column("id").to_pylist()]
        results.append(([(r["id"], r["reject_reason"]) for r in lines(out / "rejects.jsonl")], kept_ids, [s.name for s in shards]))
    assert results[0] == results[1]
    assert len(results[0][2]) > 1 and results[0][2][-1].endswith(f"-of-{len(results[0][2]):05d}.parquet")
    assert any(reason == "selection" for _, reason in results[0][0])  # dataset-level rejects written by the workers
