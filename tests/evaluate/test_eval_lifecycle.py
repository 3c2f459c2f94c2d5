"""`distill eval` as a stage: a model a training stage has not finished is refused in one line
(unless --allow-partial-input, recorded), and a fault while evaluating is one line with the
manifest saying failed. (A finished eval rerun as a no-op: test_eval_hf_run.py.)"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from distill.cli import main


def argv(model, out, *extra):
    return ["eval", "--model", f"student={model}", "--tasks", "toy_arithmetic", "--backend", "hf", "--samples", "1",
            "--limit", "1", "--max-gen-toks", "4", "--out", str(out), *extra]


def test_a_model_whose_training_did_not_finish_is_refused(tiny_qwen_dir, tmp_path, capsys):
    model = tmp_path / "run" / "train_student"
    shutil.copytree(tiny_qwen_dir, model)
    (model / "manifest.json").write_text(json.dumps({"stage": "train_student", "status": "running"}))
    (model / "recipe.resolved.yaml").write_text("train_student: {}\n")
    assert main(argv(model, tmp_path / "eval")) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(model) in err and "train_student output is running" in err
    assert f"distill train-student {model / 'recipe.resolved.yaml'}" in err
    assert not (tmp_path / "eval").exists()


def test_a_fault_while_evaluating_is_one_line_and_the_manifest_says_failed(tiny_qwen_dir, tmp_path, capsys, monkeypatch):
    from distill.evaluate import runner

    def full_disk(config, name, path, out_dir, seed):
        raise OSError(errno.ENOSPC, "No space left on device", str(out_dir / name / "samples.jsonl"))

    monkeypatch.setattr(runner, "evaluate_model", full_disk)
    assert main(argv(tiny_qwen_dir, tmp_path / "eval")) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]  # after the progress lines: one error line
    assert err.startswith("distill eval: error: eval: No space left on device")
    assert str(tmp_path / "eval" / "student" / "samples.jsonl") in err and "free space" in err
    assert json.loads((tmp_path / "eval" / "manifest.json").read_text())["status"] == "failed"


@pytest.mark.slow
def test_kill_9_between_models_then_rerun_keeps_the_first_and_equals_an_uninterrupted_run(tiny_qwen_dir, tiny_llama_dir,
                                                                                           tmp_path):
    def args(out):
        return ["eval", "--model", f"a={tiny_qwen_dir}", "--model", f"b={tiny_llama_dir}", "--tasks", "toy_arithmetic",
                "--backend", "hf", "--samples", "1", "--limit", "2", "--max-gen-toks", "8", "--out", str(out)]

    out = tmp_path / "run"
    proc = subprocess.Popen([sys.executable, "-m", "distill", *args(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    deadline = time.monotonic() + 300
    while not (out / "a" / "results.json").is_file() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert json.loads((out / "manifest.json").read_text())["status"] == "running"
    first = (out / "a" / "results.json").read_bytes()
    assert main(args(out)) == 0
    assert (out / "a" / "results.json").read_bytes() == first  # the finished model was kept, not redone
    assert main(args(tmp_path / "ref")) == 0
    for name in ("a", "b"):
        got, ref = (json.loads((d / name / "results.json").read_text())["tasks"] for d in (out, tmp_path / "ref"))
        assert got == ref
        assert (out / name / "samples.jsonl").read_text() == (tmp_path / "ref" / name / "samples.jsonl").read_text()
