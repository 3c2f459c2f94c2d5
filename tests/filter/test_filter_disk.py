"""Disk faults in `distill filter`: the space a run needs is checked before it starts, and a disk that
fills up during the run ends in one line naming the path and the fix, with no half-written file left
and the work done so far kept for the rerun. Uses a real tmpfs of a few MB (root), else a faked ENOSPC."""

from __future__ import annotations

import errno
import importlib.util
import subprocess
from pathlib import Path

import pytest

from distill.cli import main
from distill.filter import diskspace, spool

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ["--set", "filter.chunk_size=16", "--set", "filter.decontaminate.eval_sets=[]", "--set", "filter.plots=false"]


@pytest.fixture(scope="module")
def traces(tmp_path_factory) -> Path:
    spec = importlib.util.spec_from_file_location("synthetic_traces", ROOT / "benchmarks" / "synthetic_traces.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    folder = tmp_path_factory.mktemp("traces")
    module.write(folder, 200, files=1, seed=5)  # ~2.5 MB
    return folder


@pytest.fixture
def tiny_disk(tmp_path):
    """A 1 MB tmpfs, mounted for this test (needs root); skipped where it cannot be mounted."""
    folder = tmp_path / "disk"
    folder.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (not root): the faked-ENOSPC test covers the fault path")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


def leftovers(out: Path) -> list[str]:
    return sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.name.endswith((".tmp", ".part")))


def test_a_run_that_cannot_fit_is_refused_before_it_starts(traces, tiny_disk, capfd):
    out = tiny_disk / "out"
    assert main(["filter", "--input", str(traces), "--output", str(out), "--workers", "1", *SETTINGS]) != 0
    err = capfd.readouterr().err.strip().splitlines()
    assert len([line for line in err if "error" in line]) == 1
    assert "not enough disk space in" in err[-1] and str(out) in err[-1] and "needs about" in err[-1]
    assert not (out / ".spool").exists() and not (out / "data").exists()


def test_a_disk_that_fills_up_mid_run_is_one_line_and_leaves_no_partial_file(traces, tiny_disk, capfd, monkeypatch):
    out = tiny_disk / "out"
    monkeypatch.setattr(diskspace, "check", lambda *a, **k: None)  # as if the estimate had been too low
    assert main(["filter", "--input", str(traces), "--output", str(out), "--workers", "1", *SETTINGS]) != 0
    err = capfd.readouterr().err.strip().splitlines()[-1]
    assert "no space left on the device writing" in err and str(out) in err and "rerun" in err, err
    assert "Traceback" not in err
    assert leftovers(out) == []
    assert (out / ".spool" / "run.json").is_file()  # the work done so far stays for the rerun


def test_a_faked_enospc_in_the_workers_spool_write_is_one_line(traces, tmp_path, capfd, monkeypatch):
    """The same fault path without a tmpfs (any user): the spool write raises ENOSPC on chunk 2."""
    real = spool.write_chunk

    def full(folder, chunk, kept, rejects):
        if chunk == 2:
            (folder / ".kept-0000002.arrow.tmp").write_bytes(b"half")  # what a real failed write leaves
            raise OSError(errno.ENOSPC, "No space left on device", str(folder / ".kept-0000002.arrow.tmp"))
        return real(folder, chunk, kept, rejects)

    monkeypatch.setattr(spool, "write_chunk", full)
    out = tmp_path / "out"
    assert main(["filter", "--input", str(traces), "--output", str(out), "--workers", "1", *SETTINGS]) != 0
    err = capfd.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("distill filter: error: filter: no space left on the device writing ") and ".kept-0000002" in err
    assert leftovers(out) == []
    monkeypatch.setattr(spool, "write_chunk", real)
    capfd.readouterr()
    assert main(["filter", "--input", str(traces), "--output", str(out), "--workers", "1", *SETTINGS]) == 0
    assert "2 chunks of pass 1" in capfd.readouterr().err  # the chunks before the fault were not redone


def test_the_space_estimate_counts_what_a_fresh_start_frees(tmp_path):
    out = tmp_path / "out"
    (out / "data").mkdir(parents=True)
    (out / "data" / "train-00000-of-00001.parquet").write_bytes(b"x" * 1000)
    (out / "rejects.jsonl").write_bytes(b"y" * 500)
    assert diskspace.used_by(out, out / ".spool") == 1500
