"""GRPO with vLLM generation (colocate): one real step through `distill train-baseline`.
Starts a vLLM engine (tens of seconds), so marked slow as well as vllm.

vLLM's CPU backend repacks linear weights after loading and drops the parameters TRL's weight sync
loads into; distill.train.vllm_cpu makes those layers read live weights. The test checks the
end result that matters: after a step with a large learning rate, the weights vLLM samples from
are the trained policy's, not the starting model's."""

import json

import pytest
import torch
import yaml

import distill.train.grpo.trainer as grpo
import distill.train.rewards as rewards
from distill.cli import main


def vllm_model(trainer):
    return trainer.vllm_generation.llm.llm_engine.model_executor.driver_worker.model_runner.model


@pytest.mark.vllm
@pytest.mark.slow
def test_grpo_step_with_vllm_colocate_samples_from_trained_weights(tiny_qwen_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("VLLM_CPU_KVCACHE_SPACE", "1")
    built = []

    def keep_trainer(*args, **kwargs):
        trainer, budget = build_trainer(*args, **kwargs)
        built.append(trainer)
        return trainer, budget

    build_trainer = grpo.build_trainer
    monkeypatch.setattr(grpo, "build_trainer", keep_trainer)
    # A random model earns no accuracy or format reward: every advantage would be 0 and nothing
    # would train. Completion length differs within a group, so this reward (standing in for
    # `overlong`) always moves the weights.
    monkeypatch.setitem(rewards.REGISTRY, "overlong", lambda ctx: lambda completions, **_: [len(str(c)) / 100 for c in completions])
    recipe = {
        "seed": 0, "output_dir": str(tmp_path / "run"),
        "train_baseline": {
            "model": str(tiny_qwen_dir), "template": "plain", "backend": "vllm", "vllm_mode": "colocate",
            "prompts": {"kind": "toy", "name": "arithmetic", "limit": 4},
            "rewards": {"accuracy": 1.0, "overlong": 1.0}, "plot": False,
            "grpo": {"num_generations": 2, "per_device_train_batch_size": 4, "max_completion_length": 12,
                     "max_steps": 2, "beta": 0.0, "learning_rate": 1e-2, "save_strategy": "no",
                     "vllm_gpu_memory_utilization": 0.2},
        },
    }
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(recipe))
    assert main(["train-baseline", str(path)]) == 0
    manifest = json.loads((tmp_path / "run" / "train_baseline" / "manifest.json").read_text())
    assert manifest["status"] == "ok" and manifest["counts"]["steps"] == 2
    assert 0 < manifest["counts"]["generated_tokens"] <= 2 * 4 * 12

    # Step 2 sampled after TRL's sync of step 1; push the final policy the same way and compare.
    trainer = built[0]
    trainer.vllm_generation.sync_weights()
    policy = dict(trainer.model.named_parameters())
    served = dict(vllm_model(trainer).named_parameters())
    attn = "model.layers.0.self_attn."
    qkv = torch.cat([policy[attn + p + "_proj.weight"] for p in "qkv"]).detach()
    from safetensors.torch import load_file

    start = load_file(str(tiny_qwen_dir / "model.safetensors"))
    start_qkv = torch.cat([start[attn + p + "_proj.weight"] for p in "qkv"])
    assert not torch.allclose(start_qkv, qkv, atol=1e-3), "training should have moved the weights"
    assert served[attn + "qkv_proj.weight"].shape == qkv.shape, "vLLM dropped the weight TRL syncs into"
    torch.testing.assert_close(served[attn + "qkv_proj.weight"].float(), qkv.float(), rtol=1e-2, atol=1e-3)
    torch.testing.assert_close(served["model.layers.0.mlp.down_proj.weight"].float(),
                               policy["model.layers.0.mlp.down_proj.weight"].detach().float(), rtol=1e-2, atol=1e-3)
