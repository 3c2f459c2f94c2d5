"""Math answers in the forms real references take, each with equivalent rewrites and wrong variants.

`pick(rng)` returns an `Answer`: the reference as a dataset would store it, other ways a correct
sample writes the same value (`\\dfrac34` for `\\frac{3}{4}`, `\\sqrt{18}` for `3\\sqrt{2}`, `0.25` for
`\\frac14`, a set in another order, `12` for `12 \\text{ cm}`) and wrong answers near it. The share of
each form follows what NuminaMath-style references hold: about half integers, the rest fractions,
radicals, pi, intervals, tuples, sets, decimals, percentages, units, text and a few expressions that
only a CAS can compare. Used by synthetic_traces.py; deterministic for a given rng.
"""

from __future__ import annotations

import random
from math import gcd
from typing import NamedTuple


class Answer(NamedTuple):
    form: str
    reference: str
    equivalents: tuple[str, ...]  # includes the reference itself
    wrong: tuple[str, ...]


def _frac(n: int, d: int, cmd: str = "\\frac") -> str:
    return f"-{cmd}{{{-n}}}{{{d}}}" if n < 0 else f"{cmd}{{{n}}}{{{d}}}"


def _reduced(rng: random.Random) -> tuple[int, int]:
    while True:
        n, d = rng.randint(1, 40), rng.randint(2, 40)
        if gcd(n, d) == 1:
            return (-n if rng.random() < 0.2 else n), d


def integer(rng):
    v = rng.randint(-50, 2000) if rng.random() < 0.9 else rng.randint(10_000, 999_999)
    eq = [str(v)]
    if v >= 1000 and rng.random() < 0.5:
        eq.append(f"{v:,}".replace(",", "{,}"))
    if rng.random() < 0.2:
        eq.append(f"{v}.0")
    return Answer("integer", str(v), tuple(eq), (str(v + rng.randint(1, 9)), str(v - rng.randint(1, 9))))


def fraction(rng):
    n, d = _reduced(rng)
    ref = rng.choice([_frac(n, d), _frac(n, d, "\\dfrac"), f"{n}/{d}"])
    k = rng.randint(2, 4)
    eq = [ref, _frac(n, d, "\\dfrac"), _frac(n * k, d * k), f"{n}/{d}"]
    if n > 0 and n < 10 and d < 10:
        eq.append(f"\\frac{n}{d}")
    if n < 0:
        eq.append(f"\\frac{{{n}}}{{{d}}}")
    if all(p in (2, 5) for p in _prime_factors(d)):
        eq.append(str(n / d))
    wrong = (_frac(d, abs(n)) if abs(n) != 1 else _frac(n + 1, d), _frac(n + 1, d), _frac(n, d + 1))
    return Answer("fraction", ref, tuple(eq), wrong)


def _prime_factors(n: int) -> list[int]:
    out, p = [], 2
    while p * p <= n:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    return out + ([n] if n > 1 else [])


SQUAREFREE = (2, 3, 5, 6, 7, 10, 11, 13, 14, 15, 17, 19, 21)


