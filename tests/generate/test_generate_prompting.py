"""R1 prompting: per-domain instruction (never doubled), the teacher's chat template, the forced <think>."""

from __future__ import annotations

import pytest

from distill.errors import DistillError
from distill.generate.config import R1_INSTRUCTION, PromptingConfig
from distill.generate.prompting import build_prompt, user_turn

MATH = "{problem}\n" + R1_INSTRUCTION


def test_user_turn_does_not_double_the_instruction():
    assert user_turn("What is 2+2?", MATH) == "What is 2+2?\n" + R1_INSTRUCTION
    already = "What is 2+2?\n" + R1_INSTRUCTION
    assert user_turn(already, MATH) == already
    assert user_turn("f(x) = {x}", "Q: {problem}") == "Q: f(x) = {x}"  # braces in problems are safe


def test_build_prompt_with_chat_template_and_forced_think(toy_tokenizer_dir):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(toy_tokenizer_dir))  # ChatML, like Qwen
    prompt = build_prompt("What is 2+2?", "math", PromptingConfig(), tok)
    assert prompt.text == ("<|im_start|>user\nWhat is 2+2?\n" + R1_INSTRUCTION + "<|im_end|>\n<|im_start|>assistant\n<think>\n")
    assert prompt.prefix == "<think>\n"
    system = build_prompt("Hi", "general", PromptingConfig(system_prompt="Be brief.", force_think=False), tok)
    assert system.text == "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
    assert system.prefix == ""


def test_template_that_already_opens_think_gets_no_second_one(toy_tokenizer_dir):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(toy_tokenizer_dir))
    tok.chat_template = tok.chat_template + "{%- if add_generation_prompt %}{{- '<think>\\n' }}{%- endif %}"
    prompt = build_prompt("What is 1+1?", "math", PromptingConfig(), tok)
    assert prompt.text.endswith("<|im_start|>assistant\n<think>\n") and prompt.text.count("<think>") == 1
    assert prompt.prefix == "<think>\n"  # the completion still starts with it
    tok.chat_template = None
    with pytest.raises(DistillError, match="no chat template"):
        build_prompt("x", "math", PromptingConfig(), tok)
    raw = build_prompt("x", "math", PromptingConfig(chat_template=False), tok)
    assert raw.text == "x\n" + R1_INSTRUCTION + "<think>\n"
