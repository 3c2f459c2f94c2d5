"""One verdict per input: the filter (cached and not), the GRPO accuracy reward and the eval score
agree with distill.verify on every conformance case, whatever order the filter sees them in."""

import importlib.util
import random
from pathlib import Path

from distill.filter.config import CorrectnessConfig
from distill.filter.correctness import CorrectnessFilter
from distill.train.rewards import accuracy_reward
from distill.verify import verify
from conformance_cases import CASES

ROOT = Path(__file__).resolve().parents[2]


def eval_hooks():
    hooks = ROOT / "distill" / "evaluate" / "lm_eval_tasks" / "utils.py"
    spec = importlib.util.spec_from_file_location("eval_utils", hooks)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_filter_reward_and_eval_give_the_verifiers_verdict_on_every_case():
    expected = [verify(c.completion, c.answer, c.domain).correct for c in CASES]
    rewards = accuracy_reward(["q"] * len(CASES), [c.completion for c in CASES],
                              answer=[c.answer for c in CASES], domain=[c.domain for c in CASES])
    assert [score == 1.0 for score in rewards] == expected
    hooks = eval_hooks()
    scores = [hooks.process_results({"answer": c.answer, "domain": c.domain}, [[c.completion]])["pass@1"] for c in CASES]
    assert [score == 1.0 for score in scores] == expected
    uncached = CorrectnessFilter(CorrectnessConfig(cache=False))
    assert [uncached.verdict(record(c)).correct for c in CASES] == expected
    order = list(range(len(CASES)))
    for seed in range(3):
        random.Random(seed).shuffle(order)
        cached = CorrectnessFilter(CorrectnessConfig())
        verdicts = {i: cached.verdict(record(CASES[i])).correct for i in order}
        assert [verdicts[i] for i in range(len(CASES))] == expected


def record(case) -> dict:
    return {"completion": case.completion, "answer": case.answer, "domain": case.domain}
