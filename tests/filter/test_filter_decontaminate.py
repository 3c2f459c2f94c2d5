"""Decontamination: problems sharing a normalized word n-gram with an eval problem are rejected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from distill.errors import DistillError
from distill.filter.config import DecontaminateConfig
from distill.filter.decontaminate import DecontaminateFilter, Index, load_eval_problems, words

AIME = ("Every morning Aya goes for a $9$-kilometer-long walk and stops at a coffee shop afterwards. "
        "When she walks at a constant speed of $s$ kilometers per hour, the walk takes her 4 hours.")
GPQA = "Which of the following compounds has the highest boiling point at standard atmospheric pressure?"
INSTRUCTION = "\nPlease reason step by step, and put your final answer within \\boxed{}."


@pytest.fixture
def eval_files(tmp_path: Path) -> list[str]:
    aime = tmp_path / "aime_fixture.jsonl"
    aime.write_text(json.dumps({"problem": AIME + INSTRUCTION, "answer": "204"}) + "\n" +
                    json.dumps({"problem": "Find $x$ if $2x = 6$." + INSTRUCTION, "answer": "3"}) + "\n")
    import pyarrow as pa
    import pyarrow.parquet as pq

    gpqa = tmp_path / "gpqa_fixture.parquet"
    pq.write_table(pa.table({"Question": [GPQA], "Correct Answer": ["water"], "Incorrect Answer 1": ["x"]}), gpqa)
    return [str(aime), str(gpqa)]


def make_filter(files, n=8):
    config = DecontaminateConfig(eval_sets=files, ngram=n)
    return DecontaminateFilter(Index(load_eval_problems(config), n))


def test_normalization_strips_instruction_case_and_punctuation():
    assert words("Find  X,\tif 2x=6!" + INSTRUCTION) == ["find", "x", "if", "2x", "=", "6"]
    assert words("a well-known, 9-kilometer walk") == words("A well known 9 -kilometer walk.")


def test_operators_keep_short_arithmetic_problems_apart():
    # Found in the toy demo: with operators dropped, "3 + 4" and "3 * 4" were the same problem.
    f = DecontaminateFilter(Index({"test": ["Compute 6 + 2 - 4." + INSTRUCTION]}, 8))
    assert f({"problem": "Compute 6 * 2 / 4." + INSTRUCTION}) is None
    assert f({"problem": "compute 6+2-4" + INSTRUCTION}).reason == "decontaminate"


def test_catches_copies_with_whitespace_and_case_changes(eval_files):
    f = make_filter(eval_files)
    variants = [
        AIME,
        AIME.upper(),
        "  " + AIME.replace(" ", "   \n").replace("$", ""),
        "Here is a problem for you. " + AIME.lower()[:150] + " What is the answer?",
        GPQA.lower().replace("?", " ?"),
    ]
    for text in variants:
        decision = f({"problem": text})
        assert decision is not None and decision.reason == "decontaminate", text
    assert "aime_fixture" in f({"problem": AIME}).detail and "gpqa_fixture" in f({"problem": GPQA}).detail


def test_short_eval_problems_match_whole_and_clean_problems_pass(eval_files):
    f = make_filter(eval_files)
    assert f({"problem": "find X if 2x = 6."}) is not None  # shorter than n words: matched whole
    assert f({"problem": "Find y if 3y = 12."}) is None
    assert f({"problem": "Aya walks to the coffee shop; how many kilometers per hour must she walk?"}) is None


def test_problem_cache_is_bounded(eval_files):
    f = make_filter(eval_files)
    f.cache_size = 3
    for i in range(10):  # more distinct problems than the cache holds: still a verdict for each
        assert f({"problem": f"Clean problem number {i} about apples."}) is None
        assert f({"problem": AIME}) is not None
    assert len(f._cache) <= 3


def test_unknown_eval_set_name_is_an_error():
    with pytest.raises(DistillError, match="neither a file"):
        load_eval_problems(DecontaminateConfig(eval_sets=["not_a_benchmark"]))


def test_offline_hub_set_is_skipped_with_warning(capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    assert load_eval_problems(DecontaminateConfig(eval_sets=["gpqa_diamond"])) == {}
    assert "not loaded" in capsys.readouterr().err
    with pytest.raises(DistillError, match="cannot load eval set"):
        load_eval_problems(DecontaminateConfig(eval_sets=["gpqa_diamond"], strict=True))


SHARED = Path(__file__).resolve().parents[3] / "shared" / "benchmarks"


@pytest.mark.skipif(not (SHARED / "math500.jsonl").is_file(), reason="../shared/benchmarks not present")
def test_shared_benchmarks_by_name_via_eval_dir():
    config = DecontaminateConfig(eval_sets=["aime24", "aime25", "math500"], eval_dir=str(SHARED))
    sets = load_eval_problems(config)
    assert {len(v) for v in sets.values()} == {30, 500}
    f = DecontaminateFilter(Index(sets, config.ngram))
    rows = [json.loads(line) for line in (SHARED / "math500.jsonl").open()]
    hits = sum(f({"problem": "  " + r["problem"].upper().replace(" ", "  ")}) is not None for r in rows[:100])
    assert hits >= 95  # a few MATH problems are too short or mostly LaTeX symbols
    assert f({"problem": "Compute the number of ordered pairs of cats that like dogs in a small village today."}) is None
