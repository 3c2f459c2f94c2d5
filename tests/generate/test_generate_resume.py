"""Kill -9 in the middle of a run, rerun the same command: exactly prompts x n records, none twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from distill.cli import main
from distill.generate.shards import ShardStore
from distill.records import read_rows


def test_kill_and_resume(tmp_path, openai_server, write_recipe):
    url = openai_server("--slow", "0.1")  # 0.1 s a request: the run lasts long enough to be killed
    out = tmp_path / "run" / "generate"
    path = write_recipe({
        "seed": 0, "output_dir": str(tmp_path / "run"),
        "generate": {
            # raw prompts (no chat template here): the subprocess needs no transformers import
            "teacher": "toy", "engine": "openai", "num_samples": 2, "prompting": {"chat_template": False},
            "chunk_size": 2, "source": {"kind": "toy", "name": "countdown", "limit": 40},
            "sampling": {"max_new_tokens": 64}, "openai": {"base_url": url, "concurrency": 2},
        },
    })
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "distill", "generate", str(path)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while len(ShardStore(out).shard_files()) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()
    before = {p.name: p.read_bytes() for p in ShardStore(out).shard_files()}
    assert 3 <= len(before) < 20  # killed part-way: some chunks written, not all

    assert main(["generate", str(path)]) == 0
    rows = [r.data for r in read_rows(out / "shards")]
    ids = [r["id"] for r in rows]
    assert len(ids) == 80 and len(set(ids)) == 80
    assert {(r["prompt_id"], r["sample_index"]) for r in rows} == {(r["prompt_id"], i) for r in rows for i in (0, 1)}
    for name, data in before.items():  # finished chunks were kept as they were, not redone
        assert (out / "shards" / name).read_bytes() == data
    import json

    counts = json.loads((out / "manifest.json").read_text())["counts"]
    done_before = sum(len(ShardStore(out)._info(out / "shards" / n).ids) for n in before)
    assert counts["samples_done_before"] == done_before
    assert counts["this_run"]["samples"] == 80 - done_before
    assert counts["samples"] == 80 and counts["missing"] == 0 and counts["duplicates"] == 0
    assert (out / "merged.json").is_file()
