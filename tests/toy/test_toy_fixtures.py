"""The session fixtures hand out complete, loadable directories."""

import pytest


def test_tokenizer_dir_loads(toy_tokenizer_dir):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(toy_tokenizer_dir)
    assert tok.eos_token == "<|im_end|>" and tok.pad_token == "<|endoftext|>"


@pytest.mark.parametrize("fixture", ["tiny_qwen_dir", "tiny_llama_dir"])
def test_model_dirs_complete(fixture, request):
    path = request.getfixturevalue(fixture)
    for name in ("config.json", "generation_config.json", "model.safetensors", "tokenizer.json",
                 "tokenizer_config.json", "chat_template.jinja"):
        assert (path / name).is_file(), name
