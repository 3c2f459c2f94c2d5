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
_LAYOUT = re.compile(
    r"\\(?:left|right|displaystyle|textstyle|big|Big|bigg|Bigg)(?![A-Za-z])|\\[!,;: ]|\\q?quad(?![A-Za-z])|~|\$"
)
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


def numeric_value(normalized: str, polynomials: bool = False) -> tuple[object, bool] | None:
    """The exact value of an answer and whether it is exact (no decimal point), else None.

    Takes the output of `normalize`. Plain numbers give a Fraction; radicals, pi, tuples, intervals
    and sets give the canonical forms of `exact_value`. Equal values are equal answers. Decimals are
    read exactly (0.1 is 1/10), but are flagged inexact because the slow path compares them with
    rounding (0.333333 may equal 1/3): only two exact values that differ are surely different.
    `polynomials`: also polynomials in x (the verifier compares them; a vote or a part is a number).
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
    return exact_value(normalized, polynomials)


def bracketed_value(normalized: str, polynomials: bool = False):
    """`numeric_value` of a tuple, interval or set; None for anything else (a bare list `1,2` is
    not one number, so it has no value here)."""
    if normalized[:1] in ("(", "[") or normalized.startswith("\\{"):
        return numeric_value(normalized, polynomials)
    return None


# math-verify compares numbers with a decimal point after rounding both to 6 places (its
# float_rounding), in floats: two values further apart than this, and not huge, never round to one.
_ROUNDING_GAP = Fraction(1, 10**5)
_FLOAT_SAFE = 10**6


def surely_different(
    a: tuple[object, bool], b: tuple[object, bool], percent_a: bool, percent_b: bool, same_shape: bool = False
) -> bool:
    """Whether two unequal values from `numeric_value` are different under every reading math-verify
    may take, so "wrong" needs no sympy. Numbers: both exact, or too far apart for its rounding; a
    percent sign (which `normalize` drops) reads as v and as v/100, and every pair of readings must
    differ. Radicals, pi, polynomials: both exact. `same_shape` (tuples, intervals, sets): also of one
    kind and length; brackets may differ only between two intervals (math-verify reads (1,2) as an
    open interval, (4,3) as an ordered pair, and compares (1,2) with {1,2} by its own rules)."""
    (va, exact_a), (vb, exact_b) = a, b
    if isinstance(va, Fraction) and isinstance(vb, Fraction):
        readings_a = (va, va / 100) if percent_a else (va,)
        readings_b = (vb, vb / 100) if percent_b else (vb,)
        exact = exact_a and exact_b
        return all(
            x != y and (exact or (abs(x - y) > _ROUNDING_GAP and max(abs(x), abs(y)) < _FLOAT_SAFE))
            for x in readings_a
            for y in readings_b
        )
    if not (exact_a and exact_b) or percent_a or percent_b:
        return False
    return not same_shape or _same_shape(va, vb)


def _same_shape(va, vb) -> bool:
    """Two values math-verify compares element by element, so that unequal values are unequal to it."""
    if not (isinstance(va, tuple) and isinstance(vb, tuple)) or va[0] != vb[0]:
        return False  # e.g. (1,2) against {1,2}: math-verify's reading of the pair decides
    if va[0] == "set":
        return True
    if va[0] != "bracket" or len(va[3]) != len(vb[3]):
        return False
    if len(va[3]) == 2 and _increasing(va[3]) and _increasing(vb[3]):
        return True  # two intervals: endpoints and brackets both count
    # a pair that is no interval ((4,3), (4,4)) is read as an ordered pair, and so is (1,2) against it
    return va[1:3] == vb[1:3] and (len(va[3]) != 2 or va[1:3] == ("(", ")"))


def _increasing(pair) -> bool:
    """A two-element bracket that is a non-empty interval: plain numbers or infinities, low < high."""
    low, high = (_rank(v) for v in pair)
    return low is not None and high is not None and low < high


def _rank(v) -> Fraction | None:
    if isinstance(v, Fraction):
        return v if abs(v) < 10**8 else None
    if isinstance(v, tuple) and v[0] == "infinity":
        return Fraction(v[1] * 10**9)
    return None


_WORD = re.compile(r"[A-Za-z]+")


def different_words(a: str, b: str) -> bool:
    """Two normalized answers that are plain words (`Monday`, `even`) and surely differ for math-verify.

    math-verify reads a word as a product of one-letter symbols (`Monday` = M*o*n*d*a*y, so `no`
    equals `on`) or, from \\text{}, as one symbol compared by its lowercased name; `e` and `i` may
    become constants (i*i*i*i = 1). Under every reading two words are equal only if their letters
    other than e and i, lowercased, are the same multiset: when those differ the words surely do."""
    if not (_WORD.fullmatch(a) and _WORD.fullmatch(b)):
        return False

    def letters(word: str) -> list[str]:
        return sorted(ch for ch in word.lower() if ch not in "ei")

    return letters(a) != letters(b)


def same_answer(a: str, b: str) -> bool:
    """Fast, sure equality: equal normalized strings or equal plain numbers. False means unknown."""
    na, nb = normalize(a), normalize(b)
    if na == nb:
        return bool(na)
    va, vb = numeric_value(na), numeric_value(nb)
    return va is not None and vb is not None and va[0] == vb[0]


# ---------------------------------------------------------------------------------------------
# Exact values of the common closed forms: sums of rational multiples of sqrt(r) * pi^k * x^j (r a
# squarefree integer, x the one variable polynomial answers use), tuples, intervals and sets of them.
# Distinct squarefree radicals are linearly independent over the rationals, pi is transcendental and
# a polynomial is zero only when every coefficient is, so two such forms are equal exactly when their
# canonical term lists are: equality here is a proof, never a numeric estimate. Anything the grammar
# does not know (another letter, \sqrt[3], a mixed number "2\frac12", a huge power) is None: the
# caller then asks math-verify.

_MAX_TERMS = 16
_MAX_POWER = 16
_MAX_RADICAND = 10**8  # squarefree part found by trial division up to 10^4
_TOKEN = re.compile(r"\\(?:frac|sqrt|pi|cdot|times|infty)(?![A-Za-z])|\\[{}]|\d+\.?\d*|\.\d+|[-+*/^(){}\[\],x]")


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


# A value: {(radicand, power of pi, power of x): rational coefficient}, zero coefficients dropped.
_ONE = (1, 0, 0)


def _const(q: Fraction) -> dict:
    return {_ONE: q} if q else {}


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
    for (r1, k1, j1), q1 in a.items():
        for (r2, k2, j2), q2 in b.items():
            g = gcd(r1, r2)  # r1, r2 squarefree: sqrt(r1) sqrt(r2) = g sqrt(r1/g * r2/g), squarefree
            if j1 + j2 > _MAX_POWER:
                raise _Unsure
            out = _add(out, {((r1 // g) * (r2 // g), k1 + k2, j1 + j2): q1 * q2 * g})
    return out


def _rational(v: dict) -> Fraction | None:
    if not v:
        return Fraction(0)
    if set(v) == {_ONE}:
        return v[_ONE]
    return None


def _divide(a: dict, b: dict) -> dict:
    """a / b for b a single term c * sqrt(r) (no pi, no x): a * sqrt(r) / (c * r)."""
    if len(b) != 1:
        raise _Unsure
    (((r, k, j), c),) = b.items()
    if k or j or not c:
        raise _Unsure
    return _mul(a, {(r, 0, 0): 1 / (c * r)})


def _sqrt(v: dict) -> dict:
    q = _rational(v)
    if q is None or q < 0:
        raise _Unsure
    s1, r = _squarefree(q.numerator * q.denominator)  # sqrt(p/q) = sqrt(p*q)/q
    return {(r, 0, 0): Fraction(s1, q.denominator)} if q else {}


class _Parser:
    def __init__(self, text: str, polynomials: bool = False):
        self.tokens = _TOKEN.findall(text)
        if "".join(self.tokens) != text:
            raise _Unsure  # a letter, a command or a symbol the grammar does not know
        self.i = 0
        self.decimal = False
        self.polynomials = polynomials

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
            elif token in ("\\sqrt", "\\pi", "\\frac", "(", "x"):
                # implicit product: 3\sqrt{2}, 2\pi, 3x, \frac{1}{2}\sqrt{3}; but 2\frac{1}{2} may be a mixed number
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
            return {(1, 1, 0): Fraction(1)}
        if token == "x" and self.polynomials:
            return {(1, 0, 1): Fraction(1)}
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


def _element(text: str, infinity: bool = False, polynomials: bool = False):
    """(canonical value, exact) of one tuple/interval/set element."""
    if infinity and text in ("\\infty", "+\\infty", "-\\infty"):
        return ("infinity", -1 if text[0] == "-" else 1), True
    parser = _Parser(text, polynomials)
    value = parser.scalar()
    return _canonical(value), not parser.decimal


def _looks_like_thousands(parts: list[str]) -> bool:
    """1,000 or 12,345,678 read as a list would be wrong: refuse such lists."""
    return (
        len(parts) > 1
        and parts[0].lstrip("+-").isdigit()
        and len(parts[0].lstrip("+-")) <= 3
        and all(p.isdigit() and len(p) == 3 for p in parts[1:])
    )


def exact_value(normalized: str, polynomials: bool = False):
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
            elements = [_element(p, polynomials=polynomials) for p in parts]
            return ("set", frozenset(v for v, _ in elements)), all(e for _, e in elements)
        if len(s) > 2 and s[0] in "([" and s[-1] in ")]":
            try:
                parts = _split_top(s[1:-1])
            except _Unsure:  # (x+1)(x+2): not one bracketed list; read as a product below
                parts = []
            if len(parts) > 1:
                if _looks_like_thousands(parts) or any(not p for p in parts):
                    return None
                elements = [_element(p, infinity=True, polynomials=polynomials) for p in parts]
                return ("bracket", s[0], s[-1], tuple(v for v, _ in elements)), all(e for _, e in elements)
        parser = _Parser(s, polynomials)
        value = parser.scalar()
        return _canonical(value), not parser.decimal
    except (_Unsure, ZeroDivisionError, ValueError, OverflowError):
        return None
