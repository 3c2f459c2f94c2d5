"""The openai engine against a real HTTP server on loopback: retries, error records, retry on rerun."""

from __future__ import annotations

import json

from distill.cli import main
from distill.generate.engine import Request, Sampling
from distill.generate.openai import OpenAIEngine
from distill.generate.config import OpenAIConfig
from distill.records import read_rows


def recipe(tmp_path, base_url, tokenizer_dir, **openai):
    return {
        "seed": 1,
        "output_dir": str(tmp_path / "run"),
        "generate": {
            "teacher": "toy-teacher",
            "tokenizer": str(tokenizer_dir),
            "engine": "openai",
            "num_samples": 3,
            "chunk_size": 4,
            "source": {"kind": "toy", "name": "arithmetic", "limit": 12},
            "sampling": {"max_new_tokens": 64},
            "openai": {"base_url": base_url, "backoff": 0.01, "backoff_max": 0.05, "max_retries": 3, **openai},
        },
    }


def records(tmp_path):
    return [row.data for row in read_rows(tmp_path / "run" / "generate" / "shards")]


def test_retries_then_success(tmp_path, openai_server, write_recipe, toy_tokenizer_dir):
    url = openai_server("--fail-first", "2")  # every request fails twice, the third try works
    assert main(["generate", str(write_recipe(recipe(tmp_path, url, toy_tokenizer_dir)))]) == 0
    rows = records(tmp_path)
    assert len(rows) == 36 and len({r["id"] for r in rows}) == 36
    assert all(r["finish_reason"] == "stop" and r["completion"].startswith("<think>\nstep") for r in rows)
    assert all("\\boxed{" in r["completion"] and r["completion_tokens"] > 0 for r in rows)
    manifest = json.loads((tmp_path / "run" / "generate" / "manifest.json").read_text())
    usage = manifest["counts"]["this_run"]["server_usage"]
    assert usage["retries"] == 24 and usage["requests"] == 12 and usage["failed_requests"] == 0
    # the server's usage is recorded (the test server counts words); with n > 1 per-sample counts
    # come from the teacher tokenizer, since usage only gives the total over the n samples
    assert usage["completion_tokens"] == sum(len(r["completion"][len("<think>\n"):].split()) for r in rows)
    assert manifest["counts"]["errors"] == 0 and manifest["counts"]["missing"] == 0


def test_failures_become_error_records_and_a_rerun_retries_them(tmp_path, openai_server, write_recipe, toy_tokenizer_dir):
    url = openai_server("--fail-substring", "+")  # every addition problem fails, always
    path = write_recipe(recipe(tmp_path, url, toy_tokenizer_dir, max_retries=1))
    assert main(["generate", str(path)]) == 0  # the run goes on
    rows = records(tmp_path)
    failed = [r for r in rows if r["finish_reason"] == "error"]
    assert len(rows) == 36 and 0 < len(failed) < 36
    assert all("+" in r["problem"] and r["completion"] == "" and "HTTP 500" in r["error"] and "2 attempts" in r["error"] for r in failed)
    counts = json.loads((tmp_path / "run" / "generate" / "manifest.json").read_text())["counts"]
    assert counts["errors"] == len(failed) and counts["finish_reasons"]["error"] == len(failed)

    good = openai_server()  # the server is fixed: rerun the same recipe against it
    data = recipe(tmp_path, good, toy_tokenizer_dir, max_retries=1)
    assert main(["generate", str(write_recipe(data))]) == 0
    after = records(tmp_path)
    assert len(after) == 36 and len({r["id"] for r in after}) == 36
    assert all(r["finish_reason"] == "stop" for r in after)
    before_ok = {r["id"]: r for r in rows if r["finish_reason"] != "error"}
    assert all(after_row == before_ok[after_row["id"]] for after_row in after if after_row["id"] in before_ok)
    counts = json.loads((tmp_path / "run" / "generate" / "manifest.json").read_text())["counts"]
    assert counts["errors_retried"] == len(failed) and counts["this_run"]["samples"] == len(failed)


def test_timeout_and_no_n_server(openai_server, toy_tokenizer_dir):
    url = openai_server("--delay-substring", "slow", "--delay", "5", "--no-n")
    cfg = OpenAIConfig(base_url=url, timeout=0.5, max_retries=1, backoff=0.01, n_per_request=False, concurrency=4)
    engine = OpenAIEngine(cfg, model="toy")
    out = engine.run([Request("fast prompt", 3, seed=7), Request("a slow prompt", 2, seed=8)], Sampling(n=3, max_new_tokens=40))
    assert [len(o) for o in out] == [3, 2]
    assert all(c.finish_reason == "stop" for c in out[0])
    assert len({c.text for c in out[0]}) == 3  # n requests of one sample each, seeded apart
    assert all(c.finish_reason == "error" and "TimeoutError" in c.error for c in out[1])
    # Same seed, same server: same samples (reproducible per prompt).
    again = engine.run([Request("fast prompt", 3, seed=7)], Sampling(n=3, max_new_tokens=40))
    assert [c.text for c in again[0]] == [c.text for c in out[0]]


def test_chat_endpoint_continues_the_forced_think(tmp_path, openai_server, write_recipe):
    url = openai_server("--reasoning-split")
    data = recipe(tmp_path, url, "unused", endpoint="chat")
    del data["generate"]["tokenizer"]  # the server applies its chat template: no local tokenizer needed
    assert main(["generate", str(write_recipe(data))]) == 0
    rows = records(tmp_path)
    assert len(rows) == 36 and all(r["finish_reason"] == "stop" for r in rows)
    # "<think>\n" forced, the reasoning put back inside <think>...</think>, then the answer
    assert all(r["completion"].startswith("<think>\nstep") and "\n</think>\n\nThe answer is \\boxed{" in r["completion"]
               for r in rows)
