"""No work lost to a crash: `distill filter` SIGKILLed in pass 1, in pass 2, while naming the shards or
just before removing its spool continues on the rerun from what it had, and writes exactly what an
uninterrupted run writes. A rerun over leftovers of an older run (issue #19: `.tmp-*` shards) works."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from distill.cli import main

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ["--set", "filter.chunk_size=16", "--set", "filter.shard_rows=40", "--set", "filter.decontaminate.eval_sets=[]",
            "--set", "filter.plots=false"]


@pytest.fixture(scope="module")
def traces(tmp_path_factory) -> Path:
    spec = importlib.util.spec_from_file_location("synthetic_traces", ROOT / "benchmarks" / "synthetic_traces.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    folder = tmp_path_factory.mktemp("traces")
    module.write(folder, 400, files=2, seed=3, malformed_every=50)  # ~25 chunks, ~6 shard groups
    return folder


def args(traces: Path, out: Path, workers: int = 1) -> list[str]:
    return ["filter", "--input", str(traces), "--output", str(out), "--workers", str(workers), *SETTINGS]


def outputs(out: Path) -> dict[str, bytes]:
    """Everything a run leaves that must not depend on interruptions (timings and the verifier's
    cache-miss count, which depends on what the cache had seen, excluded)."""
    files = {f"data/{p.name}": p.read_bytes() for p in sorted((out / "data").iterdir())}
    for name in ("rejects.jsonl", "quarantine.jsonl"):
        files[name] = (out / name).read_bytes()
    funnel = json.loads((out / "funnel.json").read_text())
    for key in ("seconds", "wall_seconds", "rows_per_second", "verify_calls", "workers"):
        funnel.pop(key)
    for step in funnel["steps"]:
        step.pop("seconds")
    files["funnel"] = json.dumps(funnel, sort_keys=True).encode()
    return files


@pytest.fixture(scope="module")
def reference(traces, tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("reference") / "out"
    assert main(args(traces, out)) == 0
    assert not (out / ".spool").exists()
    return outputs(out)


def killed(traces: Path, out: Path, moment: str, workers: int = 1) -> None:
    env = {**os.environ, "DISTILL_FILTER_KILL_AT": moment, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "distill", *args(traces, out, workers)], env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]


@pytest.mark.parametrize("moment, says", [
    ("pass1:3", "3 chunks of pass 1"),  # in the middle of pass 1
    ("pass2:2", "2 of"),  # two shard groups written, the rest not
    ("rename:1", None),  # one shard renamed to its final name, the others not
    ("end:1", None),  # every output written, the spool not yet removed
])
def test_a_run_killed_at_any_moment_continues_and_writes_what_an_uninterrupted_run_writes(traces, reference, tmp_path, capfd,
                                                                                         moment, says):
    out = tmp_path / "out"
    killed(traces, out, moment)
    assert (out / ".spool" / "run.json").is_file()
    capfd.readouterr()
    assert main(args(traces, out)) == 0
    if says:
        assert says in capfd.readouterr().err
    assert outputs(out) == reference
    assert not (out / ".spool").exists()


@pytest.mark.slow
def test_with_two_workers_a_kill_in_either_pass_loses_nothing(traces, reference, tmp_path):
    for moment in ("pass1:10", "pass2:1"):
        out = tmp_path / moment.replace(":", "-")
        killed(traces, out, moment, workers=2)
        assert main(args(traces, out, workers=2)) == 0
        assert outputs(out) == reference


def test_a_rerun_over_an_older_runs_leftover_shards_replaces_them(traces, reference, tmp_path):
    """Issue #19: leftover data/.tmp-*.parquet matched two globs and were unlinked twice (a traceback)."""
    out = tmp_path / "out"
    data = out / "data"
    data.mkdir(parents=True)
    for name in (".tmp-00000.parquet", ".tmp-00007.parquet", "train-00000-of-00009.parquet", ".tmp-00001.parquet.part"):
        (data / name).write_bytes(b"old")
    (out / "rejects.jsonl").write_text("old\n")
    assert main(args(traces, out)) == 0
    assert outputs(out) == reference


def test_a_changed_input_or_config_starts_over_instead_of_resuming(traces, tmp_path, capfd):
    out = tmp_path / "out"
    killed(traces, out, "pass1:3")
    capfd.readouterr()
    assert main(args(traces, out) + ["--set", "filter.selection.k=1"]) == 0
    assert "continuing" not in capfd.readouterr().err
    funnel = json.loads((out / "funnel.json").read_text())
    assert funnel["kept"] + funnel["rejected"] + funnel["malformed"] == funnel["read"]
