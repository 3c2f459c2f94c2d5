"""Training targets: the template keeps <think>, loss falls on assistant tokens only, every example
ends on the stop token (open-r1's students that never stop), over-long traces are dropped, not cut."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from distill.errors import DistillError
from distill.train.sft import chat_template as ct

TRL_TEMPLATES = Path(__import__("trl").__file__).parent / "chat_templates"


@pytest.fixture()
def tokenizer(toy_tokenizer_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(toy_tokenizer_dir)


def _render(tokenizer, template):
    return tokenizer.apply_chat_template(ct.PROBE_MESSAGES, chat_template=template, tokenize=False)


def test_toy_template_is_kept(tokenizer):
    choice = ct.resolve_chat_template(tokenizer, "auto")
    assert choice.source == "model" and choice.stop_token == "<|im_end|>"


def test_template_that_strips_think_is_replaced(tokenizer):
    # DeepSeek-R1-Distill's stock template keeps only the text after </think> in assistant turns.
    tokenizer.chat_template = (TRL_TEMPLATES / "deepseek_r1_distill.jinja").read_text()
    check = ct.check_template(tokenizer, tokenizer.chat_template)
    assert not check.ok and "strips <think>" in check.reason
    choice = ct.resolve_chat_template(tokenizer, "auto")
    assert choice.source != "model" and "strips <think>" in choice.replaced_because
    ct.install(tokenizer, choice)
    assert ct.PROBE_THINK in _render(tokenizer, tokenizer.chat_template)
    # chat_template: model refuses to train on a template that loses the reasoning.
    tokenizer.chat_template = (TRL_TEMPLATES / "deepseek_r1_distill.jinja").read_text()
    with pytest.raises(DistillError, match="strips <think>"):
        ct.resolve_chat_template(tokenizer, "model")


def test_base_model_without_template_gets_distill_chatml(tokenizer):
    tokenizer.chat_template = None
    choice = ct.resolve_chat_template(tokenizer, "auto")
    assert choice.source == "distill ChatML" and choice.stop_token == "<|im_end|>" and not choice.added_tokens
    ct.install(tokenizer, choice)
    text = _render(tokenizer, tokenizer.chat_template)
    assert ct.PROBE_THINK in text and text.endswith("<|im_end|>")


def test_stock_templates_without_generation_markers_are_kept(tokenizer):
    # Qwen2.5's stock template has no {% generation %} markers: labels come from where the assistant's
    # text lies in the rendering, so the model's own template trains as published (and with its
    # default system prompt). Every shipped family is in tests/train/test_sft_templates.py.
    tokenizer.chat_template = (TRL_TEMPLATES / "qwen2_5.jinja").read_text()
    choice = ct.resolve_chat_template(tokenizer, "auto")
    assert choice.source == "model" and choice.stop_token == "<|im_end|>"
    assert choice.default_system_prompt.startswith("You are Qwen")


def _without_chatml(tokenizer):
    """A copy of the toy tokenizer whose vocabulary lacks <|im_start|>/<|im_end|> (like Llama 3's)."""
    import json

    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast

    data = json.loads(tokenizer._tokenizer.to_str())
    drop = {"<|im_start|>", "<|im_end|>"}
    data["added_tokens"] = [t for t in data["added_tokens"] if t["content"] not in drop]
    for t in drop:
        data["model"]["vocab"].pop(t, None)

    fast = PreTrainedTokenizerFast(tokenizer_object=Tokenizer.from_str(json.dumps(data)))
    fast.add_special_tokens({"additional_special_tokens": ct.LLAMA3_TOKENS})
    return fast


def test_chatml_tokens_are_added_when_the_vocabulary_has_neither_format(tokenizer):
    bare = _without_chatml(tokenizer)
    bare = _without_llama(bare)
    bare.chat_template = None
    choice = ct.resolve_chat_template(bare, "auto")
    assert choice.source == "distill ChatML" and choice.added_tokens == ct.CHATML_TOKENS
    ct.install(bare, choice)
    assert ct.check_template(bare, bare.chat_template).stop_token == "<|im_end|>"


def _without_llama(tokenizer):
    import json

    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast

    data = json.loads(tokenizer._tokenizer.to_str())
    data["added_tokens"] = [t for t in data["added_tokens"] if t["content"] not in ct.LLAMA3_TOKENS]
    return PreTrainedTokenizerFast(tokenizer_object=Tokenizer.from_str(json.dumps(data)))


def test_pad_token_is_distinct_from_eos(tokenizer):
    tokenizer.pad_token = "<|im_end|>"
    assert ct.choose_pad_token(tokenizer, "<|im_end|>") == "<|endoftext|>"


def _conversations():
    from distill.toy.tasks import make_problems

    return [[{"role": "user", "content": p["problem"]}, {"role": "assistant", "content": p["solution"]}]
            for p in make_problems("arithmetic", "train", 6, difficulty=2)]


def test_labels_cover_assistant_tokens_and_end_on_eos(tokenizer, tmp_path):
    import datasets

    from distill.train.sft.data import IGNORE, prepare_sft_dataset

    convs = _conversations()
    long_trace = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "<think>" + "x " * 400 + "</think>\n\nA"}]
    rows = convs + [long_trace, [{"role": "user", "content": "no answer"}], "not a list"]
    ds = datasets.Dataset.from_dict({"messages": [json.dumps(r) for r in rows]})
    ds = ds.map(lambda r: {"messages": json.loads(r["messages"]) if r["messages"].startswith("[") else None})
    eos = tokenizer.convert_tokens_to_ids("<|im_end|>")
    kept, counts = prepare_sft_dataset(ds, tokenizer, tokenizer.chat_template, max_length=256, eos_id=eos,
                                       rejects_path=tmp_path / "rejected.jsonl")
    assert counts["read"] == 9 and counts["kept"] == 6 and counts["rejected"] == 3
    assert counts["rejected_too_long"] == 1 and counts["rejected_malformed"] == 2
    assert len((tmp_path / "rejected.jsonl").read_text().splitlines()) == 3
    for row, conv in zip(kept, convs):
        ids, labels = row["input_ids"], row["labels"]
        labeled = [t for t in labels if t != IGNORE]
        # Exactly the assistant turn (reasoning + answer) and its stop token carry loss.
        assert tokenizer.decode(labeled) == conv[1]["content"] + "<|im_end|>"
        assert labeled[-1] == eos and ids[-1] == eos
        assert conv[0]["content"] not in tokenizer.decode(labeled)
        # Labels are aligned with input ids (no shift here; the model shifts).
        assert all(l == i for l, i in zip(labels, ids) if l != IGNORE)
