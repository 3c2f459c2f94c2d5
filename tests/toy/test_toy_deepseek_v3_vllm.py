"""The tiny DeepseekV3 (R1's architecture, the miniature pipeline's teacher) generates the same greedy tokens
in vLLM's CPU build as in transformers.

This is the check that catches a serving mismatch before it shows up as garbled traces: with plain RoPE
vLLM 0.32's CPU rotary kernel mis-rotates MLA's query and key and the two disagree from the first token
(distill/toy/models.py says why). The weights are random but drawn wider than the init (std 0.2, and a
nonzero e_score_correction_bias so noaux_tc's biased expert choice is exercised): at the init's std
0.02 the logits are near-uniform and greedy ties would decide the test instead of the model.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = [pytest.mark.vllm, pytest.mark.slow]
NEW_TOKENS = 20
# Lengths around vLLM's 16-token KV block: one block, several blocks, a long prefill.
PROMPT_LENGTHS = (5, 16, 17, 90, 200)

VLLM_SCRIPT = """
import json, sys
if __name__ == "__main__":  # vLLM's engine starts worker processes by spawning
    from vllm import LLM, SamplingParams
    llm = LLM(model=sys.argv[1], dtype="float32", enforce_eager=True, max_model_len=512, seed=0,
              gpu_memory_utilization=0.2)
    prompts = json.loads(sys.argv[2])
    outs = llm.generate([{"prompt_token_ids": p} for p in prompts],
                        SamplingParams(temperature=0, max_tokens=int(sys.argv[3]), ignore_eos=True))
    print("TOKENS " + json.dumps([list(o.outputs[0].token_ids) for o in outs]))
"""


def _widen(model_dir):
    """Redraw the weights wider (see the module docstring) and save them back."""
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for param in model.parameters():
            if param.dim() >= 2:
                param.copy_(torch.randn(param.shape, generator=generator) * 0.2)
        for name, buffer in model.named_buffers():
            if name.endswith("e_score_correction_bias"):
                buffer.copy_(torch.randn(buffer.shape, generator=generator) * 0.1)
    model.save_pretrained(model_dir)
    return model.eval()


def test_vllm_greedy_tokens_equal_transformers(toy_tokenizer_dir, tmp_path):
    import random

    import torch

    from distill.toy.models import build_tiny_model

    model_dir = build_tiny_model("deepseek_v3", toy_tokenizer_dir, tmp_path / "dsv3")
    model = _widen(model_dir)
    config = model.config
    assert type(model).__name__ == "DeepseekV3ForCausalLM" and config.topk_method == "noaux_tc"
    assert config.q_lora_rank and config.kv_lora_rank == 512 and config.rope_parameters["rope_type"] == "yarn"

    rng = random.Random(0)
    prompts = [[rng.randrange(10, config.vocab_size) for _ in range(n)] for n in PROMPT_LENGTHS]
    expected = []
    for prompt in prompts:  # greedy by hand: EOS is a token like any other, as with ignore_eos in vLLM
        ids = list(prompt)
        with torch.no_grad():
            for _ in range(NEW_TOKENS):
                ids.append(int(model(torch.tensor([ids])).logits[0, -1].argmax()))
        expected.append(ids[len(prompt):])

    script = tmp_path / "greedy.py"
    script.write_text(VLLM_SCRIPT)
    result = subprocess.run([sys.executable, str(script), str(model_dir), json.dumps(prompts), str(NEW_TOKENS)],
                            capture_output=True, text=True, timeout=600,
                            env={**os.environ, "VLLM_CPU_KVCACHE_SPACE": "1"})
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(x for x in result.stdout.splitlines() if x.startswith("TOKENS "))
    got = json.loads(line.removeprefix("TOKENS "))
    for length, want, have in zip(PROMPT_LENGTHS, expected, got):
        assert have == want, f"prompt of {length} tokens: vLLM {have} != transformers {want}"
