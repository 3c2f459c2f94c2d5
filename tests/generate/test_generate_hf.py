"""The hf engine on a tiny model, end to end through the CLI: the trace record contract, R1 prompting."""

from __future__ import annotations

import json

from distill.cli import main
from distill.records import read_rows

CONTRACT = {"id", "prompt_id", "problem", "answer", "domain", "completion", "finish_reason", "completion_tokens",
            "sample_index", "teacher"}


def test_hf_engine_end_to_end(tmp_path, tiny_qwen_dir, write_recipe, capsys):
    data = tmp_path / "problems.jsonl"
    rows = [{"uid": f"q{i}", "question": f"What is {i} + {i}?", "solution": str(2 * i)} for i in range(5)]
    rows.insert(2, {"uid": "blank", "question": "   ", "solution": "0"})
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    path = write_recipe({
        "seed": 0, "output_dir": str(tmp_path / "run"),
        "generate": {
            "teacher": str(tiny_qwen_dir), "engine": "hf", "num_samples": 3, "chunk_size": 2,
            "source": {"kind": "files", "name": str(data), "columns": {"problem": "question", "answer": "solution", "id": "uid"}},
            "sampling": {"max_new_tokens": 12}, "hf": {"batch_size": 2},
        },
    })
    assert main(["generate", str(path)]) == 0
    out = tmp_path / "run" / "generate"
    records = [r.data for r in read_rows(out / "shards")]
    assert len(records) == 15 and len({r["id"] for r in records}) == 15
    assert all(CONTRACT <= set(r) for r in records)
    first = next(r for r in records if r["id"] == "q1:2")
    assert first["prompt_id"] == "q1" and first["sample_index"] == 2 and first["answer"] == "2"
    assert first["problem"] == "What is 1 + 1?" and first["domain"] == "math" and first["teacher"] == str(tiny_qwen_dir)
    assert all(r["completion"].startswith("<think>\n") for r in records)
    # A random tiny model rarely emits EOS within 12 tokens: those samples stopped on length.
    assert all((r["finish_reason"] == "length") == (r["completion_tokens"] == 12) for r in records)
    assert any(r["finish_reason"] == "length" for r in records)
    manifest = json.loads((out / "manifest.json").read_text())
    counts = manifest["counts"]
    assert manifest["status"] == "ok" and counts["skipped_empty_prompts"] == 1 and counts["prompts"] == 5
    assert counts["samples"] == 15 and sum(counts["finish_reasons"].values()) == 15
    assert counts["completion_tokens"] == sum(r["completion_tokens"] for r in records) > 0
    assert counts["prompt_tokens"] > 0 and counts["this_run"]["tokens_per_second"] > 0
    assert (out / "recipe.resolved.yaml").is_file() and (out / "merged.json").is_file()
    assert "15 generated" in capsys.readouterr().err

    # Same seed, same batching: a fresh run reproduces the samples exactly.
    assert main(["generate", str(path), "--fresh"]) == 0
    again = sorted((r.data for r in read_rows(out / "shards")), key=lambda r: r["id"])
    assert [r["completion"] for r in again] == [r["completion"] for r in sorted(records, key=lambda r: r["id"])]
