"""The toy tokenizer: round-trips any text, keeps <think> blocks, ChatML template, assistant masks."""

import pytest

CONVERSATION = [
    {"role": "system", "content": "You are a careful solver."},
    {"role": "user", "content": "Compute 3 + 4."},
    {"role": "assistant", "content": "<think>\n3 + 4 = 7\n</think>\n\nThe answer is \\boxed{7}."},
    {"role": "user", "content": "Compute 7 * 2."},
    {"role": "assistant", "content": "<think>\n7 * 2 = 14\n</think>\n\nThe answer is \\boxed{14}."},
]


@pytest.fixture(scope="module")
def tok(toy_tokenizer_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(toy_tokenizer_dir)


@pytest.mark.parametrize("text", [
    "The quick brown fox jumps over the lazy dog.",
    "Compute (3 + 4) * 2 - 5 = 9, so x^2 \\geq \\frac{1}{2} and \\boxed{-1541}.",
    "让我们一步一步地思考。答案是四十二。",
    "mixed: 答案 is 42 ✓ 😀\n\ttabs  and  spaces",
])
def test_round_trip(tok, text):
    ids = tok(text, add_special_tokens=False)["input_ids"]
    assert tok.decode(ids) == text


def test_special_tokens(tok):
    assert tok.eos_token == "<|im_end|>"
    assert tok.pad_token == "<|endoftext|>"
    assert tok.eos_token_id != tok.pad_token_id
    assert tok.model_max_length == 2048
    assert len(tok("<|im_start|>", add_special_tokens=False)["input_ids"]) == 1


def test_think_tokens_are_single_and_not_special(tok):
    text = "<think>\nstep\n</think>\n\nThe answer is \\boxed{3}.<|im_end|>"
    ids = tok(text, add_special_tokens=False)["input_ids"]
    think_id = tok.convert_tokens_to_ids("<think>")
    end_think_id = tok.convert_tokens_to_ids("</think>")
    assert ids[0] == think_id and end_think_id in ids
    decoded = tok.decode(ids, skip_special_tokens=True)
    assert decoded == "<think>\nstep\n</think>\n\nThe answer is \\boxed{3}."


def test_digits_are_single_tokens(tok):
    ids = tok("12345", add_special_tokens=False)["input_ids"]
    assert [tok.decode([i]) for i in ids] == list("12345")


def test_template_keeps_think_in_history_and_last_turn(tok):
    text = tok.apply_chat_template(CONVERSATION, tokenize=False)
    assert text == (
        "<|im_start|>system\nYou are a careful solver.<|im_end|>\n"
        "<|im_start|>user\nCompute 3 + 4.<|im_end|>\n"
        "<|im_start|>assistant\n<think>\n3 + 4 = 7\n</think>\n\nThe answer is \\boxed{7}.<|im_end|>\n"
        "<|im_start|>user\nCompute 7 * 2.<|im_end|>\n"
        "<|im_start|>assistant\n<think>\n7 * 2 = 14\n</think>\n\nThe answer is \\boxed{14}.<|im_end|>"  # ends on the stop token
    )


def test_generation_prompt_and_no_system(tok):
    text = tok.apply_chat_template(CONVERSATION[1:2], tokenize=False, add_generation_prompt=True)
    assert text == "<|im_start|>user\nCompute 3 + 4.<|im_end|>\n<|im_start|>assistant\n"
    without = tok.apply_chat_template(CONVERSATION[1:2], tokenize=False)
    assert not without.endswith("<|im_start|>assistant\n")


def test_assistant_mask_covers_content_and_eos_exactly(tok):
    out = tok.apply_chat_template(CONVERSATION, return_assistant_tokens_mask=True, return_dict=True)
    ids, mask = out["input_ids"], out["assistant_masks"]
    assert len(ids) == len(mask)
    # Contiguous masked runs, one per assistant turn.
    runs, current = [], []
    for token, flag in zip(ids, mask):
        if flag:
            current.append(token)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    expected = [m["content"] + "<|im_end|>" for m in CONVERSATION if m["role"] == "assistant"]
    assert [tok.decode(run) for run in runs] == expected
    assert all(run[-1] == tok.eos_token_id for run in runs)


def test_build_is_deterministic(toy_tokenizer_dir, tmp_path):
    from distill.toy.tokenizer import build_tokenizer

    build_tokenizer(tmp_path / "again")
    assert (tmp_path / "again" / "tokenizer.json").read_bytes() == (toy_tokenizer_dir / "tokenizer.json").read_bytes()


def test_trl_accepts_the_template_for_assistant_only_loss(tok):
    """TRL's own checks: it keeps our template (no swap) and trains the end-of-turn token."""
    from trl.chat_template_utils import has_generation_markers, is_chat_template_stop_token_trained

    assert has_generation_markers(tok.chat_template)
    assert is_chat_template_stop_token_trained(tok)
