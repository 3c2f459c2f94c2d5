"""Each record-level filter on hand-written records: keep, or reject with its reason."""

from __future__ import annotations

import pytest

from distill.filter import truncated
from distill.filter.config import CorrectnessConfig, FormatConfig, LanguageConfig, LengthConfig, RepetitionConfig
from distill.filter.format import FormatFilter, split
from distill.filter.length import LengthFilter
from distill.filter.repetition import RepetitionFilter


def test_format_accepts_one_block_with_answer(traces):
    assert FormatFilter(FormatConfig())(traces()) is None
    assert FormatFilter(FormatConfig())(traces(completion="  \n<think>a thought</think>\n\\boxed{1}")) is None


@pytest.mark.parametrize("completion, why", [
    ("no tags at all, \\boxed{1}", "no <think> block"),
    ("<think>never closed", "no </think>"),
    ("<think>a</think> b <think>c</think> d", "expected one block"),
    ("text first <think>a</think> answer", "not at the start"),
    ("<think>   </think> answer", "empty <think> block"),
    ("<think>a thought</think>  \n ", "no final answer"),
])
def test_format_rejects(traces, completion, why):
    decision = FormatFilter(FormatConfig())(traces(completion=completion))
    assert decision is not None and decision.reason == "format" and why in decision.detail


def test_format_forced_prefix_and_general(traces):
    forced = traces(completion="the thought continues here</think>\n\nanswer \\boxed{42}")
    assert FormatFilter(FormatConfig())(forced) is None
    assert FormatFilter(FormatConfig(allow_forced_prefix=False))(forced).reason == "format"
    chat = traces(domain="general", completion="Hello! A plain chat answer.")
    assert FormatFilter(FormatConfig())(chat) is None
    assert FormatFilter(FormatConfig(general_requires_think=True))(chat).reason == "format"
    parts = split("<think>\n x \n</think>\n\n y ")
    assert parts.think == "x" and parts.answer == "y"


def test_truncated(traces):
    assert truncated.check(traces()) is None
    assert truncated.check(traces(finish_reason="length")).reason == "truncated"


def test_length_uses_completion_tokens(traces):
    f = LengthFilter(LengthConfig(min_tokens=10, max_tokens=1000))
    assert f(traces(completion_tokens=500)) is None
    assert "< min_tokens" in f(traces(completion_tokens=5)).detail
    assert "> max_tokens" in f(traces(completion_tokens=5000)).detail
    assert "estimated" in f(traces(completion_tokens=None, completion="x" * 8000)).detail


def test_length_with_student_tokenizer(traces, toy_tokenizer_dir):
    rec = traces(completion_tokens=1)  # the teacher's count is ignored when a tokenizer is named
    f = LengthFilter(LengthConfig(min_tokens=0, max_tokens=20, tokenizer=str(toy_tokenizer_dir)))
    decision = f(rec)
    assert decision is not None and "student tokens" in decision.detail
    n = len(f.tokenizer()(rec["completion"], add_special_tokens=False)["input_ids"])
    assert LengthFilter(LengthConfig(min_tokens=0, max_tokens=n, tokenizer=str(toy_tokenizer_dir)))(rec) is None


def test_repetition_catches_loops_not_prose(traces):
    f = RepetitionFilter(RepetitionConfig())
    assert f(traces()) is None
    loop = traces(think=traces()["completion"][:3000] + "\nWait, let me recompute the sum of the digits." * 200)
    decision = f(loop)
    assert decision is not None and decision.reason == "repetition"
    # one line repeated with varying numbers still compresses, but the line check does not fire
    lines = traces(think="\n".join(f"step {i}: add {i * 7919 % 1000} to the total {i * 104729 % 99991}" for i in range(300)))
    assert f(lines) is None


def test_correctness_with_shared_verifier(traces):
    from distill.filter.correctness import CorrectnessFilter

    f = CorrectnessFilter(CorrectnessConfig())
    assert f(traces(answer="42")) is None
    wrong = f(traces(answer="42", boxed="41"))
    assert wrong is not None and wrong.reason == "correctness" and "41" in wrong.detail
    assert f(traces(answer="\\frac{1}{2}", boxed="0.5")) is None  # math-verify equivalence
    assert f(traces(domain="general")) is None  # no reference: passes unchecked
    assert f(traces(domain="choice", answer="B", boxed="B")) is None
    assert f(traces(domain="choice", answer="B", boxed="C")).reason == "correctness"


def test_correctness_cache_gives_the_same_verdicts(traces):
    from distill.filter.correctness import CorrectnessFilter

    cached, uncached = CorrectnessFilter(CorrectnessConfig()), CorrectnessFilter(CorrectnessConfig(cache=False))
    recs = [traces("p", i, boxed=b) for i, b in enumerate(["42", "41", "42", "42", "41", "{42}"])]
    assert [cached(r) is None for r in recs] == [uncached(r) is None for r in recs]
    assert cached.calls < uncached.calls


def test_repetition_catches_short_loops_under_500_chars(traces):
    f = RepetitionFilter(RepetitionConfig())
    short = [
        "<think>\n" + "Let me check. " * 20 + "\n</think>\n\n\\boxed{7}",
        "<think>\nadd them</think>\n\n" + "7 " * 60,
        "<think>\n" + "\\boxed{7}" * 25 + "\n</think>\n\n\\boxed{7}",
    ]
    for completion in short:
        assert len(completion) < 500
        decision = f(traces(completion=completion))
        assert decision is not None and decision.reason == "repetition" and "short tail" in decision.detail, completion
    fine = [
        "<think>\n3 + 4 = 7, and 7 - 4 = 3 checks out.\n</think>\n\nThe answer is $\\boxed{7}$.",
        "<think>\nThe sum 1 + 1 + 1 + 1 + 1 + 1 has six terms, each one, so it is six; the product of the same ones is one."
        "\n</think>\n\n$\\boxed{6}$",
        "<think>\nWait. Wait. Let me redo the carry in the tens column: 8 + 5 = 13.\n</think>\n\n$\\boxed{13}$",
    ]
    for completion in fine:
        assert f(traces(completion=completion)) is None, completion
