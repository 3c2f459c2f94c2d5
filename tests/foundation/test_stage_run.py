"""StageRun, the lifecycle every stage shares: a finished stage with the same recipe and inputs is
"already complete" and untouched; a fault (full disk, permission) ends in one line with the
manifest saying failed, even when the disk has no room left for it."""

from __future__ import annotations

import errno
import json

import pytest

from distill.errors import DistillError
from distill.manifest import MANIFEST, StageRun, read_manifest
from distill.recipe import recipe_from_dict


def recipe(tmp_path, **report):
    return recipe_from_dict({"seed": 0, "output_dir": str(tmp_path), "report": {"title": "t", **report}})


def run_once(r, out, inputs=None):
    with StageRun(out, r, "report", inputs=inputs, skip_if_complete=True) as run:
        if run.skipped:
            return "skipped"
        (out / "result.txt").write_text("done")
        return "ran"


def test_a_finished_stage_with_the_same_recipe_and_inputs_is_already_complete(tmp_path, capsys):
    out = tmp_path / "report"
    assert run_once(recipe(tmp_path), out) == "ran"
    manifest = (out / MANIFEST).read_bytes()
    assert run_once(recipe(tmp_path), out) == "skipped"
    assert "report: already complete in" in capsys.readouterr().err
    assert (out / MANIFEST).read_bytes() == manifest  # untouched, byte for byte
    assert run_once(recipe(tmp_path, title="changed"), out) == "ran"  # another recipe section
    assert run_once(recipe(tmp_path, title="changed"), out, inputs=[{"path": "x", "ended": "1"}]) == "ran"  # an input changed
    assert run_once(recipe(tmp_path, title="changed"), out, inputs=[{"path": "x", "ended": "1"}]) == "skipped"


def test_an_interrupted_or_failed_stage_is_not_complete(tmp_path):
    out = tmp_path / "report"
    with pytest.raises(ValueError):
        with StageRun(out, recipe(tmp_path), "report", skip_if_complete=True):
            raise ValueError("boom")
    assert read_manifest(out)["status"] == "failed" and read_manifest(out)["error"] == "ValueError: boom"
    assert run_once(recipe(tmp_path), out) == "ran"


@pytest.mark.parametrize("code, words", [(errno.ENOSPC, "free space there"), (errno.EACCES, "make it accessible"),
                                         (errno.ENOENT, "it was removed")])
def test_a_fault_is_one_line_naming_the_path_and_the_fix_and_the_manifest_says_failed(tmp_path, code, words):
    out = tmp_path / "report"
    with pytest.raises(DistillError) as caught:
        with StageRun(out, recipe(tmp_path), "report"):
            raise OSError(code, "simulated", str(out / "shard.jsonl"))
    line = str(caught.value)
    assert "\n" not in line and str(out / "shard.jsonl") in line and words in line and "manifest says failed" in line
    assert read_manifest(out)["status"] == "failed"


def test_a_full_disk_still_gets_its_failed_manifest_and_leaves_no_temp_file(tmp_path, small_tmpfs):
    disk = small_tmpfs("64k")
    out = disk / "report"
    with pytest.raises(DistillError, match="No space left on device"):
        with StageRun(out, recipe(tmp_path), "report"):
            with open(out / "big.bin", "wb") as fh:  # fill the disk to the last byte
                while True:
                    fh.write(b"x" * 4096)
                    fh.flush()
    manifest = json.loads((out / MANIFEST).read_text())  # written over the running manifest's reserve
    assert manifest["status"] == "failed" and "No space left on device" in manifest["error"]
    assert not list(out.glob("*.tmp"))
    (out / "big.bin").unlink()
    small_tmpfs.resize(disk, "1m")
    assert run_once(recipe(tmp_path), out) == "ran"  # the rerun goes on
