"""Two-process data parallel training on the CPU (gloo): `distill train-student` with
num_processes=2 re-launches itself through `accelerate launch`, both ranks train one model, rank 0
saves it and writes the manifest."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from test_sft_train import write_recipe, write_traces


def test_two_process_ddp_trains_and_saves(tiny_qwen_dir, tmp_path):
    recipe = write_recipe(tmp_path / "recipe.yaml", tiny_qwen_dir, write_traces(tmp_path / "traces.jsonl", 40),
                          tmp_path / "run", max_steps=3, logging_steps=1, save_steps=3)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
    proc = subprocess.run(
        [sys.executable, "-m", "distill", "train-student", str(recipe), "--set", "train_student.num_processes=2"],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "accelerate.commands.launch" in proc.stderr and "--num_processes 2" in proc.stderr
    out = tmp_path / "run" / "train_student"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "ok"
    assert manifest["train"]["processes"] == 2 and manifest["train"]["global_steps"] == 3
    assert (out / "model.safetensors").is_file() and (out / "checkpoint-3").is_dir()
    # Rank 1 wrote nothing of its own: one manifest, one resolved recipe, rank 0's progress only.
    assert proc.stderr.count("train-student (loss") <= proc.stderr.count("steps (100%)")


def test_two_process_lora_saves_a_merged_model_and_the_adapter(tiny_qwen_dir, tmp_path):
    """Under several processes the live model is wrapped (or sharded): rank 0 merges the saved
    adapter into the base, so later stages load the student by path as after one process."""
    from safetensors.torch import load_file

    recipe = write_recipe(tmp_path / "recipe.yaml", tiny_qwen_dir, write_traces(tmp_path / "traces.jsonl", 40),
                          tmp_path / "run", max_steps=2, learning_rate=1.0e-2)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
    proc = subprocess.run(
        [sys.executable, "-m", "distill", "train-student", str(recipe), "--set", "train_student.num_processes=2",
         "--set", "train_student.lora.r=8"],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = tmp_path / "run" / "train_student"
    assert (out / "adapter" / "adapter_config.json").is_file() and not (out / "adapter_config.json").exists()
    merged, base = load_file(str(out / "model.safetensors")), load_file(str(tiny_qwen_dir / "model.safetensors"))
    assert set(merged) == set(base)  # a plain model: no lora_A / lora_B tensors left
    changed = [k for k in base if not (merged[k] == base[k]).all()]
    assert changed, "the merged weights should carry the trained adapter"
