"""`distill generate` as one writer per output: a second run on the same output is refused (no
duplicate records), parts run concurrently by design, a finished run reruns as a no-op, kill -9 at
several moments loses and duplicates nothing, and a full disk ends in one line with a clean rerun."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from distill.cli import main
from distill.generate.shards import ShardStore
from distill.records import read_rows

ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}


def recipe(out: Path, url: str, limit: int = 30) -> dict:
    return {
        "seed": 0, "output_dir": str(out),
        "generate": {
            "teacher": "toy", "engine": "openai", "num_samples": 2, "prompting": {"chat_template": False},
            "chunk_size": 2, "source": {"kind": "toy", "name": "countdown", "limit": limit},
            "sampling": {"max_new_tokens": 64}, "openai": {"base_url": url, "concurrency": 2},
        },
    }


def start(path: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "distill", "generate", str(path), *args], env=ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def wait_for_shards(out: Path, n: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(ShardStore(out).shard_files()) < n and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)


def records(out: Path) -> list[dict]:
    return sorted((r.data for r in read_rows(out / "shards")), key=lambda r: r["id"])


def test_a_second_generate_on_the_same_output_is_refused_and_no_record_is_duplicated(tmp_path, openai_server, write_recipe):
    path = write_recipe(recipe(tmp_path / "run", openai_server("--slow", "0.3")))  # runs for seconds
    out = tmp_path / "run" / "generate"
    first = start(path)
    wait_for_shards(out, 1, first)
    second = subprocess.run([sys.executable, "-m", "distill", "generate", str(path)], env=ENV, capture_output=True, text=True)
    assert second.returncode == 2
    line = second.stderr.strip()
    assert len(line.splitlines()) == 1 and f"is in use by pid {first.pid}" in line and "generate" in line
    assert first.wait(timeout=120) == 0, first.stderr.read()
    ids = [r["id"] for r in records(out)]
    assert len(ids) == 60 and len(set(ids)) == 60
    assert (out / "merged.json").is_file()


def test_parts_run_concurrently_while_a_whole_run_or_a_second_copy_of_a_part_is_refused(tmp_path, openai_server, write_recipe):
    url = openai_server("--slow", "1.0")  # each part runs for ~10 s: the others start and are refused meanwhile
    path = write_recipe(recipe(tmp_path / "run", url, limit=40))
    out = tmp_path / "run" / "generate"
    parts = [start(path, "--part", f"{i}/2") for i in range(2)]
    wait_for_shards(out, 2, parts[0])
    whole, again, merge = start(path), start(path, "--part", "0/2"), start(path, "--merge")
    assert whole.wait(timeout=60) == 2 and again.wait(timeout=60) == 2 and merge.wait(timeout=60) == 2
    assert parts[0].poll() is None and parts[1].poll() is None  # both parts were still running
    assert "the parts of a `distill generate --part i/N` run" in whole.stderr.read()
    assert "the parts of a `distill generate --part i/N` run" in merge.stderr.read()  # no merge of half the parts
    assert f"in use by pid {parts[0].pid}" in again.stderr.read()
    for proc in parts:
        assert proc.wait(timeout=120) == 0, proc.stderr.read()
    assert main(["generate", str(path), "--merge"]) == 0
    single = write_recipe(recipe(tmp_path / "single", openai_server(), limit=40), "single.yaml")
    assert main(["generate", str(single)]) == 0
    assert records(out) == records(tmp_path / "single" / "generate")  # record for record, none twice


def test_a_finished_generate_reruns_as_a_no_op_byte_for_byte(tmp_path, openai_server, write_recipe, capsys):
    path = write_recipe(recipe(tmp_path / "run", openai_server(), limit=6))
    out = tmp_path / "run" / "generate"
    assert main(["generate", str(path)]) == 0
    def files():  # every file's bytes and mtime, but the lock's (it names the latest holder)
        return {p.relative_to(out): (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*")
                if p.is_file() and p.name != ".distill.lock"}

    before = files()
    capsys.readouterr()
    assert main(["generate", str(path)]) == 0
    assert "generate: already complete in" in capsys.readouterr().err
    assert files() == before


@pytest.mark.parametrize("moment", ["at start", "after 1 shard", "after 6 shards"])
def test_kill_9_at_several_moments_then_rerun_equals_an_uninterrupted_run(tmp_path, openai_server, write_recipe, moment):
    url = openai_server("--slow", "0.05")
    path = write_recipe(recipe(tmp_path / "run", url))
    out = tmp_path / "run" / "generate"
    proc = start(path)
    if moment == "at start":
        time.sleep(0.3)  # loading prompts, before any shard
    else:
        wait_for_shards(out, int(moment.split()[1]), proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    manifest = json.loads((out / "manifest.json").read_text()) if (out / "manifest.json").is_file() else {}
    assert manifest.get("status") != "ok" and not (out / "merged.json").exists()  # nothing partial marked complete
    assert main(["generate", str(path)]) == 0
    single = write_recipe(recipe(tmp_path / "single", url), "single.yaml")
    assert main(["generate", str(single)]) == 0
    assert records(out) == records(tmp_path / "single" / "generate")


def test_a_full_disk_is_one_line_the_manifest_says_failed_and_the_rerun_completes(tmp_path, openai_server, write_recipe,
                                                                                   small_tmpfs):
    url = openai_server()
    disk = small_tmpfs("120k")
    path = write_recipe(recipe(disk / "run", url))
    out = disk / "run" / "generate"
    result = subprocess.run([sys.executable, "-m", "distill", "generate", str(path)], env=ENV, capture_output=True, text=True)
    assert result.returncode != 0
    line = result.stderr.strip().splitlines()[-1]
    assert "Traceback" not in result.stderr and line.startswith("distill generate: error: ")
    assert "No space left on device" in line and str(out) in line and "free space" in line
    assert json.loads((out / "manifest.json").read_text())["status"] == "failed"
    assert not list(out.rglob("*.tmp"))
    small_tmpfs.resize(disk, "8m")
    assert main(["generate", str(path)]) == 0
    single = write_recipe(recipe(tmp_path / "single", url), "single.yaml")
    assert main(["generate", str(single)]) == 0
    assert records(out) == records(tmp_path / "single" / "generate")


def test_shards_removed_under_a_running_generate_end_in_one_line_and_the_rerun_completes(tmp_path, openai_server,
                                                                                           write_recipe):
    import shutil

    url = openai_server("--slow", "0.2")
    path = write_recipe(recipe(tmp_path / "run", url))
    out = tmp_path / "run" / "generate"
    proc = start(path)
    wait_for_shards(out, 2, proc)
    shutil.rmtree(out / "shards")  # someone cleans up under the running stage
    shutil.rmtree(out / "index", ignore_errors=True)
    assert proc.wait(timeout=120) == 2
    err = proc.stderr.read().strip().splitlines()[-1]
    assert err.startswith("distill generate: error: ") and "samples missing" in err and "rerun" in err
    assert json.loads((out / "manifest.json").read_text())["status"] == "failed" and not (out / "merged.json").exists()
    assert main(["generate", str(path)]) == 0
    single = write_recipe(recipe(tmp_path / "single", openai_server()), "single.yaml")
    assert main(["generate", str(single)]) == 0
    assert records(out) == records(tmp_path / "single" / "generate")
