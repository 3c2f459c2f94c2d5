"""Code tests in the layouts datasets publish them, as distill's `[{"input": str, "output": str}]`.

- distill's own: a list of {input, output} objects;
- APPS / TACO: `input_output`, a JSON string `{"inputs": [...], "outputs": [...]}` (plus `fn_name`
  for call-based problems: those are not stdin -> stdout and so are Unverifiable here);
- code_contests: `public_tests` (and private/generated) `{"input": [...], "output": [...]}`;
- PrimeIntellect SYNTHETIC-1 / verifiable-coding-problems: `verification_info`, a JSON string (or
  object) whose `test_cases` is a list of {input, output, type: "stdin_stdout"}.
A JSON string is parsed; every input and output must be a string (no stringified lists).
"""

from __future__ import annotations

import json
from typing import Any

from distill.formats.base import Bad, Unverifiable, type_name


def parse_json(value: Any, column: str) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise Bad(f"column '{column}': not valid JSON ({exc.msg} at column {exc.colno})") from None
    return value


def _pairs(inputs: Any, outputs: Any, column: str) -> list[dict[str, str]]:
    if not isinstance(inputs, list) or not isinstance(outputs, list):
        raise Bad(
            f"column '{column}': inputs and outputs must be lists, got {type_name(inputs)} and {type_name(outputs)}"
        )
    if len(inputs) != len(outputs):
        raise Bad(f"column '{column}': {len(inputs)} inputs but {len(outputs)} outputs")
    tests = []
    for i, (given, wanted) in enumerate(zip(inputs, outputs)):
        if not isinstance(given, str) or not isinstance(wanted, str):
            raise Bad(
                f"column '{column}': test {i}: input and output must be strings, "
                f"got {type_name(given)} and {type_name(wanted)}"
            )
        tests.append({"input": given, "output": wanted})
    return tests


def _nonempty(tests: list[dict[str, str]], column: str) -> list[dict[str, str]]:
    if not tests:
        raise Unverifiable(f"column '{column}' holds no tests")
    return tests


def from_list(value: Any, column: str) -> list[dict[str, str]]:
    value = parse_json(value, column)
    if isinstance(value, dict) and isinstance(value.get("input"), list):  # code_contests shape under another name
        return from_contests(value, column)
    if not isinstance(value, list) or not all(isinstance(t, dict) and "input" in t and "output" in t for t in value):
        raise Bad(f"column '{column}': expected a list of {{input, output}} objects, got {type_name(value)}")
    return _nonempty(_pairs([t["input"] for t in value], [t["output"] for t in value], column), column)


def from_apps(value: Any, column: str = "input_output") -> list[dict[str, str]]:
    value = parse_json(value, column)
    if not isinstance(value, dict) or "inputs" not in value or "outputs" not in value:
        raise Bad(f'column \'{column}\': expected {{"inputs": [...], "outputs": [...]}}, got {type_name(value)}')
    if value.get("fn_name"):
        raise Unverifiable(
            f"column '{column}': call-based tests (fn_name {value['fn_name']!r}); distill runs stdin -> stdout tests"
        )
    return _nonempty(_pairs(value["inputs"], value["outputs"], column), column)


def from_contests(value: Any, column: str = "public_tests") -> list[dict[str, str]]:
    value = parse_json(value, column)
    if not isinstance(value, dict) or "input" not in value or "output" not in value:
        raise Bad(f"column '{column}': expected {{input: [...], output: [...]}}, got {type_name(value)}")
    return _pairs(value["input"], value["output"], column)


def from_verification_info(value: Any, column: str = "verification_info") -> list[dict[str, str]]:
    value = parse_json(value, column)
    if not isinstance(value, dict) or not isinstance(value.get("test_cases"), list):
        raise Bad(f"column '{column}': expected an object with a test_cases list, got {type_name(value)}")
    cases = value["test_cases"]
    for i, case in enumerate(cases):
        if not isinstance(case, dict):
            raise Bad(f"column '{column}': test_cases[{i}] is {type_name(case)}, expected an object")
        if case.get("type", "stdin_stdout") != "stdin_stdout" or case.get("fn_name"):
            raise Unverifiable(
                f"column '{column}': test_cases[{i}] is {case.get('type') or 'call-based'!r}; "
                "distill runs stdin -> stdout tests"
            )
    return _nonempty(
        _pairs([c.get("input") for c in cases], [c.get("output") for c in cases], f"{column}.test_cases"), column
    )


def any_layout(value: Any, column: str) -> list[dict[str, str]]:
    """Tests in any of the layouts above, told apart by their shape (a `columns` mapping's tests)."""
    value = parse_json(value, column)
    if isinstance(value, dict) and "inputs" in value:
        return from_apps(value, column)
    if isinstance(value, dict) and "test_cases" in value:
        return from_verification_info(value, column)
    return from_list(value, column)
