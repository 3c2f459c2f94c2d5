"""Rewrites applied to both math answers before any comparison, where a surface form is ambiguous.

- Thousands separators. A comma between digits is a thousands separator only when it is written
  without a space and every group after it has three digits (`3,125`, `1{,}000`, `10,\\!000` are
  3125, 1000, 10000; an explicit `,\\!` may be followed by a space); the separator is then removed.
  A comma followed by a space separates list items (`3, 125` and `32, 349` are pairs), as in
  math-verify. After this rewrite a comma that remains is a list comma, so no number reading may
  look through it.
- Radicals without braces. `\\sqrt[3]8` and `\\sqrt[4]16` get their braces (`\\sqrt[4]{16}`), and
  so does `\\sqrt16`: a run of digits is read whole, as the writer means it (TeX would typeset
  `\\sqrt16` as sqrt(1)*6, which nobody writes that way); a single letter is one argument (`\\sqrt x`).

Regex work only, linear in the text.
"""

from __future__ import annotations

import re

from distill.verify.normalize import same_answer

# 1{,}000 and 10,\!000: a brace or a negative thin space between digits, in a number of 3-digit groups.
# `,\!` is an explicit thousands separator even when a space follows it (`11,\! 111`).
_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:(?:\{,\}|,\\!\s*|,)\d{3})+(?!\d|,\d|\{,\}|,\\!)")
_SEPARATOR = re.compile(r"\{,\}|,\\!\s*|,")
_RADICAL = re.compile(r"\\sqrt\s*(\[[^\[\]{}]*\])?\s*(\d+(?:\.\d+)?|[A-Za-z](?![A-Za-z]))")


def rewrite(answer: str) -> str:
    if "," in answer:
        answer = _THOUSANDS.sub(lambda m: _SEPARATOR.sub("", m.group()), answer)
    if "\\sqrt" in answer:
        answer = _RADICAL.sub(lambda m: "\\sqrt" + (m.group(1) or "") + "{" + m.group(2) + "}", answer)
    return answer


def has_list_comma(answer: str) -> bool:
    """After `rewrite`: a comma is left, so the answer is a list (or a tuple, set, interval)."""
    return "," in answer


def agree(a: str, b: str) -> bool:
    """Fast, sure equality after the rewrites: `normalize.same_answer`, except that a list never
    equals a number (`32, 349` is not 32349, though both normalize to `32,349`). False = unknown."""
    a, b = rewrite(a), rewrite(b)
    if has_list_comma(a) != has_list_comma(b):
        return False
    return same_answer(a, b)
