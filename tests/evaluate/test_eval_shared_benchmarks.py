"""All gold answers of the shared benchmark copies, as R1-style completions, score 100% through the
tasks' own process_results (skips when ../shared/benchmarks is absent)."""

import pytest

from distill.evaluate.config import EvalConfig
from distill.evaluate.tasks import load_tasks

EXPECTED = {"math500": 500, "aime24": 30, "aime25": 30}


@pytest.fixture(scope="module")
def shared_tasks(shared_benchmarks_dir):
    config = EvalConfig(tasks=list(EXPECTED), samples=1,
                        data={name: str(shared_benchmarks_dir / f"{name}.jsonl") for name in EXPECTED})
    return load_tasks(config)[0]


@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_gold_answer_scores_100_percent(shared_tasks, name):
    task = shared_tasks[name]
    docs = list(task.test_docs())
    assert len(docs) == EXPECTED[name]
    failed = []
    for doc in docs:
        completion = f"<think>\nLet me think.\n</think>\n\nThe answer is \\boxed{{{doc['answer']}}}."
        result = task.process_results(doc, [[completion]])
        if result != {"pass@1": 1.0, "cons@k": 1.0}:
            failed.append((doc["id"], doc["answer"], result))
    assert not failed, f"{len(failed)} gold answers not accepted, e.g. {failed[:3]}"


def test_wrong_answers_score_0_percent(shared_tasks):
    task = shared_tasks["aime24"]
    for doc in task.test_docs():
        wrong = str(int(doc["answer"]) + 1)
        assert task.process_results(doc, [[f"<think>t</think>\n\\boxed{{{wrong}}}"]]) == {"pass@1": 0.0, "cons@k": 0.0}
