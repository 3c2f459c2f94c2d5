"""pass@1, cons@k and the majority vote on hand-computed examples, through the shared verifier."""

import math

import pytest

from distill.evaluate.metrics import mean_stderr, task_metrics
from distill.evaluate.scoring import majority_vote, process_results, score_problem, verdicts_for


def r1(answer: str) -> str:
    return f"<think>\nwork\n</think>\n\nThe answer is \\boxed{{{answer}}}."


def test_pass_at_1_is_the_mean_over_samples():
    score = score_problem([r1("4"), r1("5"), r1("4"), "no think close \\boxed{4}"], "4", "math")
    assert score.pass_at_1 == pytest.approx(2 / 4)
    assert [v.correct for v in score.verdicts] == [True, False, True, False]
    assert score.verdicts[3].reason == "no_think_close"


def test_cons_at_k_follows_the_majority_even_when_it_is_wrong():
    # 2 x "5" beats 1 x "4": the vote picks 5, so cons@k = 0 while pass@1 = 1/3
    score = score_problem([r1("5"), r1("4"), r1("5")], "4", "math")
    assert score.majority == "5"
    assert (score.pass_at_1, score.cons_at_k) == (pytest.approx(1 / 3), 0.0)


def test_equivalent_answers_vote_together():
    # 1/2, 0.5 and \frac{1}{2} are one answer (3 votes) against 2 x "1/3"
    completions = [r1("1/3"), r1("\\frac{1}{2}"), r1("1/3"), r1("0.5"), r1("\\dfrac{1}{2}")]
    score = score_problem(completions, "\\frac12", "math")
    assert score.cons_at_k == 1.0
    assert score.pass_at_1 == pytest.approx(3 / 5)


def test_equivalent_wrong_answers_vote_together_too():
    # 1/2, 0.5 and \dfrac{1}{2} are one wrong answer (3 votes) and beat the single right one
    score = score_problem([r1("3"), r1("1/2"), r1("0.5"), r1("\\dfrac{1}{2}")], "3", "math")
    assert (score.pass_at_1, score.cons_at_k, score.majority) == (0.25, 0.0, "1/2")
    # spelling differences that are not the same number still split: 2 x "x+1" vs 1 x "1+x" vs 2 right
    score = score_problem([r1("x + 1"), r1("7"), r1("x+1"), r1("1+x"), r1("7")], "7", "math")
    assert score.majority == "x + 1" and score.cons_at_k == 0.0  # tie 2-2: the first seen wins


def test_samples_without_an_answer_do_not_vote():
    score = score_problem(["rambling, no close", r1("7"), "<think>x</think> no box"], "7", "math")
    assert score.cons_at_k == 1.0 and score.majority == "7"
    nothing = score_problem(["rambling", "<think>x</think> no box"], "7", "math")
    assert (nothing.pass_at_1, nothing.cons_at_k, nothing.majority) == (0.0, 0.0, None)


def test_ties_go_to_the_answer_seen_first():
    verdicts = verdicts_for([r1("3"), r1("4"), r1("4"), r1("3")], "4", "math")
    assert majority_vote(verdicts, "math") == ("3", False)
    verdicts = verdicts_for([r1("4"), r1("3"), r1("3"), r1("4")], "4", "math")
    assert majority_vote(verdicts, "math") == ("4", True)


def test_choice_domain_votes_on_letters():
    completions = ["<think>t</think>\nAnswer: B", "<think>t</think>\nAnswer: C", "<think>t</think>\n\\boxed{B}"]
    score = score_problem(completions, "B", "choice")
    assert score.pass_at_1 == pytest.approx(2 / 3) and score.cons_at_k == 1.0


def test_process_results_reads_the_k_samples_of_one_request():
    doc = {"answer": "12", "domain": "math"}
    assert process_results(doc, [[r1("12"), r1("12"), r1("13"), r1("12")]]) == {"pass@1": 0.75, "cons@k": 1.0}
    assert process_results(doc, [[r1("13")]]) == {"pass@1": 0.0, "cons@k": 0.0}


def test_task_metrics_by_hand():
    # problem 0: 2/4 correct, majority correct; problem 1: 1/4 correct, majority wrong; problem 2: 4/4.
    def rows(doc_id, extracted, gold):
        return [{"task": "t", "doc_id": doc_id, "sample_index": i, "answer": gold, "domain": "math",
                 "extracted": e, "correct": e == gold, "completion_chars": 10 * (i + 1), "completion_tokens": i + 1}
                for i, e in enumerate(extracted)]
    problems = {0: rows(0, ["1", "1", None, "2"], "1"), 1: rows(1, ["5", "5", "6", "9"], "6"), 2: rows(2, ["3"] * 4, "3")}
    m = task_metrics(problems)
    per_problem = [0.5, 0.25, 1.0]
    mean = sum(per_problem) / 3
    sd = math.sqrt(sum((p - mean) ** 2 for p in per_problem) / 2)
    assert m["pass@1"] == pytest.approx(mean)
    assert m["pass@1_stderr"] == pytest.approx(sd / math.sqrt(3))
    assert m["cons@k"] == pytest.approx(2 / 3)
    assert (m["n"], m["k"], m["samples"]) == (3, 4, 12)
    assert m["mean_tokens"] == pytest.approx(2.5) and m["mean_chars"] == pytest.approx(25.0)
    assert m["no_answer_rate"] == pytest.approx(1 / 12)


def test_mean_stderr_needs_two_values():
    assert mean_stderr([1.0]) is None
    assert mean_stderr([0.0, 1.0]) == pytest.approx(0.5)
