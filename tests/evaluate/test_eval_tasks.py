"""distill's lm-eval tasks load from local files in the benchmark shapes and score through process_results."""

from pathlib import Path

import pytest

from distill.errors import DistillError
from distill.evaluate.choices import shuffle_choices
from distill.evaluate.config import EvalConfig
from distill.evaluate.data import R1_INSTRUCTION
from distill.evaluate.tasks import load_tasks

DATA = Path(__file__).parent / "data"
FIXTURES = {"math500": DATA / "math500_sample.jsonl", "aime24": DATA / "aime_sample.jsonl",
            "aime25": DATA / "aime_sample.jsonl", "gpqa_diamond": DATA / "gpqa_diamond_sample.jsonl"}


def r1(answer: str) -> str:
    return f"<think>\nLet me work it out.\n</think>\n\nThe answer is \\boxed{{{answer}}}."


@pytest.fixture(scope="module")
def tasks():
    config = EvalConfig(tasks=list(FIXTURES) + ["toy_arithmetic", "toy_countdown"], samples=3,
                        task_samples={"aime24": 5}, data={k: str(v) for k, v in FIXTURES.items()}, toy_problems=6)
    loaded, _ = load_tasks(config)
    return loaded


def test_tasks_load_from_local_files(tasks):
    sizes = {name: len(task.test_docs()) for name, task in tasks.items()}
    assert sizes == {"math500": 4, "aime24": 3, "aime25": 3, "gpqa_diamond": 4, "toy_arithmetic": 6, "toy_countdown": 6}


def test_protocol_is_r1s(tasks):
    for name, task in tasks.items():
        gen = task.config.generation_kwargs
        assert (gen["temperature"], gen["top_p"], gen["max_gen_toks"], gen["do_sample"]) == (0.6, 0.95, 32768, True)
        assert task.config.num_fewshot == 0
    assert tasks["aime24"].config.repeats == 5 and tasks["math500"].config.repeats == 3


def test_prompt_carries_the_instruction_once(tasks):
    for name in ("math500", "aime24", "toy_arithmetic"):
        task = tasks[name]
        for doc in task.test_docs():
            text = task.doc_to_text(doc)
            assert text.count(R1_INSTRUCTION) == 1 and text.endswith(R1_INSTRUCTION), name
    doc = tasks["aime24"].test_docs()[0]
    assert doc["id"] == "60" and doc["answer"] == "24"


def test_gpqa_choices_shuffled_by_a_fixed_seed_per_question(tasks):
    docs = list(tasks["gpqa_diamond"].test_docs())
    for doc in docs:
        prompt = tasks["gpqa_diamond"].doc_to_text(doc)
        assert "Answer: $LETTER" in prompt
        # the letter in `answer` labels the correct choice in the prompt
        correct_line = next(line for line in prompt.splitlines() if line.startswith(f"{doc['answer']}) "))
        assert correct_line[3:] == doc["choices"]["ABCD".index(doc["answer"])]
    assert docs[0]["choices"]["ABCD".index(docs[0]["answer"])] == "Photon"
    # the order depends only on the question: the same call gives the same letters, every time
    first = shuffle_choices("Which particle mediates the electromagnetic force?", "Photon", ["Gluon", "W boson", "Graviton"])
    assert first == (docs[0]["choices"], docs[0]["answer"])
    # and the correct answer does not always sit at the same letter
    letters = {shuffle_choices(f"question {i}", "right", ["w1", "w2", "w3"])[1] for i in range(20)}
    assert letters == set("ABCD")


def _score(task, make_completion):
    docs = list(task.test_docs())
    results = [task.process_results(doc, [[make_completion(doc)] * task.config.repeats]) for doc in docs]
    return (sum(r["pass@1"] for r in results) / len(docs), sum(r["cons@k"] for r in results) / len(docs))


@pytest.mark.parametrize("name", list(FIXTURES) + ["toy_arithmetic", "toy_countdown"])
def test_gold_answers_score_100_and_wrong_answers_0(tasks, name):
    task = tasks[name]
    assert _score(task, lambda doc: r1(doc["answer"])) == (1.0, 1.0)
    wrong = (lambda doc: "<think>x</think>\nAnswer: " + "ABCD"[("ABCD".index(doc["answer"]) + 1) % 4]) \
        if name == "gpqa_diamond" else (lambda doc: r1("123456789"))
    assert _score(task, wrong) == (0.0, 0.0)


def test_toy_tasks_use_the_held_out_split(tasks):
    from distill.toy.tasks import make_problems

    ids = {d["id"] for d in tasks["toy_arithmetic"].test_docs()}
    assert ids == {p["id"] for p in make_problems("arithmetic", "test", 6)}
    assert not ids & {p["id"] for p in make_problems("arithmetic", "train", 200)}


def test_parquet_override(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    import json

    rows = [json.loads(line) for line in FIXTURES["math500"].read_text().splitlines()]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "m.parquet")
    loaded, _ = load_tasks(EvalConfig(tasks=["math500"], data={"math500": str(tmp_path / "m.parquet")}))
    assert [d["answer"] for d in loaded["math500"].test_docs()] == [r["answer"] for r in rows]


def test_bad_input_is_one_clear_error(tmp_path):
    with pytest.raises(DistillError, match="unknown eval task 'math5000'"):
        load_tasks(EvalConfig(tasks=["math5000"]))
    with pytest.raises(DistillError, match="data file for math500 not found"):
        load_tasks(EvalConfig(tasks=["math500"], data={"math500": str(tmp_path / "missing.jsonl")}))
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"problem": "1+1", "answer": "2"}\n{not json\n')
    with pytest.raises(DistillError, match=r"broken.jsonl:2: malformed row"):
        load_tasks(EvalConfig(tasks=["math500"], data={"math500": str(broken)}))
    no_answer = tmp_path / "no_answer.jsonl"
    no_answer.write_text('{"problem": "1+1"}\n')
    with pytest.raises(DistillError, match="row 0 has no answer field"):
        load_tasks(EvalConfig(tasks=["aime24"], data={"aime24": str(no_answer)}))


def test_hub_failure_points_to_the_local_override(monkeypatch):
    from distill.evaluate.data import load_rows

    import datasets.config
    import huggingface_hub.constants

    # offline mode, as HF_HUB_OFFLINE=1 sets it at import time (the libraries may already be imported)
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", True)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(DistillError, match=r"math500: cannot load distill-tests/no-such-dataset from the hub .*--data math500="):
        load_rows("math500", None, "distill-tests/no-such-dataset", None, "test")
