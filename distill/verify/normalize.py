"""Cheap, deterministic normalization of math answers: the fast path before math-verify.

`normalize` turns LaTeX surface variations into one string (spaces, \\left/\\right, spacing
commands, `$`, a trailing period, \\text{} wrappers and trailing units, degrees, \\dfrac, \\frac12),
so that most equal answers compare equal as strings without sympy. `numeric_value` reads plain
integers, decimals and simple fractions as exact `Fraction`s so 1/2, \\frac12 and 0.5 agree.
Everything here is regex work, linear in the input, with no sympy.
"""

from __future__ import annotations

import re
from fractions import Fraction

# Commands that only change layout; removing them never changes the value.
_LAYOUT = re.compile(r"\\(?:left|right|displaystyle|textstyle|big|Big|bigg|Bigg)(?![A-Za-z])|\\[!,;: ]|\\q?quad(?![A-Za-z])|~|\$")
_DEGREES = re.compile(r"\^\s*\{?\s*\\circ\s*\}?|°|\\degree(?![A-Za-z])")
_PERCENT = re.compile(r"\\?%")
_FRAC_ALIASES = re.compile(r"\\[dt]frac(?![A-Za-z])")
# \frac12 -> \frac{1}{2}, \frac1{x} -> \frac{1}{x}, \sqrt2 -> \sqrt{2}: one-character arguments.
_FRAC_SHORT = re.compile(r"\\frac\s*([0-9A-Za-z])\s*([0-9A-Za-z])")
_FRAC_SHORT_FIRST = re.compile(r"\\frac\s*([0-9A-Za-z])\s*\{")
_FRAC_SHORT_SECOND = re.compile(r"\\frac\s*(\{[^{}]*\})\s*([0-9A-Za-z])")
_SQRT_SHORT = re.compile(r"\\sqrt\s*([0-9A-Za-z])")
_TEXT_CMD = r"\\(?:text|textbf|textit|textrm|mbox|mathrm|mathbf|operatorname)\s*"
_WHOLE_TEXT = re.compile(r"^" + _TEXT_CMD + r"\{([^{}]*)\}$")
# A unit after a value: "10 \text{ cm}", "5\mbox{ inches}^2". Only at the end, only words.
_TRAILING_UNIT = re.compile(r"(?<=[0-9}.)])\s*" + _TEXT_CMD + r"\{\s*[A-Za-z][A-Za-z ]*\}(?:\^\{?\d\}?)?\s*$")
_TEXT_WRAPPER = re.compile(_TEXT_CMD + r"\{([^{}]*)\}")
_THOUSANDS_BRACE = re.compile(r"\{,\}")
_SPACES = re.compile(r"\s+")
# "x = 5" -> "5": a single variable being assigned, the value is what counts.
_ASSIGNMENT = re.compile(r"^[A-Za-z](?:_\{?\w+\}?)?=(?=[^=]+$)")

_INT = re.compile(r"^[+-]?\d+$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_DECIMAL = re.compile(r"^[+-]?(?:\d+\.\d*|\.\d+)$")
_SLASH = re.compile(r"^([+-]?)(\d+)/(\d+)$")
_FRAC = re.compile(r"^([+-]?)\\frac\{([+-]?\d+)\}\{([+-]?\d+)\}$")
_MAX_DIGITS = 200  # longer numbers go to the slow path; int() of huge strings is not free


def normalize(answer: str) -> str:
    """One canonical string per surface form. Equal output means equal answers."""
    s = answer.strip()
    s = _WHOLE_TEXT.sub(r"\1", s)  # \text{(C)} -> (C)
    s = _DEGREES.sub("", s)
    s = _LAYOUT.sub("", s)
    s = _TRAILING_UNIT.sub("", s)
    s = _TEXT_WRAPPER.sub(r"\1", s)
    s = _PERCENT.sub("", s)
    s = _FRAC_ALIASES.sub(r"\\frac", s)
    s = _FRAC_SHORT.sub(r"\\frac{\1}{\2}", s)
    s = _FRAC_SHORT_FIRST.sub(r"\\frac{\1}{", s)
    s = _FRAC_SHORT_SECOND.sub(r"\\frac\1{\2}", s)
    s = _SQRT_SHORT.sub(r"\\sqrt{\1}", s)
    s = _THOUSANDS_BRACE.sub(",", s)
    s = _SPACES.sub("", s)
    s = s.rstrip(".")
    s = _ASSIGNMENT.sub("", s)
    return s


def numeric_value(normalized: str) -> tuple[Fraction, bool] | None:
    """The exact value of a plain number and whether it is exact (no decimal point), else None.

    Takes the output of `normalize`. Decimals are read exactly (0.1 is 1/10), but are flagged
    inexact because the slow path compares them with rounding (0.333333 may equal 1/3).
    """
    s = normalized
    if not s or len(s) > _MAX_DIGITS:
        return None
    if s.startswith("(") and s.endswith(")") and "," not in s:
        s = s[1:-1]
    if _INT.match(s):
        return Fraction(int(s)), True
    if _THOUSANDS.match(s):
        s = s.replace(",", "")
        return Fraction(s), "." not in s
    if _DECIMAL.match(s):
        return Fraction(s), False
    match = _SLASH.match(s) or _FRAC.match(s)
    if match:
        sign, num, den = match.groups()
        if int(den) == 0:
            return None
        value = Fraction(int(num), int(den))
        return (-value if sign == "-" else value), True
    return None


def same_answer(a: str, b: str) -> bool:
    """Fast, sure equality: equal normalized strings or equal plain numbers. False means unknown."""
    na, nb = normalize(a), normalize(b)
    if na == nb:
        return bool(na)
    va, vb = numeric_value(na), numeric_value(nb)
    return va is not None and vb is not None and va[0] == vb[0]
