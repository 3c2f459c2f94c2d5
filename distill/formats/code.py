"""Code prompt sets, in the three test layouts they publish (parsed by tests_layouts.py).

- `apps`: codeparrot/apps, BAAI/TACO: question, input_output (JSON string), starter_code, ...
- `code_contests`: deepmind/code_contests: description, public_tests, private_tests,
  generated_tests (each {input: [...], output: [...]}); all three are the verification tests.
- `verifiable_code`: PrimeIntellect/verifiable-coding-problems, SYNTHETIC-1: prompt,
  verification_info (JSON: {language, test_cases: [{input, output, type}]}).
"""

from __future__ import annotations

from distill.formats import tests_layouts
from distill.formats.base import Bad, Format, Unverifiable, nonempty, text


def apps_prompt(row: dict) -> dict:
    problem = nonempty(row, "question")
    starter = text(row, "starter_code", required=False)
    if starter and starter.strip():
        problem = f"{problem}\n\n{starter}"
    return {
        "problem": problem,
        "answer": "",
        "domain": "code",
        "tests": tests_layouts.from_apps(row.get("input_output")),
        "id": str(row["problem_id"]) if isinstance(row.get("problem_id"), (int, str)) else None,
    }


def contests_prompt(row: dict) -> dict:
    tests = []
    for column in ("public_tests", "private_tests", "generated_tests"):
        if row.get(column) is not None:
            tests += tests_layouts.from_contests(row[column], column)
    if "public_tests" not in row:
        raise Bad("missing column 'public_tests'")
    if not tests:
        raise Unverifiable("no public, private or generated tests")
    return {
        "problem": nonempty(row, "description"),
        "answer": "",
        "domain": "code",
        "tests": tests,
        "id": text(row, "name", required=False),
    }


def verifiable_prompt(row: dict) -> dict:
    key = "prompt" if "prompt" in row else "problem"
    return {
        "problem": nonempty(row, key),
        "answer": "",
        "domain": "code",
        "tests": tests_layouts.from_verification_info(row.get("verification_info")),
        "id": text(row, "problem_id", required=False),
    }


APPS = Format("apps", "codeparrot/apps, BAAI/TACO", ("question", "input_output"), prompt=apps_prompt)
CODE_CONTESTS = Format(
    "code_contests", "deepmind/code_contests", ("description", "public_tests"), prompt=contests_prompt
)
VERIFIABLE_CODE = Format(
    "verifiable_code",
    "PrimeIntellect/verifiable-coding-problems, PrimeIntellect/SYNTHETIC-1",
    ("verification_info",),
    prompt=verifiable_prompt,
)
