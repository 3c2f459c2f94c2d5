"""`distill filter` as a stage: it reads only a finished generate output (or files of the user's),
refuses a killed or unmerged one in one line unless told --allow-partial-input, reruns as a no-op
once finished, and keeps a second writer out of its output. (Resuming a filter cut short in pass 1
or 2 is helper i15f's part of #19; its kill cases are here so the matrix is whole.)"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from distill.cli import main
from distill.stage_lock import OutputLock

ROOT = Path(__file__).resolve().parents[2]


def synthetic():
    spec = importlib.util.spec_from_file_location("synthetic_traces", ROOT / "benchmarks" / "synthetic_traces.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def setup(tmp_path: Path, n: int = 60, status: str | None = "ok", merged: bool = True) -> Path:
    generate = tmp_path / "generate"
    synthetic().write(generate / "shards", n, files=2, seed=1)
    if status is not None:
        (generate / "manifest.json").write_text(json.dumps({"stage": "generate", "status": status, "ended": "t"}))
        (generate / "recipe.resolved.yaml").write_text("generate: {}\n")
    if merged:
        (generate / "merged.json").write_text(json.dumps({"complete": True, "written": "t"}))
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(f"output_dir: {tmp_path}\nfilter:\n  workers: 1\n  decontaminate: {{eval_sets: []}}\n")
    return recipe


def one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


def test_a_killed_generate_output_is_refused_naming_it_its_status_and_the_fix(tmp_path, capsys):
    recipe = setup(tmp_path, status="running", merged=False)
    assert main(["filter", str(recipe)]) == 2
    err = one_line(capsys)
    assert str(tmp_path / "generate") in err and "is running" in err
    assert f"distill generate {tmp_path / 'generate' / 'recipe.resolved.yaml'}" in err and "--allow-partial-input" in err
    assert not (tmp_path / "filter").exists()  # nothing written


def test_unmerged_parts_are_refused(tmp_path, capsys):
    recipe = setup(tmp_path, status=None, merged=False)
    (tmp_path / "generate" / "generation.json").write_text("{}")
    (tmp_path / "generate" / "parts" / "part-00000-of-00002").mkdir(parents=True)
    assert main(["filter", str(recipe)]) == 2
    err = one_line(capsys)
    assert "not merged (parts only)" in err and "--merge" in err


def test_a_partial_input_taken_on_purpose_is_recorded(tmp_path):
    recipe = setup(tmp_path, status="running", merged=False)
    assert main(["filter", str(recipe), "--allow-partial-input"]) == 0
    manifest = json.loads((tmp_path / "filter" / "manifest.json").read_text())
    assert manifest["status"] == "ok" and manifest["allow_partial_input"] is True
    assert manifest["inputs"] == [{"path": str((tmp_path / "generate").resolve()), "stage": "generate",
                                   "status": "running", "fingerprint": None, "ended": "t", "partial": True}]


def test_user_files_without_a_manifest_are_accepted(tmp_path):
    recipe = setup(tmp_path, status=None, merged=False)
    assert main(["filter", str(recipe)]) == 0


def test_a_finished_filter_reruns_as_a_no_op_and_reruns_when_its_input_changes(tmp_path, capsys):
    recipe = setup(tmp_path)
    out = tmp_path / "filter"
    assert main(["filter", str(recipe)]) == 0

    def files():
        return {str(p.relative_to(out)): (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*")
                if p.is_file() and p.name != ".distill.lock"}

    before = files()
    capsys.readouterr()
    assert main(["filter", str(recipe)]) == 0
    assert "filter: already complete in" in capsys.readouterr().err and files() == before
    (tmp_path / "generate" / "merged.json").write_text(json.dumps({"complete": True, "written": "later"}))
    assert main(["filter", str(recipe)]) == 0  # generate was redone: so is the filter
    assert "already complete" not in capsys.readouterr().err


def test_a_second_filter_on_the_same_output_is_refused(tmp_path, capsys):
    recipe = setup(tmp_path)
    with OutputLock(tmp_path / "filter"):
        assert main(["filter", str(recipe)]) == 2
    err = one_line(capsys)
    assert f"is in use by pid {os.getpid()}" in err


def _kill_when(proc: subprocess.Popen, ready, timeout: float = 120) -> bool:
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        if ready():
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.005)
    return False


@pytest.mark.slow
@pytest.mark.parametrize("moment", ["pass 1", "pass 2"])
def test_kill_9_in_pass_1_or_2_then_rerun_equals_an_uninterrupted_run(tmp_path, moment):
    reference = setup(tmp_path / "ref", n=4000)
    assert main(["filter", str(reference)]) == 0
    recipe = setup(tmp_path / "run", n=4000)
    out = tmp_path / "run" / "filter"
    proc = subprocess.Popen([sys.executable, "-m", "distill", "filter", str(recipe)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    if moment == "pass 1":
        ready = lambda: (out / ".spool").is_dir() and any((out / ".spool").iterdir())  # noqa: E731
    else:
        ready = lambda: (out / "data").is_dir() and any((out / "data").iterdir())  # noqa: E731
    if not _kill_when(proc, ready):
        pytest.skip(f"the filter finished before reaching {moment} on this machine")
    assert json.loads((out / "manifest.json").read_text())["status"] == "running"
    assert main(["filter", str(recipe)]) == 0
    ref = json.loads((tmp_path / "ref" / "filter" / "funnel.json").read_text())
    got = json.loads((out / "funnel.json").read_text())
    assert {k: got[k] for k in ("read", "kept", "rejected", "malformed")} == {k: ref[k] for k in ("read", "kept", "rejected", "malformed")}
    from datasets import load_dataset

    ids = sorted(load_dataset("parquet", data_dir=str(out / "data"), split="train")["id"])
    assert ids == sorted(load_dataset("parquet", data_dir=str(tmp_path / "ref" / "filter" / "data"), split="train")["id"])


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in open(f"/proc/{pid}/task/{pid}/children").read().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        return open(f"/proc/{pid}/stat").read().split(") ")[1][0] != "Z"
    except OSError:
        return False


def test_kill_9_of_the_filter_ends_its_worker_processes(tmp_path):
    recipe = setup(tmp_path, n=4000)
    proc = subprocess.Popen([sys.executable, "-m", "distill", "filter", str(recipe), "--workers", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    spool = tmp_path / "filter" / ".spool"
    while proc.poll() is None and time.monotonic() < deadline and not (len(_children(proc.pid)) >= 2 and spool.is_dir()):
        time.sleep(0.01)
    workers = _children(proc.pid)
    if proc.poll() is not None or len(workers) < 2:
        pytest.skip("the filter finished before its workers could be seen on this machine")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 3
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.02)
    left = [w for w in workers if _alive(w)]
    for pid in left:  # the test's own processes: do not leave them behind even when it fails
        os.kill(pid, signal.SIGKILL)
    assert not left, f"workers {left} outlived their killed `distill filter`"
