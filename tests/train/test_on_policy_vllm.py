"""On-policy distillation with the student's generation through vLLM (colocate), TRL's weight
sync included: one real run of two steps through `distill train-student`. Starts a vLLM engine
(tens of seconds), so marked slow as well as vllm."""

import json

import pytest
import yaml

from distill.cli import main


@pytest.mark.vllm
@pytest.mark.slow
def test_on_policy_with_vllm_colocate_trains_and_counts_tokens(tiny_qwen_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("VLLM_CPU_KVCACHE_SPACE", "1")
    recipe = {"seed": 0, "output_dir": str(tmp_path / "run"), "train_student": {
        "method": "on_policy", "model": str(tiny_qwen_dir),
        "on_policy": {"teacher": str(tiny_qwen_dir), "prompts": {"kind": "toy", "name": "arithmetic", "limit": 4},
                      "plot": False,
                      "distillation": {"use_vllm": True, "vllm_mode": "colocate", "vllm_gpu_memory_utilization": 0.2,
                                       "max_steps": 2, "per_device_train_batch_size": 2,
                                       "max_completion_length": 8, "save_strategy": "no"}}}}
    (tmp_path / "r.yaml").write_text(yaml.safe_dump(recipe))
    assert main(["train-student", str(tmp_path / "r.yaml")]) == 0
    manifest = json.loads((tmp_path / "run" / "train_student" / "manifest.json").read_text())
    assert manifest["status"] == "ok" and manifest["counts"]["steps"] == 2
    assert 0 < manifest["counts"]["generated_tokens"] <= 2 * 2 * 8
