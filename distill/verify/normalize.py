"""Cheap, deterministic normalization of math answers: the fast path before math-verify.

`normalize` turns LaTeX surface variations into one string (spaces, \\left/\\right, spacing
commands, `$`, a trailing period, \\text{} wrappers and trailing units, degrees, \\dfrac, \\frac12),
so that most equal answers compare equal as strings without sympy. `numeric_value` reads plain
integers, decimals and simple fractions as exact `Fraction`s so 1/2, \\frac12 and 0.5 agree, and
(`exact_value`) the other common closed forms: radicals, multiples of pi, their sums, tuples,
intervals and sets, as canonical values (3\\sqrt{2} = \\sqrt{18}, \\{1,2\\} = \\{2,1\\}). Everything
here is regex work and small-integer arithmetic on answers of at most 200 characters, with no sympy.
"""

from __future__ import annotations

import re
from fractions import Fraction
from math import gcd

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


def numeric_value(normalized: str) -> tuple[object, bool] | None:
    """The exact value of an answer and whether it is exact (no decimal point), else None.

    Takes the output of `normalize`. Plain numbers give a Fraction; radicals, pi, tuples, intervals
    and sets give the canonical forms of `exact_value`. Equal values are equal answers. Decimals are
    read exactly (0.1 is 1/10), but are flagged inexact because the slow path compares them with
    rounding (0.333333 may equal 1/3): only two exact values that differ are surely different.
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
    return exact_value(normalized)


def same_answer(a: str, b: str) -> bool:
    """Fast, sure equality: equal normalized strings or equal plain numbers. False means unknown."""
    na, nb = normalize(a), normalize(b)
    if na == nb:
        return bool(na)
    va, vb = numeric_value(na), numeric_value(nb)
    return va is not None and vb is not None and va[0] == vb[0]


# ---------------------------------------------------------------------------------------------
# Exact values of the common closed forms: sums of rational multiples of sqrt(r) * pi^k (r a
# squarefree integer), tuples, intervals and sets of them. Distinct squarefree radicals are linearly
# independent over the rationals and pi is transcendental, so two such forms are equal exactly when
# their canonical term lists are: equality here is a proof, never a numeric estimate. Anything the
# grammar does not know (a letter, \sqrt[3], a mixed number "2\frac12", a huge power) is None: the
# caller then asks math-verify.

_MAX_TERMS = 16
_MAX_POWER = 16
_MAX_RADICAND = 10**8  # squarefree part found by trial division up to 10^4
_TOKEN = re.compile(r"\\(?:frac|sqrt|pi|cdot|times|infty)(?![A-Za-z])|\\[{}]|\d+\.?\d*|\.\d+|[-+*/^(){}\[\],]")


class _Unsure(Exception):
    """The form is outside the exact grammar."""


def _squarefree(n: int) -> tuple[int, int]:
    """(s, r) with n = s^2 * r and r squarefree."""
    if n > _MAX_RADICAND:
        raise _Unsure
    s, p = 1, 2
    while p * p <= n:
        while n % (p * p) == 0:
            n //= p * p
            s *= p
        p += 1 if p == 2 else 2
    return s, n


# A value: {(radicand, power of pi): rational coefficient}, zero coefficients dropped.
def _const(q: Fraction) -> dict:
    return {(1, 0): q} if q else {}


def _add(a: dict, b: dict, sign: int = 1) -> dict:
    out = dict(a)
    for key, q in b.items():
        out[key] = out.get(key, 0) + sign * q
        if not out[key]:
            del out[key]
    if len(out) > _MAX_TERMS:
        raise _Unsure
    return out


def _mul(a: dict, b: dict) -> dict:
    out: dict = {}
    for (r1, k1), q1 in a.items():
        for (r2, k2), q2 in b.items():
            g = gcd(r1, r2)  # r1, r2 squarefree: sqrt(r1) sqrt(r2) = g sqrt(r1/g * r2/g), squarefree
            out = _add(out, {((r1 // g) * (r2 // g), k1 + k2): q1 * q2 * g})
    return out


def _rational(v: dict) -> Fraction | None:
    if not v:
        return Fraction(0)
    if set(v) == {(1, 0)}:
        return v[(1, 0)]
    return None


def _divide(a: dict, b: dict) -> dict:
    """a / b for b a single term c * sqrt(r) (no pi): a * sqrt(r) / (c * r)."""
    if len(b) != 1:
        raise _Unsure
    ((r, k), c), = b.items()
    if k or not c:
        raise _Unsure
    return _mul(a, {(r, 0): 1 / (c * r)})


def _sqrt(v: dict) -> dict:
    q = _rational(v)
    if q is None or q < 0:
        raise _Unsure
    s1, r = _squarefree(q.numerator * q.denominator)  # sqrt(p/q) = sqrt(p*q)/q
    return {(r, 0): Fraction(s1, q.denominator)} if q else {}


class _Parser:
    def __init__(self, text: str):
        self.tokens = _TOKEN.findall(text)
        if "".join(self.tokens) != text:
            raise _Unsure  # a letter, a command or a symbol the grammar does not know
        self.i = 0
        self.decimal = False

    def peek(self) -> str | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, token: str | None = None) -> str:
        got = self.peek()
        if got is None or (token is not None and got != token):
            raise _Unsure
        self.i += 1
        return got

    def expr(self) -> dict:
        sign = -1 if self.peek() == "-" else 1
        if self.peek() in ("-", "+"):
            self.i += 1
        value = _mul(_const(Fraction(sign)), self.term())
        while self.peek() in ("+", "-"):
            sign = 1 if self.take() == "+" else -1
            value = _add(value, self.term(), sign)
        return value

    def term(self) -> dict:
        value = self.power()
        while True:
            token = self.peek()
            if token in ("\\cdot", "\\times", "*"):
                self.i += 1
                value = _mul(value, self.power())
            elif token == "/":
                self.i += 1
                value = _divide(value, self.power())
            elif token in ("\\sqrt", "\\pi", "\\frac", "("):
                # implicit product: 3\sqrt{2}, 2\pi, \frac{1}{2}\sqrt{3}; but 2\frac{1}{2} may be a mixed number
                if token == "\\frac" and self.tokens[self.i - 1][0].isdigit():
                    raise _Unsure
                value = _mul(value, self.power())
            else:
                return value

    def power(self) -> dict:
        base = self.atom()
        if self.peek() != "^":
            return base
        self.i += 1
        braced = self.peek() == "{"
        if braced:
            self.i += 1
        exponent = self.take()
        if braced:
            self.take("}")
        if not exponent.isdigit() or int(exponent) > _MAX_POWER:
            raise _Unsure
        out = _const(Fraction(1))
        for _ in range(int(exponent)):
            out = _mul(out, base)
        return out

    def group(self) -> dict:
        self.take("{")
        value = self.expr()
        self.take("}")
        return value

    def atom(self) -> dict:
        token = self.take()
        if token[0].isdigit() or token[0] == ".":
            if len(token) > 100:
                raise _Unsure
            self.decimal |= "." in token
            return _const(Fraction(token))
        if token == "\\pi":
            return {(1, 1): Fraction(1)}
        if token == "\\sqrt":
            if self.peek() == "[":
                raise _Unsure  # n-th roots
            return _sqrt(self.group())
        if token == "\\frac":
            num = self.group()
            return _divide(num, self.group())
        if token in ("(", "{"):
            value = self.expr()
            self.take(")" if token == "(" else "}")
            return value
        raise _Unsure

    def scalar(self) -> dict:
        value = self.expr()
        if self.peek() is not None:
            raise _Unsure
        return value


def _canonical(value: dict):
    """A hashable form; a plain rational stays a Fraction, so 1/2 and 0.5 still compare equal."""
    q = _rational(value)
    return q if q is not None else ("surd", tuple(sorted(value.items())))


def _split_top(text: str) -> list[str]:
    """`text` split at the commas outside any bracket or brace."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth < 0:  # (0,1]\cup(2,3): not one bracketed list
                raise _Unsure
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _element(text: str, infinity: bool = False):
    """(canonical value, exact) of one tuple/interval/set element."""
    if infinity and text in ("\\infty", "+\\infty", "-\\infty"):
        return ("infinity", -1 if text[0] == "-" else 1), True
    parser = _Parser(text)
    value = parser.scalar()
    return _canonical(value), not parser.decimal


