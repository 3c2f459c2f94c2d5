"""`distill train-student` reruns and faults: a finished run reruns as a no-op (nothing rewritten,
no extra step); kill -9 while training, or while a checkpoint is being saved, then a rerun ends
where an uninterrupted run ends; an unfinished filter output is refused; a full disk is one line."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from distill.cli import main

STEPS = 4


def write_traces(path: Path, n: int = 7) -> Path:
    from distill.toy.setup import sft_conversation
    from distill.toy.tasks import make_problems

    with open(path, "w", encoding="utf-8") as fh:
        for problem in make_problems("arithmetic", "train", n):
            fh.write(json.dumps(sft_conversation(problem)) + "\n")
    return path


def write_recipe(path: Path, model: Path, dataset: Path, out: Path, **sft) -> Path:
    # 7 rows in batches of 2: 4 steps an epoch, so max_steps 5 is not a multiple of it.
    options = {"max_steps": STEPS, "learning_rate": 1.0e-3, "per_device_train_batch_size": 2, "logging_steps": 1,
               "save_steps": 2, "lr_scheduler_type": "cosine", "report_to": "none", **sft}
    recipe = {"seed": 0, "output_dir": str(out),
              "train_student": {"model": str(model), "dataset": str(dataset), "max_length": 256, "sft": options}}
    path.write_text(yaml.safe_dump(recipe))
    return path


def snapshot(out: Path) -> dict[str, tuple[bytes, int]]:
    """Every file's bytes and mtime, but the lock's (it names the latest holder)."""
    return {str(p.relative_to(out)): (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*")
            if p.is_file() and p.name != ".distill.lock"}


def weights(out: Path) -> dict:
    from safetensors.torch import load_file

    return load_file(str(out / "model.safetensors"))


def same_weights(a: Path, b: Path) -> None:
    import torch

    wa, wb = weights(a), weights(b)
    assert wa.keys() == wb.keys()
    for key in wa:
        assert torch.allclose(wa[key], wb[key], atol=1e-5), key


@pytest.fixture(scope="module")
def reference(tiny_qwen_dir, tmp_path_factory):
    """One uninterrupted run: what every interrupted-then-rerun case must end at."""
    tmp = tmp_path_factory.mktemp("sft_ref")
    recipe = write_recipe(tmp / "r.yaml", tiny_qwen_dir, write_traces(tmp / "traces.jsonl", 7), tmp / "run", max_steps=5)
    assert main(["train-student", str(recipe)]) == 0
    return recipe, tmp / "run" / "train_student"


def test_a_finished_run_reruns_as_a_no_op_byte_for_byte(tiny_qwen_dir, tmp_path, capsys):
    recipe = write_recipe(tmp_path / "r.yaml", tiny_qwen_dir, write_traces(tmp_path / "traces.jsonl", 3), tmp_path / "run",
                          max_steps=3)  # 3 rows in batches of 2: 2 steps an epoch, 3 is not a multiple of it
    out = tmp_path / "run" / "train_student"
    assert main(["train-student", str(recipe)]) == 0
    before = snapshot(out)
    capsys.readouterr()
    assert main(["train-student", str(recipe)]) == 0
    assert "train_student: already complete in" in capsys.readouterr().err
    assert snapshot(out) == before  # not one file rewritten: no extra step, no new weights
    assert json.loads((out / "manifest.json").read_text())["train"]["global_steps"] == 3
    assert not _rerun_imports_torch(recipe)  # the no-op is decided before any heavy import


def _start(recipe: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "distill", "train-student", str(recipe)],
                            env={**os.environ, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.slow
@pytest.mark.parametrize("moment", ["while loading", "after checkpoint-2"])
def test_kill_9_then_rerun_ends_where_an_uninterrupted_run_ends(reference, tiny_qwen_dir, tmp_path, moment):
    ref_recipe, ref_out = reference
    recipe = write_recipe(tmp_path / "r.yaml", tiny_qwen_dir, write_traces(tmp_path / "traces.jsonl", 7), tmp_path / "run",
                          max_steps=5)
    out = tmp_path / "run" / "train_student"
    proc = _start(recipe)
    deadline = time.monotonic() + 120
    wanted = out / "checkpoint-2" / "trainer_state.json"
    while proc.poll() is None and time.monotonic() < deadline:
        if moment == "while loading" and (out / "manifest.json").is_file() or wanted.is_file():
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert json.loads((out / "manifest.json").read_text())["status"] == "running"  # nothing partial marked complete
    assert main(["train-student", str(recipe)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "ok" and manifest["train"]["global_steps"] == 5
    same_weights(out, ref_out)


@pytest.mark.slow
def test_a_checkpoint_cut_short_while_saving_is_removed_and_the_rerun_resumes_before_it(reference, tiny_qwen_dir, tmp_path, capsys):
    _, ref_out = reference
    recipe = write_recipe(tmp_path / "r.yaml", tiny_qwen_dir, write_traces(tmp_path / "traces.jsonl", 7), tmp_path / "run",
                          max_steps=5, save_total_limit=5)  # keep checkpoint-2 around
    out = tmp_path / "run" / "train_student"
    assert main(["train-student", str(recipe)]) == 0
    # What a kill -9 while saving checkpoint-4 leaves: its weights written, no trainer_state.json
    # yet (the trainer's last file), nothing after it, the manifest still running.
    shutil.rmtree(out / "checkpoint-5")
    (out / "checkpoint-4" / "trainer_state.json").unlink()
    manifest = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps({**manifest, "status": "running"}))
    capsys.readouterr()
    assert main(["train-student", str(recipe)]) == 0
    err = capsys.readouterr().err
    assert "removed incomplete checkpoint(s) checkpoint-4" in err, err
    assert f"resuming from {out / 'checkpoint-2'}" in err, err
    assert json.loads((out / "manifest.json").read_text())["train"]["global_steps"] == 5
    same_weights(out, ref_out)


def test_an_unfinished_filter_output_is_refused_unless_taken_on_purpose(tiny_qwen_dir, tmp_path, capsys):
    filtered = tmp_path / "run" / "filter"
    (filtered / "data").mkdir(parents=True)
    write_traces(filtered / "data" / "train.jsonl", 4)
    (filtered / "manifest.json").write_text(json.dumps({"stage": "filter", "status": "failed"}))
    recipe = write_recipe(tmp_path / "r.yaml", tiny_qwen_dir, filtered / "data", tmp_path / "run", max_steps=1)
    assert main(["train-student", str(recipe)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(filtered) in err and "is failed" in err and "distill filter" in err
    assert "--allow-partial-input" in err and not (tmp_path / "run" / "train_student").exists()
    assert main(["train-student", str(recipe), "--allow-partial-input"]) == 0
    manifest = json.loads((tmp_path / "run" / "train_student" / "manifest.json").read_text())
    assert manifest["allow_partial_input"] is True and manifest["inputs"][0]["partial"] is True


@pytest.mark.slow
def test_a_full_disk_while_saving_a_checkpoint_is_one_line_and_the_rerun_completes(reference, tiny_qwen_dir, tmp_path,
                                                                                    small_tmpfs, capsys):
    _, ref_out = reference
    disk = small_tmpfs("7m")  # checkpoint-2 (about 4.7 MB) fits, checkpoint-4 does not
    recipe = write_recipe(tmp_path / "r.yaml", tiny_qwen_dir, write_traces(tmp_path / "traces.jsonl", 7), disk / "run",
                          max_steps=5)
    out = disk / "run" / "train_student"
    capsys.readouterr()
    assert main(["train-student", str(recipe)]) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("distill train-student: error: ") and "No space left on device" in err[-1]
    assert "free space" in err[-1]
    assert json.loads((out / "manifest.json").read_text())["status"] == "failed"
    assert sorted(p.name for p in out.glob("checkpoint-*")) == ["checkpoint-2"]  # the cut-short one is gone
    small_tmpfs.resize(disk, "64m")
    assert main(["train-student", str(recipe)]) == 0
    assert json.loads((out / "manifest.json").read_text())["train"]["global_steps"] == 5
    same_weights(out, ref_out)


def test_fresh_and_partial_input_reach_the_processes_of_a_multi_process_launch(tmp_path):
    from distill.recipe import load_recipe
    from distill.train.sft.launch import launch_command

    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump({"train_student": {"model": "m", "dataset": "d.jsonl", "num_processes": 2}}))
    cfg = load_recipe(path).section("train_student")
    cmd = launch_command(cfg, str(path), [], fresh=True, allow_partial_input=True)
    assert cmd[-2:] == ["--fresh", "--allow-partial-input"] and "distill.train.sft.entry" in cmd


def _rerun_imports_torch(recipe) -> bool:
    """Run the command again in a fresh interpreter: whether it imported torch to find nothing to do."""
    code = ("import sys; from distill.cli import main; code = main(['train-student', sys.argv[1]]); "
            "print(code, 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(recipe)], capture_output=True, text=True, check=True)
    assert out.stdout.split()[0] == "0" and "already complete" in out.stderr, out.stderr
    return out.stdout.split()[1] == "True"

