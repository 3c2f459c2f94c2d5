"""GRPO placement from config.json: the policy's training memory per GPU plus its rollouts; the
shipped R1-Zero recipe (Qwen2.5-32B, 33K-token completions) fits the GPUs it names."""

from __future__ import annotations

import json
from pathlib import Path

from distill.cli import main

REPO = Path(__file__).resolve().parents[2]
QWEN25_32B = {  # config.json fields of Qwen/Qwen2.5-32B that the plan reads
    "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": 5120, "num_hidden_layers": 64,
    "num_attention_heads": 40, "num_key_value_heads": 8, "intermediate_size": 27648, "vocab_size": 152064,
    "max_position_embeddings": 131072, "tie_word_embeddings": False,
}


def _model(tmp_path: Path) -> Path:
    model = tmp_path / "qwen2.5-32b"
    model.mkdir()
    (model / "config.json").write_text(json.dumps(QWEN25_32B))
    return model


def test_r1_zero_recipe_fits_the_gpus_it_names(tmp_path, capsys):
    recipe = str(REPO / "recipes/teacher/r1_zero.yaml")
    model = f"train_teacher.model={_model(tmp_path)}"
    assert main(["train-teacher", recipe, "--plan", "--set", model, "--set", f"output_dir={tmp_path / 'run'}"]) == 0
    out = capsys.readouterr().out
    assert "zero3 over 16 process(es)" in out and "WARNING" not in out and "DOES NOT FIT" not in out
    # What the recipe used to say: 16 completions of 33K tokens per GPU on 8 GPUs.
    assert main(["train-teacher", recipe, "--plan", "--set", model, "--set", "train_teacher.gpus=8",
                 "--set", "train_teacher.grpo.per_device_train_batch_size=16"]) == 0
    assert "WARNING: does not fit" in capsys.readouterr().out
    assert not (tmp_path / "run").exists()


def test_colocated_vllm_shares_each_training_gpu(tmp_path):
    from distill.placement import plan_grpo
    from distill.recipe import load_recipe

    overrides = [f"train_teacher.model={_model(tmp_path)}", "train_teacher.vllm_mode=colocate",
                 "train_teacher.grpo.vllm_gpu_memory_utilization=0.3"]
    cfg = load_recipe(str(REPO / "recipes/teacher/r1_zero.yaml"), overrides).section("train_teacher")
    placement = plan_grpo(QWEN25_32B, cfg)
    assert placement.colocate and placement.per_gpu_gib > placement.training.total(True)
    assert not placement.fits  # 0.3 x 80 GB cannot hold 61 GiB of bf16 weights for the rollouts