def radical(rng):
    a, r = rng.randint(2, 9), rng.choice(SQUAREFREE)
    kind = rng.random()
    if kind < 0.4:  # a sqrt r
        ref = f"{a}\\sqrt{{{r}}}"
        eq = (ref, f"\\sqrt{{{a * a * r}}}", f"{a} \\sqrt{{{r}}}", f"{a}\\sqrt {r}" if r < 10 else ref)
        wrong = (f"{a + 1}\\sqrt{{{r}}}", f"{a}\\sqrt{{{r + 1}}}", f"\\sqrt{{{a * r}}}")
    elif kind < 0.7:  # sqrt r / d
        d = rng.choice((2, 3, 4, 6))
        ref = f"\\frac{{\\sqrt{{{r}}}}}{{{d}}}"
        eq = (ref, f"\\dfrac{{\\sqrt{{{r}}}}}{{{d}}}", f"\\frac{{1}}{{{d}}}\\sqrt{{{r}}}", f"\\sqrt{{{r}}}/{d}")
        wrong = (f"\\frac{{\\sqrt{{{r}}}}}{{{d + 1}}}", f"\\frac{{{d}}}{{\\sqrt{{{r}}}}}", f"{d}\\sqrt{{{r}}}")
    else:  # a + b sqrt r, as the quadratic formula leaves it
        b = rng.randint(1, 5)
        ref = f"{a}+{b}\\sqrt{{{r}}}" if b > 1 else f"{a}+\\sqrt{{{r}}}"
        eq = (ref, f"{b}\\sqrt{{{r}}}+{a}" if b > 1 else f"\\sqrt{{{r}}}+{a}", f"{a} + {b} \\sqrt{{{r}}}" if b > 1 else f"{a} + \\sqrt{{{r}}}")
        wrong = (f"{a}-{b}\\sqrt{{{r}}}", f"{a + 1}+{b}\\sqrt{{{r}}}")
    return Answer("radical", ref, eq, wrong)


def pi(rng):
    n, d = rng.choice([(1, 2), (1, 3), (2, 3), (1, 4), (3, 4), (1, 6), (5, 6), (2, 1), (4, 1), (3, 2), (7, 12)])
    if d == 1:
        ref = f"{n}\\pi"
        eq = (ref, f"{n} \\pi", f"\\pi \\cdot {n}" if n > 1 else ref)
    else:
        top = "\\pi" if n == 1 else f"{n}\\pi"
        ref = f"\\frac{{{top}}}{{{d}}}"
        eq = (ref, f"\\dfrac{{{top}}}{{{d}}}", f"\\frac{{{n}}}{{{d}}}\\pi", f"{top}/{d}")
    wrong = (f"\\frac{{{n}\\pi}}{{{d + 1}}}", f"{n + d}\\pi")
    return Answer("pi", ref, eq, wrong)


def interval(rng):
    lo, hi = sorted(rng.sample(range(-20, 21), 2))
    if rng.random() < 0.4:
        lo, hi = -1, max(hi, 1)  # so that a fraction in (-1, 1) can be the upper end
    left, right = rng.choice("(["), rng.choice(")]")
    if rng.random() < 0.25:
        ref = f"(-\\infty, {hi}{right}"
        eq = (ref, f"(-\\infty,{hi}{right}", f"\\left(-\\infty, {hi}\\right{right}")
        wrong = (f"(-\\infty, {hi + 1}{right}", f"({hi}, \\infty)")
        return Answer("interval", ref, eq, wrong)
    n, d = _reduced(rng)
    hi_form = _frac(n, d) if lo < n / d < lo + 1 and rng.random() < 0.5 else str(hi)
    hi_alt = hi_form.replace("\\frac", "\\tfrac")
    ref = f"{left}{lo}, {hi_form}{right}"
    eq = (ref, f"{left}{lo},{hi_alt}{right}", f"\\left{left}{lo}, {hi_form}\\right{right}")
    flip = {"(": "[", "[": "("}[left]
    wrong = (f"{flip}{lo}, {hi_form}{right}", f"{left}{lo + 1}, {hi_form}{right}" if lo + 1 != hi else f"{left}{lo - 1}, {hi_form}{right}")
    return Answer("interval", ref, eq, wrong)


def tuple_(rng):
    size = rng.choice((2, 2, 3))
    values = [rng.randint(-9, 9) for _ in range(size)]
    parts = [str(v) for v in values]
    if rng.random() < 0.3:
        n, d = _reduced(rng)
        parts[0], alt0 = _frac(n, d), f"{n}/{d}"
    else:
        alt0 = parts[0]
    ref = "(" + ", ".join(parts) + ")"
    eq = (ref, "(" + ",".join([alt0] + parts[1:]) + ")", "\\left(" + ", ".join(parts) + "\\right)")
    swapped = parts[::-1] if parts[0] != parts[-1] else [parts[0] + "+1"] + parts[1:]
    wrong = ("(" + ", ".join(swapped) + ")", "(" + ", ".join(parts[:-1] + [str(values[-1] + 1)]) + ")")
    return Answer("tuple", ref, eq, wrong)


