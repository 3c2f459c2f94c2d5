"""`distill eval` as a stage: a model a training stage has not finished is refused in one line
(unless --allow-partial-input, recorded), and a fault while evaluating is one line with the
manifest saying failed. (A finished eval rerun as a no-op: test_eval_hf_run.py.)"""

from __future__ import annotations

import errno
import json
import shutil

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
