"""SFT targets under the real students' and teachers' chat templates, multi-turn.

One table: template × every turn's <think> trained × stop token trained × nothing after it × masks.
Templates are the ones TRL ships inside its package (byte copies of the published ones) and, where
TRL has none, templates derived from them that reproduce the published behaviour; tokenizers are the
toy BPE with each family's real special tokens and BOS/EOS/pad: distill/toy/families.py names the
source of each.
"""

from __future__ import annotations


import pytest

from distill.train.sft import chat_template as ct
from distill.train.sft.labels import IGNORE, build_example

from distill.toy.families import CHATML, DEEPSEEK, LLAMA3, MATH_SYSTEM, family_template, family_tokenizer

SAME = object()  # the family's own template (distill/toy/families.py names each source)


def trl(name: str) -> str:
    return family_template(name)


def qwen3_edited() -> str:
    # Qwen3's published behaviour (reasoning stripped from earlier turns) in a copy TRL does not match
    # byte for byte, as any revision TRL has not stored yet.
    return trl("qwen3") + "\n"


@pytest.fixture(scope="module")
def toy(toy_tokenizer_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(toy_tokenizer_dir)


def make(toy, family: str, template=SAME):
    tokenizer = family_tokenizer(toy, family)
    if template is not SAME:
        tokenizer.chat_template = template()
    return tokenizer


# family, template (SAME: the family's), expected source, stop token, BOS, default system prompt kept, prefill
CASES = {
    "toy ChatML (distill's)": ("qwen2.5", lambda: ct.DISTILL_CHATML, "model", "<|im_end|>", None, "", ""),
    "Qwen2.5-14B/32B (TRL qwen2_5)": ("qwen2.5", SAME, "model", "<|im_end|>", None,
                                      "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.", ""),
    "Qwen2.5-Math-1.5B/7B": ("qwen2.5-math", SAME, "model", "<|im_end|>", None, MATH_SYSTEM, ""),
    "Qwen3 (TRL qwen3: history reasoning stripped)": ("qwen3", SAME, "model (TRL training variant)",
                                                      "<|im_end|>", None, "", ""),
    "Qwen3, a revision TRL does not match": ("qwen3", qwen3_edited, "distill ChatML", "<|im_end|>", None, "", ""),
    "DeepSeek-R1-Distill, <think> forced (TRL)": ("deepseek-r1-distill", SAME, "model (TRL training variant)",
                                                  DEEPSEEK[1], DEEPSEEK[0], "", "<think>\n"),
    "DeepSeek-R1-Distill, release revision": ("deepseek-r1-distill-release", SAME, "distill DeepSeek format",
                                              DEEPSEEK[1], DEEPSEEK[0], "", ""),
    "Llama-3.1-8B / 3.3-70B-Instruct (TRL llama3_1)": ("llama-3.1", SAME, "model", "<|eot_id|>", LLAMA3[0], "", ""),
    "base model, Llama 3 vocabulary": ("llama-3-base", SAME, "distill Llama-3 format", "<|eot_id|>", LLAMA3[0],
                                       "", ""),
    "base model, ChatML vocabulary": ("qwen2.5", lambda: None, "distill ChatML", "<|im_end|>", None, "", ""),
    "base model, no known format": ("bare", SAME, "distill ChatML", "<|im_end|>", None, "", ""),
}

CONVERSATION = [
    {"role": "user", "content": "Compute 3 + 4."},
    {"role": "assistant", "content": "<think>\nthree and four make seven\n</think>\n\nThe answer is 7."},
    {"role": "user", "content": "Now double it."},
    {"role": "assistant", "content": "<think>\nseven times two is fourteen\n</think>\n\nThe answer is 14."},
    {"role": "user", "content": "Minus one?"},
    {"role": "assistant", "content": "<think>\nfourteen minus one is thirteen\n</think>\n\nThe answer is 13."},
]
THINKS = ["three and four make seven", "seven times two is fourteen", "fourteen minus one is thirteen"]
ANSWERS = ["The answer is 7.", "The answer is 14.", "The answer is 13."]


def _spans(labels):
    spans, current = [], None
    for index, label in enumerate(labels):
        if label != IGNORE and current is None:
            current = index
        if label == IGNORE and current is not None:
            spans.append((current, index))
            current = None
    if current is not None:
        spans.append((current, len(labels)))
    return spans


@pytest.mark.parametrize("case", list(CASES))
def test_every_turn_trains_its_reasoning_and_stop_token_and_nothing_else(toy, case):
    family, template, source, stop, bos, default_system, prefill = CASES[case]
    tokenizer = make(toy, family, template)

    choice = ct.resolve_chat_template(tokenizer, "auto")
    ct.install(tokenizer, choice)
    assert (choice.source, choice.stop_token, choice.prefill) == (source, stop, prefill)
    assert choice.default_system_prompt == default_system
    assert bool(choice.added_tokens) == (family == "bare")  # the vocabulary grows only when it has no format
    stop_id = tokenizer.convert_tokens_to_ids(stop)

    example = build_example(tokenizer, choice.template, CONVERSATION, stop_id)
    assert not example.reject, example.reject
    ids, labels = example.input_ids, example.labels
    spans = _spans(labels)
    assert len(spans) == 3  # one labelled span per assistant turn
    for (start, end), think, answer in zip(spans, THINKS, ANSWERS):
        text = tokenizer.decode(ids[start:end])
        assert think in text and answer in text  # the whole reasoning of EVERY turn is trained
        assert ids[end - 1] == stop_id  # the turn's stop token is trained...
        assert end == len(ids) or labels[end] == IGNORE  # ...and nothing right after it
        # Scaffolding is masked: the span starts on the assistant's own text (after the prefill the
        # generation prompt supplies, which the model never generates).
        assert text.startswith(think if prefill else "<think>\n" + think)
    assert ids[-1] == stop_id  # the example ends on the stop token: nothing after the last one
    trained = tokenizer.decode([t for t in labels if t != IGNORE])
    for question in ("Compute 3 + 4.", "Now double it.", "Minus one?"):
        assert question in example.text and question not in trained
    if default_system:
        assert default_system in example.text and default_system not in trained
    for scaffold in ("<｜Assistant｜>", "<｜User｜>", "<|start_header_id|>", "<|im_start|>", "Cutting Knowledge"):
        assert scaffold not in trained
    if bos is not None:
        bos_id = tokenizer.convert_tokens_to_ids(bos)
        assert ids[0] == bos_id and ids.count(bos_id) == 1 and labels[0] == IGNORE


def test_qwen3_stock_template_is_caught_stripping_history_reasoning(toy):
    check = ct.check_template(make(toy, "qwen3"), trl("qwen3"))
    assert not check.ok and "earlier assistant turns" in check.reason


def test_deepseek_stock_template_is_caught_stripping_reasoning(toy):
    check = ct.check_template(make(toy, "deepseek-r1-distill"), trl("deepseek_r1_distill"))
    assert not check.ok and "strips <think>" in check.reason


def test_training_variant_with_newline_in_generation_block_keeps_every_row(toy, tmp_path):
    # TRL's qwen2_5_training puts "\n" + content + "<|im_end|>\n" inside {% generation %}: the leading
    # and trailing newlines are masked, not a reason to reject the row (was: no_eos on every row).
    import datasets

    from distill.train.sft.data import prepare_sft_dataset

    path = tmp_path / "qwen2_5_training.jinja"
    path.write_text(trl("qwen2_5_training"))
    tokenizer = make(toy, "qwen2.5")
    choice = ct.resolve_chat_template(tokenizer, str(path))
    rows = datasets.Dataset.from_dict({"messages": [CONVERSATION, CONVERSATION[:2]]})
    stop_id = tokenizer.convert_tokens_to_ids(choice.stop_token)
    kept, counts = prepare_sft_dataset(rows, tokenizer, choice.template, max_length=512, eos_id=stop_id)
    assert counts["kept"] == 2 and counts["rejected"] == 0
    for row in kept:
        first = next(i for i, t in enumerate(row["labels"]) if t != IGNORE)
        assert tokenizer.decode(row["input_ids"][first:first + 2]).startswith("<think>")
        assert row["input_ids"][-1] == stop_id


def test_system_prompt_choice_keeps_drops_or_sets_the_default(toy):
    tokenizer = make(toy, "qwen2.5-math")
    kept = ct.resolve_chat_template(tokenizer, "auto", "model")
    assert kept.source == "model" and kept.default_system_prompt == MATH_SYSTEM
    assert "default system prompt kept" in kept.summary()
    dropped = ct.resolve_chat_template(tokenizer, "auto", "none")
    assert dropped.source == "distill ChatML" and dropped.default_system_prompt == ""
    assert "system_prompt: none" in dropped.replaced_because
    text = build_example(tokenizer, dropped.template, CONVERSATION[:2], tokenizer.convert_tokens_to_ids("<|im_end|>")).text
    assert MATH_SYSTEM not in text
    custom = ct.resolve_chat_template(tokenizer, "auto", "Think, then answer.")
    assert custom.source == "model" and custom.system_text == "Think, then answer."


def test_rows_the_template_cannot_render_are_rejected_with_a_reason(toy):
    tokenizer = make(toy, "deepseek-r1-distill")
    choice = ct.resolve_chat_template(tokenizer, "auto")
    stop_id = tokenizer.convert_tokens_to_ids(choice.stop_token)
    # The forced "<think>\n" prefill: a trace that does not open with it cannot follow that prompt.
    row = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "no reasoning block, 7"}]
    assert build_example(tokenizer, choice.template, row, stop_id).reject.startswith("prompt_mismatch")
    # The stock template strips the reasoning: never trained on silently.
    reject = build_example(tokenizer, trl("deepseek_r1_distill"), CONVERSATION, stop_id).reject
    assert reject.startswith(("not_rendered", "prompt_mismatch"))


def test_the_choice_is_announced_in_one_line_and_recorded(toy):
    bare = make(toy, "bare")
    choice = ct.resolve_chat_template(bare, "auto")
    line = choice.summary()
    assert "\n" not in line and "vocabulary +2 tokens" in line and "embeddings resized" in line
    assert choice.record()["added_tokens"] == list(CHATML)
