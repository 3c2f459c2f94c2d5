"""Toy tasks: deterministic, disjoint splits, and reference solutions that are right.

Answers are checked with an evaluator written here (Python's own parser), not the generator's code.
"""

import ast
import json
import operator
import re
from collections import Counter

import pytest

from distill.errors import DistillError
from distill.toy.tasks import TASKS, make_problems, write_problems

R1 = re.compile(r"\A<think>\n(?P<steps>.+)\n</think>\n\nThe answer is \\boxed\{(?P<boxed>-?\d+)\}\.\Z", re.S)
OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul}
INSTRUCTION = "Please reason step by step, and put your final answer within \\boxed{}."


def evaluate(expression: str) -> int:
    """Integer + - * only; anything else is an error."""
    def walk(node):
        if isinstance(node, ast.BinOp) and type(node.op) in OPS:
            return OPS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        if isinstance(node, ast.Constant) and type(node.value) is int:
            return node.value
        raise ValueError(f"unexpected {ast.dump(node)}")
    return walk(ast.parse(expression, mode="eval").body)


def check_steps(steps: str) -> None:
    for line in steps.splitlines():
        if line.startswith("So "):
            continue
        left, right = line.split(" = ")
        assert evaluate(left) == int(right), line


def test_registry():
    assert {"arithmetic", "countdown"} <= set(TASKS)


@pytest.mark.parametrize("task", sorted(TASKS))
def test_deterministic_by_seed(task):
    first = make_problems(task, "train", 50, seed=1)
    assert first == make_problems(task, "train", 50, seed=1)
    assert make_problems(task, "train", 20, seed=1) == first[:20]
    other = make_problems(task, "train", 50, seed=2)
    assert [p["problem"] for p in other] != [p["problem"] for p in first]


@pytest.mark.parametrize("task", sorted(TASKS))
@pytest.mark.parametrize("difficulty", [1, 2])
def test_splits_disjoint_and_unique(task, difficulty):
    train = make_problems(task, "train", 400, seed=0, difficulty=difficulty)
    test = make_problems(task, "test", 100, seed=5, difficulty=difficulty)
    for rows in (train, test):
        assert len({r["problem"] for r in rows}) == len(rows)
        assert len({r["id"] for r in rows}) == len(rows)
    assert not {r["problem"] for r in train} & {r["problem"] for r in test}
    assert not {r["id"] for r in train} & {r["id"] for r in test}


@pytest.mark.parametrize("difficulty", sorted(TASKS["arithmetic"][1]))
def test_arithmetic_answers(difficulty):
    for row in make_problems("arithmetic", "test", 60, seed=3, difficulty=difficulty):
        assert set(row) == {"id", "problem", "answer", "domain", "solution"} and row["domain"] == "math"
        question, instruction = row["problem"].split("\n")
        assert instruction == INSTRUCTION
        expression = re.fullmatch(r"Compute (.+)\.", question).group(1)
        match = R1.match(row["solution"])
        assert match, row["solution"]
        assert int(row["answer"]) == evaluate(expression) == int(match["boxed"])
        check_steps(match["steps"])


@pytest.mark.parametrize("difficulty", sorted(TASKS["countdown"][1]))
def test_countdown_solution_uses_the_numbers(difficulty):
    for row in make_problems("countdown", "train", 60, seed=4, difficulty=difficulty):
        numbers, target = re.match(r"Combine the numbers ([\d, ]+) \(each exactly once\).* to make (\d+)\.",
                                   row["problem"]).groups()
        match = R1.match(row["solution"])
        assert match, row["solution"]
        assert row["answer"] == target == match["boxed"]
        expression = re.search(r"^So (.+) = (\d+)\.$", match["steps"], re.M)
        assert expression and expression[2] == target
        used = Counter(int(n) for n in re.findall(r"\d+", expression[1]))
        assert used == Counter(int(n) for n in numbers.split(", "))
        assert evaluate(expression[1]) == int(target)
        check_steps(match["steps"])


def test_easy_level_is_short(toy_tokenizer_dir):
    """Difficulty 1 is what the CPU demo trains on: short solutions, one-digit operands."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(toy_tokenizer_dir)
    for task in TASKS:
        rows = make_problems(task, "train", 100, difficulty=1)
        lengths = [len(tok(r["solution"])["input_ids"]) for r in rows]
        assert max(lengths) <= 60, (task, max(lengths))
        operands = [r["problem"].split("\n")[0].split(" to make ")[0] for r in rows]
        assert all(int(n) < 10 for text in operands for n in re.findall(r"\d+", text))


def test_instruction_is_configurable():
    row = make_problems("arithmetic", "train", 1, instruction="Answer in a box.")[0]
    assert row["problem"].endswith("\nAnswer in a box.")
    bare = make_problems("arithmetic", "train", 1, instruction="")[0]
    assert bare["problem"].startswith("Compute ") and "\n" not in bare["problem"]
    assert bare["id"] == row["id"]


@pytest.mark.parametrize("kwargs,message", [
    ({"task": "sudoku"}, "unknown toy task 'sudoku'"),
    ({"split": "validation"}, "unknown split"),
    ({"difficulty": 99}, "difficulty levels"),
    ({"n": 50000}, "only .* distinct train problems"),
])
def test_bad_requests(kwargs, message, monkeypatch):
    from distill.toy.tasks import registry

    monkeypatch.setattr(registry, "MAX_MISSES_IN_A_ROW", 100)  # give up sooner on the exhausted space
    args = {"task": "arithmetic", "split": "train", "n": 5, **kwargs}
    with pytest.raises(DistillError, match=message):
        make_problems(**args)


def test_write_problems(tmp_path):
    path = write_problems(tmp_path / "p.jsonl", "countdown", "test", 7, seed=2)
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert rows == make_problems("countdown", "test", 7, seed=2)
