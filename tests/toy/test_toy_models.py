"""Tiny models: complete HF directories, head_dim 64, seeded init, generation stops at <|im_end|>."""

import pytest

from distill.errors import DistillError


def _load(path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    return AutoModelForCausalLM.from_pretrained(path), AutoTokenizer.from_pretrained(path)


class _ForceEosAt:
    """A logits processor that allows only EOS once `step` new tokens exist."""

    def __init__(self, prompt_len, step, eos_id):
        self.prompt_len, self.step, self.eos_id = prompt_len, step, eos_id

    def __call__(self, input_ids, scores):
        if input_ids.shape[1] - self.prompt_len == self.step:
            forced = scores.new_full(scores.shape, float("-inf"))
            forced[:, self.eos_id] = 0.0
            return forced
        # Keep EOS out before then, so the stop is the one forced here.
        scores[:, self.eos_id] = float("-inf")
        return scores


@pytest.mark.parametrize("fixture,model_class", [("tiny_qwen_dir", "Qwen2ForCausalLM"),
                                                 ("tiny_llama_dir", "LlamaForCausalLM")])
def test_tiny_model_loads_and_stops_at_eos(fixture, model_class, request):
    from transformers import LogitsProcessorList

    model, tok = _load(request.getfixturevalue(fixture))
    assert type(model).__name__ == model_class
    config = model.config
    assert config.hidden_size // config.num_attention_heads == 64
    assert getattr(config, "head_dim", 64) == 64
    assert config.num_hidden_layers == 2 and config.vocab_size == len(tok)
    assert config.eos_token_id == tok.eos_token_id == model.generation_config.eos_token_id
    assert model.generation_config.pad_token_id == tok.pad_token_id

    inputs = tok.apply_chat_template([{"role": "user", "content": "Compute 3 + 4."}],
                                     add_generation_prompt=True, return_tensors="pt", return_dict=True)
    prompt_len = inputs["input_ids"].shape[1]
    # No eos_token_id passed: the stop comes from the saved generation config.
    out = model.generate(**inputs, max_new_tokens=20, do_sample=False,
                         logits_processor=LogitsProcessorList([_ForceEosAt(prompt_len, 5, tok.eos_token_id)]))
    new = out[0, prompt_len:].tolist()
    assert len(new) == 6 and new[-1] == tok.eos_token_id


def test_seeded_init(toy_tokenizer_dir, tmp_path):
    import torch

    from distill.toy.models import build_tiny_model

    weights = []
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        model, _ = _load(build_tiny_model("llama", toy_tokenizer_dir, tmp_path / name, seed=seed))
        weights.append(model.model.embed_tokens.weight.detach())
    assert torch.equal(weights[0], weights[1])
    assert not torch.equal(weights[0], weights[2])


def test_64_wide_single_head(toy_tokenizer_dir, tmp_path):
    from distill.toy.models import build_tiny_model

    model, tok = _load(build_tiny_model("qwen2", toy_tokenizer_dir, tmp_path / "m", hidden_size=64, num_heads=1,
                                        intermediate_size=128))
    assert model.config.hidden_size == 64 and model.config.num_attention_heads == 1
    out = model.generate(**tok("Compute", return_tensors="pt"), max_new_tokens=3, do_sample=False)
    assert out.shape[1] >= 2


@pytest.mark.parametrize("kwargs,message", [
    ({"arch": "gpt2"}, "unknown tiny-model arch"),
    ({"arch": "qwen2", "hidden_size": 96}, "head_dim 64"),
])
def test_bad_shape_is_refused(toy_tokenizer_dir, tmp_path, kwargs, message):
    from distill.toy.models import build_tiny_model

    arch = kwargs.pop("arch")
    with pytest.raises(DistillError, match=message):
        build_tiny_model(arch, toy_tokenizer_dir, tmp_path / "m", **kwargs)
    assert not (tmp_path / "m").exists()


def test_tiny_deepseek_v3_has_r1s_architecture(tmp_path):
    """R1's config fields, scaled down, and R1's own tokens: MLA (q and kv low-rank), grouped noaux_tc MoE
    after a dense first layer, YaRN RoPE, an untied head, BOS its own token; it generates and stops."""
    from transformers import LogitsProcessorList

    from distill.toy.families import build_family_tokenizer
    from distill.toy.models import build_tiny_model

    build_family_tokenizer("deepseek-r1-distill", tmp_path / "tok")
    model, tok = _load(build_tiny_model("deepseek_v3", tmp_path / "tok", tmp_path / "m"))
    config = model.config
    assert type(model).__name__ == "DeepseekV3ForCausalLM"
    heads = (config.kv_lora_rank, config.qk_rope_head_dim, config.qk_nope_head_dim, config.v_head_dim)
    assert heads == (512, 64, 64, 64)
    assert config.q_lora_rank == 96 and config.first_k_dense_replace == 1 and config.num_hidden_layers == 2
    assert (config.topk_method, config.scoring_func, config.routed_scaling_factor) == ("noaux_tc", "sigmoid", 2.5)
    assert config.n_routed_experts % config.n_group == 0 and config.norm_topk_prob
    assert config.rope_parameters["rope_type"] == "yarn" and not config.tie_word_embeddings
    assert config.bos_token_id == tok.bos_token_id != tok.pad_token_id
    assert config.eos_token_id == tok.eos_token_id == model.generation_config.eos_token_id
    inputs = tok.apply_chat_template([{"role": "user", "content": "Compute 3 + 4."}],
                                     add_generation_prompt=True, return_tensors="pt", return_dict=True)
    prompt_len = inputs["input_ids"].shape[1]
    out = model.generate(**inputs, max_new_tokens=20, do_sample=False,
                         logits_processor=LogitsProcessorList([_ForceEosAt(prompt_len, 5, tok.eos_token_id)]))
    assert out[0, prompt_len:].tolist()[-1] == tok.eos_token_id and out.shape[1] == prompt_len + 6
