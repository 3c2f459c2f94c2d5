"""`distill train-teacher` / `train-baseline` (GRPO) reruns: a finished run reruns as a no-op (no
extra step, no extra generated tokens, nothing rewritten); kill -9 mid-run then a rerun ends at the
same step count as an uninterrupted run; a generate run to match that is unfinished is refused."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import yaml

from distill.cli import main

GRPO = {"num_generations": 2, "per_device_train_batch_size": 4, "max_completion_length": 8,
        "learning_rate": 1.0e-4, "beta": 0.0, "save_steps": 1, "max_steps": 2}


def write_recipe(path, model_dir, out_dir, **section):
    recipe = {"seed": 0, "output_dir": str(out_dir),
              "train_baseline": {"model": str(model_dir), "prompts": {"kind": "toy", "name": "arithmetic", "limit": 4},
                                 "template": "plain", "rewards": {"accuracy": 1.0}, "grpo": GRPO, "plot": False, **section}}
    path.write_text(yaml.safe_dump(recipe))
    return path


def snapshot(out):
    return {str(p.relative_to(out)): (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*")
            if p.is_file() and p.name != ".distill.lock"}


def test_a_finished_grpo_run_reruns_as_a_no_op_byte_for_byte(tiny_qwen_dir, tmp_path, capsys):
    recipe = write_recipe(tmp_path / "r.yaml", tiny_qwen_dir, tmp_path / "run")
    out = tmp_path / "run" / "train_baseline"
    assert main(["train-baseline", str(recipe)]) == 0
    steps = json.loads((out / "manifest.json").read_text())["counts"]["steps"]
    before = snapshot(out)
    capsys.readouterr()
    assert main(["train-baseline", str(recipe)]) == 0
    assert "train_baseline: already complete in" in capsys.readouterr().err
    assert snapshot(out) == before and steps == 2  # no 3rd step, no more generated tokens
    assert not _rerun_imports_torch(recipe)  # the no-op is decided before any heavy import


@pytest.mark.slow
def test_kill_9_mid_run_then_rerun_reaches_the_same_step_count(tiny_qwen_dir, tmp_path):
    recipe = write_recipe(tmp_path / "r.yaml", tiny_qwen_dir, tmp_path / "run")
    out = tmp_path / "run" / "train_baseline"
    proc = subprocess.Popen([sys.executable, "-m", "distill", "train-baseline", str(recipe)],
                            env={**os.environ, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while not (out / "checkpoint-1" / "trainer_state.json").is_file() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert json.loads((out / "manifest.json").read_text())["status"] == "running"
    assert main(["train-baseline", str(recipe)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "ok" and manifest["counts"]["steps"] == 2
    assert manifest["training"]["resumed_from"] is not None


def test_an_unfinished_generate_run_to_match_is_refused(tiny_qwen_dir, tmp_path, capsys):
    generate = tmp_path / "gen"
    generate.mkdir()
    (generate / "manifest.json").write_text(json.dumps({"stage": "generate", "status": "running", "counts": {}}))
    recipe = write_recipe(tmp_path / "r.yaml", tiny_qwen_dir, tmp_path / "run", budget={"match_generate": str(generate)})
    assert main(["train-baseline", str(recipe)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(generate) in err and "is running" in err and "distill generate" in err
    assert not (tmp_path / "run" / "train_baseline").exists()


def _rerun_imports_torch(recipe) -> bool:
    """Run the command again in a fresh interpreter: whether it imported torch to find nothing to do."""
    code = ("import sys; from distill.cli import main; code = main(['train-baseline', sys.argv[1]]); "
            "print(code, 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(recipe)], capture_output=True, text=True, check=True)
    assert out.stdout.split()[0] == "0" and "already complete" in out.stderr, out.stderr
    return out.stdout.split()[1] == "True"

