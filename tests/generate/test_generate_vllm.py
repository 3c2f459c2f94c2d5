"""The vllm engine (vLLM's CPU build here) on the tiny model, through the CLI in a subprocess (vLLM spawns)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from distill.records import read_rows


@pytest.mark.vllm
@pytest.mark.slow
def test_vllm_engine_end_to_end(tmp_path, tiny_qwen_dir, write_recipe):
    problems = [{"problem": f"Compute {i} * 3.", "answer": str(3 * i)} for i in range(6)]
    problems.append({"problem": "long " * 400, "answer": "0"})  # longer than max_model_len: an error record
    data = tmp_path / "p.jsonl"
    data.write_text("".join(json.dumps(p) + "\n" for p in problems))
    path = write_recipe({
        "seed": 0, "output_dir": str(tmp_path / "run"),
        "generate": {
            "teacher": str(tiny_qwen_dir), "engine": "vllm", "num_samples": 3, "chunk_size": 2,
            "source": {"kind": "files", "name": str(data)},
            "sampling": {"max_new_tokens": 16},
            # 2 prompts in flight at a time: the stream refills the engine as prompts finish
            "vllm": {"max_model_len": 256, "max_inflight_prompts": 2, "gpu_memory_utilization": 0.2,
                     "engine_args": {"enforce_eager": True}},
        },
    })
    env = {**os.environ, "VLLM_CPU_KVCACHE_SPACE": "1"}
    result = subprocess.run([sys.executable, "-m", "distill", "generate", str(path)], capture_output=True, text=True,
                            timeout=600, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    out = tmp_path / "run" / "generate"
    rows = [r.data for r in read_rows(out / "shards")]
    assert len(rows) == 21 and len({r["id"] for r in rows}) == 21
    failed = [r for r in rows if r["finish_reason"] == "error"]
    assert len(failed) == 3 and all("max_model_len is 256" in r["error"] and r["completion"] == "" for r in failed)
    good = [r for r in rows if r["finish_reason"] != "error"]
    assert all(r["completion"].startswith("<think>\n") and 0 < r["completion_tokens"] <= 16 for r in good)
    assert all((r["finish_reason"] == "length") == (r["completion_tokens"] == 16) for r in good)
    assert all(r["prompt_tokens"] > 10 for r in good)
    by_prompt = {}
    for r in good:
        by_prompt.setdefault(r["prompt_id"], set()).add(r["completion"])
    assert sum(len(v) > 1 for v in by_prompt.values()) >= 4  # n samples per prompt actually differ
    counts = json.loads((out / "manifest.json").read_text())["counts"]
    assert counts["errors"] == 3 and counts["samples"] == 21 and counts["this_run"]["tokens_per_second"] > 0
