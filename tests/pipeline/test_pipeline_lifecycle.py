"""`distill run` (generate -> filter on a loopback teacher): kill -9 of the pipeline process ends
the stage it was running (no orphan), a rerun continues and ends with what an uninterrupted run
gives, a finished pipeline reruns as all skipped, and a second `distill run` on the same outputs
is refused while the first runs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from distill.cli import main
from distill.records import read_rows

ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}


def write(tmp_path: Path, name: str, url: str) -> Path:
    recipe = {
        "seed": 0, "output_dir": str(tmp_path / name),
        "generate": {"teacher": "toy", "engine": "openai", "num_samples": 2, "prompting": {"chat_template": False},
                     "chunk_size": 2, "source": {"kind": "toy", "name": "countdown", "limit": 30},
                     "sampling": {"max_new_tokens": 64}, "openai": {"base_url": url, "concurrency": 2}},
        "filter": {"workers": 1, "correctness": {"enabled": False}, "decontaminate": {"eval_sets": []}},
    }
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(recipe))
    return path


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except OSError:
        return False


def holder(out: Path) -> int | None:
    try:
        return json.loads((out / ".distill.lock").read_text())["pid"]
    except (OSError, ValueError, KeyError):
        return None


def test_kill_9_of_distill_run_ends_its_stage_and_the_rerun_equals_an_uninterrupted_run(tmp_path, teacher_url, capsys):
    path = write(tmp_path, "run", teacher_url(slow=0.3))  # generate runs for seconds: killed in it
    url = teacher_url()  # the same answers, at once
    generate = tmp_path / "run" / "generate"
    proc = subprocess.Popen([sys.executable, "-m", "distill", "run", str(path)], env=ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list((generate / "shards").glob("*.jsonl")) if (generate / "shards").is_dir() else True:
        assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.poll() is not None else "timeout"
        time.sleep(0.02)
    stage_pid = holder(generate)
    assert stage_pid is not None and stage_pid != proc.pid
    second = subprocess.run([sys.executable, "-m", "distill", "run", str(path)], env=ENV, capture_output=True, text=True)
    assert second.returncode == 2 and f"in use by pid {proc.pid}" in second.stderr  # one `distill run` at a time
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while alive(stage_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(stage_pid), "the generate stage kept running after its `distill run` was killed"

    path = write(tmp_path, "run", url)  # only the server's speed differs: the stage's recipe stays the same
    assert main(["run", str(path)]) == 0
    reference = write(tmp_path, "ref", url)
    assert main(["run", str(reference)]) == 0
    for stage in ("generate", "filter"):
        assert json.loads((tmp_path / "run" / stage / "manifest.json").read_text())["status"] == "ok"

    def traces(name):
        return sorted((r.data for r in read_rows(tmp_path / name / "generate" / "shards")), key=lambda r: r["id"])

    assert traces("run") == traces("ref")
    keys = ("read", "kept", "rejected", "malformed")
    run, ref = (json.loads((tmp_path / name / "filter" / "funnel.json").read_text()) for name in ("run", "ref"))
    assert {k: run[k] for k in keys} == {k: ref[k] for k in keys}
    capsys.readouterr()
    assert main(["run", str(path)]) == 0
    out = capsys.readouterr().out
    assert "skip generate" in out and "skip filter" in out and "0 stages ran, 2 skipped" in out


def test_a_rerun_the_pipeline_asks_for_passes_each_stages_redo_flag(tmp_path):
    """A finished stage rerun as is would be a no-op, so --force, --from and a changed earlier stage
    hand the stage its redo flag; a stage that is only unfinished is continued, not redone."""
    from distill.pipeline import REDO_FLAGS, plan
    from distill.recipe import FIXED_STAGE_COMMANDS, recipe_from_dict

    recipe = recipe_from_dict({"seed": 0, "output_dir": str(tmp_path), "generate": {"teacher": "t", "source": {"name": "arithmetic"}},
                               "filter": {}, "report": {}})
    assert [p.redo for p in plan(recipe)] == [False, False, False]  # nothing there yet: first runs
    assert [p.redo for p in plan(recipe, from_stage="filter")] == [False, True, False]  # report: never ran
    assert {s: REDO_FLAGS[FIXED_STAGE_COMMANDS[s]]
            for s in ("generate", "filter", "train_student", "train_baseline", "eval", "report")} == {
        "generate": "--fresh", "filter": "--force", "train_student": "--fresh", "train_baseline": "--fresh",
        "eval": "--force", "report": "--force"}
