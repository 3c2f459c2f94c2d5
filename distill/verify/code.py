"""The `code` verifier: run the final text's Python block (`extract.last_code_block`) against the tests.

Each test is {"input": str, "output": str}: the input goes to stdin, and stdout must equal the
expected output up to trailing whitespace on each line and trailing blank lines. Tests run one by
one in the sandbox (`sandbox.py`); the first test that fails decides the verdict:
`wrong_answer`, `runtime_error`, `timeout`, `memory`, `output_limit` or `sandbox_error`.
No Python block after </think>: `no_code`. The format reward reads the block with the same
function, so a completion it accepts is one this verifier can run.
"""

from __future__ import annotations

import json
from functools import lru_cache

from distill.core.code_blocks import last_code_block
from distill.core.think import final_text
from distill.errors import DistillError
from distill.verify.sandbox import Limits, Sandbox
from distill.verify.verdict import Verdict


def verify_code(
    completion: str,
    answer: str = "",
    tests: list | None = None,
    *,
    sandbox: str = "bwrap",
    timeout: float = 5.0,
    cpu_seconds: int | None = None,
    memory_mb: int = 512,
    max_procs: int = 32,
    max_output_bytes: int = 1_000_000,
) -> Verdict:
    cases = _check_tests(tests)
    text = final_text(completion)
    if text is None:
        return Verdict(False, None, "no_think_close")
    code = last_code_block(text)
    if code is None or not code.strip():
        return Verdict(False, None, "no_code")
    limits = Limits(
        timeout=float(timeout),
        cpu_seconds=int(cpu_seconds or max(1, round(timeout))),
        memory_mb=int(memory_mb),
        max_procs=int(max_procs),
        max_output_bytes=int(max_output_bytes),
    )
    box = _sandbox(sandbox, limits)
    for case in cases:
        result = box.run_python(code, case["input"])
        if result.status != "ok":
            return Verdict(False, code, result.status)
        if _lines(result.stdout.decode("utf-8", "replace")) != _lines(case["output"]):
            return Verdict(False, code, "wrong_answer")
    return Verdict(True, code, "correct")


@lru_cache(maxsize=16)
def _sandbox(mode: str, limits: Limits) -> Sandbox:
    return Sandbox(mode, limits)  # checks once per process that the sandbox starts


def _lines(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _check_tests(tests) -> list[dict]:
    if isinstance(tests, str):  # a column kept as JSON text (common in Parquet/HF datasets)
        try:
            tests = json.loads(tests)
        except json.JSONDecodeError as exc:
            raise DistillError(f"code verifier: `tests` is a string but not JSON ({exc.msg})") from None
    if isinstance(tests, tuple):
        tests = list(tests)
    if not isinstance(tests, list) or not tests:
        raise DistillError('code verifier: `tests` must be a non-empty list of {"input": str, "output": str}')
    for number, case in enumerate(tests, start=1):
        if (
            not isinstance(case, dict)
            or not isinstance(case.get("input"), str)
            or not isinstance(case.get("output"), str)
        ):
            raise DistillError(
                f'code verifier: test {number} must be {{"input": str, "output": str}}, got {str(case)[:80]}'
            )
    return tests
