"""Rows written for these tests in the exact public schemas of the datasets people distill from.

The schemas come from the dataset cards (dataset_info features) and the code that built them; the
rows are our own. Each builder returns (rows, expected accounting) so tests can check exact counts.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

WORDS = ("we add the numbers then check the result by subtracting again so the value holds because each "
         "step keeps the equation balanced and the remainder is zero here").split()


def thinking(seed: int, sentences: int = 12) -> str:
    """Varied reasoning prose: not a loop (repetition filter), not a near-duplicate of another seed."""
    rng = random.Random(seed)
    return " ".join(" ".join(rng.choices(WORDS, k=rng.randint(7, 12))).capitalize() + f" {rng.randint(0, 10**6)}."
                    for _ in range(sentences))


def r1(seed: int, boxed: str, closed: bool = True) -> str:
    """An R1 generation as OpenR1 stores it: `<think>` tags, then the answer."""
    if not closed:
        return f"<think>\n{thinking(seed)}"
    return f"<think>\n{thinking(seed)}\n</think>\n\nTherefore the answer is $\\boxed{{{boxed}}}$."


def openr1_math() -> tuple[list[dict], dict]:
    """OpenR1-Math-220k (default split) rows: 4 rows holding 8 generations."""
    def row(uuid, problem, answer, generations, reasons, verify, complete, **over):
        base = {"problem": problem, "solution": f"Adding gives \\boxed{{{answer}}}.", "answer": answer,
                "problem_type": "Algebra", "question_type": "math-word-problem", "source": "olympiads", "uuid": uuid,
                "is_reasoning_complete": complete, "generations": generations, "correctness_math_verify": verify,
                "correctness_llama": None, "finish_reasons": reasons, "correctness_count": sum(bool(v) for v in verify),
                "messages": [{"role": "user", "content": problem}, {"role": "assistant", "content": generations[0]}]}
        base.update(over)
        return base

    rows = [
        row("u-1", "Find the sum of 17 and 25.", "42", [r1(1, "42"), r1(2, "41"), r1(3, "42", closed=False)],
            ["stop", "stop", "length"], [True, False, False], [True, True, False]),
        row("u-2", "Prove that the square of an odd number is odd.", "proof", [r1(4, "1"), r1(5, "1")],
            ["stop", "stop"], [False, False], [True, True]),
        row("u-3", "Compute 3 + 4.", "7", [r1(6, "7"), r1(7, "7")], ["stop", "stop"], [True, True], [True, True]),
    ]
    broken = row("u-4", "Compute 9 - 2.", "7", [r1(8, "7")], ["stop"], [True], [True])
    broken["generations"] = r1(8, "7")  # a string where the list of generations belongs
    rows.insert(2, broken)
    # 8 traces: kept u-1#0, u-3#0, u-3#1; rejected u-1#1 (correctness), u-1#2 (truncated);
    # malformed u-2#0, u-2#1 (unverifiable: proof), u-4 (wrong type)
    return rows, {"rows": 4, "traces": 8, "kept": 3, "rejected": {"correctness": 1, "truncated": 1}, "malformed": 3}


SKY_T1_SYSTEM = ("Your role as an assistant involves thoroughly exploring questions through a systematic long "
                 "thinking process before providing the final precise and accurate solutions.")


def marked(seed: int, answer: str) -> str:
    """An assistant turn in the Sky-T1 / Bespoke-Stratos / OpenThoughts-114k markers."""
    return (f"<|begin_of_thought|>\n\n{thinking(seed)}\n\n<|end_of_thought|>\n\n"
            f"<|begin_of_solution|>\n\nThe result is $\\boxed{{{answer}}}$.\n\n<|end_of_solution|>")


def sharegpt() -> tuple[list[dict], dict]:
    """Bespoke-Stratos-17k / OpenThoughts-114k rows (system + user/assistant) and OpenThoughts3 rows (human/gpt)."""
    rows = [
        {"system": SKY_T1_SYSTEM, "conversations": [{"from": "user", "value": "What is 6 times 7?"},
                                                    {"from": "assistant", "value": marked(11, "42")}]},
        {"conversations": [{"from": "human", "value": "What is 5 plus 8?"},
                           {"from": "gpt", "value": r1(12, "13")}]},
        {"system": SKY_T1_SYSTEM, "conversations": [  # multi-turn: kept whole by the filter and train-student
            {"from": "user", "value": "Name a prime above 10."}, {"from": "assistant", "value": marked(13, "11")},
            {"from": "user", "value": "And one above 20?"}, {"from": "assistant", "value": marked(14, "23")}]},
        {"system": SKY_T1_SYSTEM, "conversations": [  # a thought that never ends
            {"from": "user", "value": "What is 2 cubed?"},
            {"from": "assistant", "value": f"<|begin_of_thought|>\n\n{thinking(15)}"}]},
        {"conversations": [{"from": "human", "value": ["What", "is", "this?"]},  # a list where text belongs
                           {"from": "gpt", "value": r1(16, "0")}]},
    ]
    return rows, {"rows": 5, "traces": 5, "kept": 3, "rejected": {}, "malformed": 2,
                  "conversations": 3, "conversation_malformed": 2}


def s1k() -> tuple[list[dict], dict]:
    """s1K-1.1 rows: separate DeepSeek thinking and attempt columns."""
    def row(question, solution, cot_type, seed, attempt):
        return {"solution": solution, "question": question, "cot_type": cot_type, "source_type": "AI-MO/NuminaMath-CoT/aops_forum",
                "metadata": json.dumps({"level": 3}), "gemini_thinking_trajectory": "Gemini thinks.", "gemini_attempt": "Gemini answers.",
                "deepseek_thinking_trajectory": thinking(seed), "deepseek_attempt": attempt,
                "messages": [{"role": "user", "content": question}]}

    rows = [
        row("Find x if 2x = 84.", "42", "math", 21, "So $x = \\boxed{42}$."),
        row("Which gas do plants take in for photosynthesis?", "Carbon dioxide", "science", 22, "Plants take in carbon dioxide."),
        row("Let n be the number of divisors of 36. Find n.", "The divisors are 1, 2, 3, 4, 6, 9, 12, 18, 36.\nSo there are nine.",
            "math", 23, "There are $\\boxed{9}$ divisors."),  # a worked solution with no box: unverifiable
        row("Compute 10 - 3.", "7", "math", 24, None),  # attempt missing
    ]
    # filter: kept the first two (science is general); malformed: unverifiable + null attempt
    return rows, {"rows": 4, "traces": 4, "kept": 2, "rejected": {}, "malformed": 2, "conversations": 3, "conversation_malformed": 1}


def numina() -> tuple[list[dict], dict]:
    """NuminaMath-CoT rows (no answer column) and NuminaMath-1.5 rows (answer, proof/notfound)."""
    cot = [
        {"source": "synthetic_math", "problem": "What is 12 squared?", "solution": "We compute 12 * 12 = 144, so $\\boxed{144}$.",
         "messages": [{"role": "user", "content": "What is 12 squared?"}, {"role": "assistant", "content": "144"}]},
        {"source": "orca_math", "problem": "What is half of 30?", "solution": "Half of 30 is 15.",  # no box: unverifiable
         "messages": [{"role": "user", "content": "What is half of 30?"}, {"role": "assistant", "content": "15"}]},
    ]
    v15 = [
        {"problem": "Compute 2 + 2.", "solution": "It is $\\boxed{4}$.", "answer": "4", "problem_type": "Algebra",
         "question_type": "math-word-problem", "problem_is_valid": "Yes", "solution_is_valid": "Yes", "source": "cn_k12", "synthetic": False},
        {"problem": "Show that 2 is prime.", "solution": "Its only divisors are 1 and 2.", "answer": "proof", "problem_type": "Number Theory",
         "question_type": "proof", "problem_is_valid": "Yes", "solution_is_valid": "Yes", "source": "olympiads", "synthetic": False},
        {"problem": "Find all k with property P.", "solution": "...", "answer": "notfound", "problem_type": "Algebra",
         "question_type": "math-word-problem", "problem_is_valid": "Yes", "solution_is_valid": "Yes", "source": "olympiads", "synthetic": False},
        {"problem": "Compute 5 * 5.", "solution": "$\\boxed{25}$", "answer": 25, "problem_type": "Algebra",
         "question_type": "math-word-problem", "problem_is_valid": "Yes", "solution_is_valid": "Yes", "source": "cn_k12", "synthetic": True},
    ]
    return cot + v15, {"rows": 6, "prompts": 3, "unverifiable": 3,
                       "answers": {"What is 12 squared?": "144", "Compute 2 + 2.": "4", "Compute 5 * 5.": "25"}}


def apps() -> list[dict]:
    io = {"inputs": ["1 2\n", "5 7\n"], "outputs": ["3\n", "12\n"]}
    return [
        {"problem_id": 11, "question": "Read two integers and print their sum.", "solutions": json.dumps(["print(sum(map(int, input().split())))"]),
         "input_output": json.dumps(io), "difficulty": "introductory", "url": "https://example.org/p/11", "starter_code": ""},
        {"problem_id": 12, "question": "Write a function add(a, b).", "solutions": "[]",
         "input_output": json.dumps({"inputs": [[1, 2]], "outputs": [3], "fn_name": "add"}), "difficulty": "interview",
         "url": "https://example.org/p/12", "starter_code": "def add(a, b):\n"},
    ]


def code_contests() -> list[dict]:
    return [{"name": "1000_A. Sum", "description": "Print the sum of two integers.",
             "public_tests": {"input": ["1 2\n"], "output": ["3\n"]},
             "private_tests": {"input": ["10 20\n"], "output": ["30\n"]},
             "generated_tests": {"input": ["0 0\n"], "output": ["0\n"]},
             "source": 2, "difficulty": 7, "solutions": {"language": [3], "solution": ["print(sum(map(int, input().split())))"]},
             "cf_rating": 800, "time_limit": {"seconds": 2, "nanos": 0}, "memory_limit_bytes": 256000000}]


def verifiable_code() -> list[dict]:
    info = {"language": "python", "test_cases": [{"fn_name": None, "input": "4\n", "output": "16\n", "type": "stdin_stdout"}]}
    return [{"source": "codeforces", "task_type": "verifiable_code", "in_source_id": "5_A", "problem_id": "vc-1",
             "prompt": "Read n and print n squared.", "gold_standard_solution": "print(int(input())**2)",
             "verification_info": json.dumps(info), "metadata": json.dumps({"difficulty": "easy"})}]


def gpqa() -> list[dict]:
    return [{"Record ID": "rec1", "Question": "Which particle mediates the electromagnetic force?",
             "Correct Answer": "The photon", "Incorrect Answer 1": "The gluon", "Incorrect Answer 2": "The W boson",
             "Incorrect Answer 3": "The graviton", "High-level domain": "Physics", "Subdomain": "Particle physics",
             "Explanation": "Photons carry the electromagnetic interaction."}]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def write_parquet(path: Path, rows: list[dict]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path