def _looks_like_thousands(parts: list[str]) -> bool:
    """1,000 or 12,345,678 read as a list would be wrong: refuse such lists."""
    return len(parts) > 1 and parts[0].lstrip("+-").isdigit() and len(parts[0].lstrip("+-")) <= 3 and all(
        p.isdigit() and len(p) == 3 for p in parts[1:])


def exact_value(normalized: str):
    """(canonical value, exact) for the closed forms above, or None when unsure.

    Scalars: a Fraction, or ("surd", terms). Sets: ("set", frozenset). Tuples and intervals:
    ("bracket", open, close, elements): (1,2) and [1,2] differ whether they are read as intervals
    (open vs closed) or as a tuple and a list, and so do (1,2) and (2,1).
    """
    s = normalized
    if not s or len(s) > _MAX_DIGITS:
        return None
    try:
        if s.startswith("\\{") and s.endswith("\\}"):
            parts = _split_top(s[2:-2])
            if _looks_like_thousands(parts):
                return None
            elements = [_element(p) for p in parts]
            return ("set", frozenset(v for v, _ in elements)), all(e for _, e in elements)
        if len(s) > 2 and s[0] in "([" and s[-1] in ")]":
            parts = _split_top(s[1:-1])
            if len(parts) > 1:
                if _looks_like_thousands(parts) or any(not p for p in parts):
                    return None
                elements = [_element(p, infinity=True) for p in parts]
                return ("bracket", s[0], s[-1], tuple(v for v, _ in elements)), all(e for _, e in elements)
        parser = _Parser(s)
        value = parser.scalar()
        return _canonical(value), not parser.decimal
    except (_Unsure, ZeroDivisionError, ValueError, OverflowError):
        return None
