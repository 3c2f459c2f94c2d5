"""Refuse answers that would make sympy hang before handing them to it.

Some answers cannot be compared in bounded time by any timeout: `9^{9^{9}}` or `(10^6)!` make
sympy evaluate a gigantic integer inside one C call, which neither signals nor trace hooks can
interrupt. So such inputs are refused up front, the same way in every process and thread:
too long (`too_long`), exponent towers or huge numeric exponents, huge factorials, deep brace
nesting (`too_complex`). Refusing is deterministic, so verdicts stay the same everywhere.
"""

from __future__ import annotations

import re

MAX_EXPONENT = 10_000  # 2^{10000} is cheap; 10^{10^{10}} is not
MAX_FACTORIAL = 1_000
MAX_DEPTH = 30

_DIGITS = re.compile(r"\d+")
_FACTORIAL = re.compile(r"(\d+|[)}])\s*!")
_NUMERIC_EXPONENT = re.compile(r"^[\d\s.+\-*()\\cdottimes{}]*$")


def _exponent_at(text: str, at: int) -> str:
    """The exponent after the `^` at `at`: a braced group (balanced) or one token."""
    i = at + 1
    while i < len(text) and text[i].isspace():
        i += 1
    if i < len(text) and text[i] == "{":
        depth = 0
        for j in range(i, len(text)):
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
                if depth == 0:
                    return text[i + 1 : j]
        return text[i + 1 :]
    match = re.compile(r"\\[A-Za-z]+|\d+|.").match(text, i)
    return match.group() if match else ""


def _max_depth(text: str) -> int:
    depth = deepest = 0
    for ch in text:
        if ch in "{(":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "})" and depth:
            depth -= 1
    return deepest


def refuse(answer: str, max_chars: int) -> str | None:
    """A reason to refuse `answer` (`too_long`, `too_complex`), or None when it is safe to parse."""
    if len(answer) > max_chars:
        return "too_long"
    if _max_depth(answer) > MAX_DEPTH:
        return "too_complex"
    if "^" in answer or "**" in answer:
        pow_text = answer.replace("**", "^")
        carets = [m.start() for m in re.finditer(r"\^", pow_text)]
        if len(carets) > 50:
            return "too_complex"
        for at in carets:
            exponent = _exponent_at(pow_text, at)
            if "^" in exponent and _NUMERIC_EXPONENT.match(exponent.replace("^", "")):
                return "too_complex"  # a numeric tower: 9^{9^{9}}
            powers = [int(d) for d in _DIGITS.findall(exponent) if len(d) <= 5]
            if len(powers) < len(_DIGITS.findall(exponent)) or any(p > MAX_EXPONENT for p in powers):
                return "too_complex"
            if at and pow_text[at - 1] in ")}" and powers:
                # (10^{9999})^{9999}: a power of a numeric power multiplies the exponents
                base = _group_before(pow_text, at - 1)
                inner = [int(d) for d in _DIGITS.findall(base.partition("^")[2])[:1] if len(d) <= 5]
                if "^" in base and not re.search(r"[A-Za-z]", base) and inner and inner[0] * max(powers) > MAX_EXPONENT:
                    return "too_complex"
    for match in _FACTORIAL.finditer(answer):
        number = match.group(1)
        if number in ")}":
            # (10^6)! : a numeric group is evaluated by sympy; (n+1)! stays symbolic and is fine
            if not re.search(r"[A-Za-z]", _group_before(answer, match.start())):
                return "too_complex"
        elif len(number) > 4 or int(number) > MAX_FACTORIAL:
            return "too_complex"
    return None


def _group_before(text: str, close: int) -> str:
    """The content of the (...) or {...} group that ends at `close`."""
    opener = "(" if text[close] == ")" else "{"
    depth = 0
    for i in range(close, -1, -1):
        if text[i] == text[close]:
            depth += 1
        elif text[i] == opener:
            depth -= 1
            if depth == 0:
                return text[i + 1 : close]
    return text[:close]