def set_(rng):
    values = sorted(rng.sample(range(-12, 30), rng.choice((2, 3, 4))))
    parts = [str(v) for v in values]
    ref = "\\{" + ", ".join(parts) + "\\}"
    shuffled = parts[:]
    rng.shuffle(shuffled)
    eq = (ref, "\\{" + ",".join(shuffled) + "\\}", "\\left\\{" + ", ".join(parts[::-1]) + "\\right\\}")
    wrong = ("\\{" + ", ".join(parts[:-1]) + "\\}", "\\{" + ", ".join(parts[:-1] + [str(values[-1] + 1)]) + "\\}")
    return Answer("set", ref, eq, wrong)


def decimal(rng):
    v = rng.randint(1, 9999) / rng.choice((10, 100, 1000))
    ref = f"{v:g}"
    eq = [ref]
    if ref.startswith("0."):
        eq.append(ref[1:])
    if "." in ref and rng.random() < 0.3:
        eq.append(ref + "0")
    num = round(v * 1000)
    g = gcd(num, 1000)
    eq.append(_frac(num // g, 1000 // g))
    return Answer("decimal", ref, tuple(eq), (f"{v + 0.1:g}", f"{v * 10:g}"))


def percent(rng):
    v = rng.randint(1, 99)
    ref = rng.choice([f"{v}\\%", f"{v}%"])
    return Answer("percent", ref, (ref, str(v), f"{v}\\%", f"{v} \\%"), (f"{v + 5}\\%", str(v + 1)))


UNITS = ("cm", "inches", "meters", "square units", "dollars", "minutes", "km")


def unit(rng):
    v, u = rng.randint(1, 500), rng.choice(UNITS)
    if rng.random() < 0.3:
        ref = f"{v}^\\circ"
        return Answer("unit", ref, (ref, str(v), f"{v}^{{\\circ}}", f"{v}°"), (f"{v + 10}^\\circ", str(v + 1)))
    ref = f"{v} \\text{{ {u}}}"
    return Answer("unit", ref, (ref, str(v), f"{v}\\text{{{u}}}", f"{v}\\ \\text{{{u}}}"), (f"{v + 2} \\text{{ {u}}}", str(v * 2)))


TEXT = ("Monday", "Tuesday", "Friday", "even", "odd", "Alice", "Bob", "yes", "no", "parallelogram", "rhombus")


def text(rng):
    word = rng.choice(TEXT)
    ref = rng.choice([f"\\text{{{word}}}", word])
    other = rng.choice([w for w in TEXT if w != word])
    return Answer("text", ref, (ref, word, f"\\text{{{word}}}", f"\\textbf{{{word}}}"), (f"\\text{{{other}}}", other))


def expression(rng):
    """Polynomials written factored or expanded: only math-verify (sympy) can tell these are equal."""
    a, b = rng.randint(1, 9), rng.randint(1, 9)
    ref = f"(x+{a})(x+{b})"
    return Answer("expression", ref, (ref, f"x^2+{a + b}x+{a * b}", f"(x+{b})(x+{a})"),
                  (f"x^2+{a + b}x+{a * b + 1}", f"(x+{a})(x-{b})"))


# (form, share): about half integers, as in NuminaMath-derived sets.
FORMS = ((integer, 0.46), (fraction, 0.12), (radical, 0.07), (pi, 0.05), (interval, 0.04), (tuple_, 0.04),
         (set_, 0.03), (decimal, 0.06), (percent, 0.03), (unit, 0.04), (text, 0.03), (expression, 0.03))


def pick(rng: random.Random) -> Answer:
    roll, acc = rng.random(), 0.0
    for make, share in FORMS:
        acc += share
        if roll < acc:
            return make(rng)
    return integer(rng)
