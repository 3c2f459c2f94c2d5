"""Answers in several parts: a reference that is a set or a list, and one box per part.

DESIGN.md: several boxes that disagree are a hedge, "unless the reference itself has several parts
(a set, list or tuple) and the boxes are exactly its parts". Here:

- `reference_parts(answer)`: the reference as one answer plus its parts. A reference stored boxed
  (or a whole solution) is read by its boxes: one distinct box is the answer; several distinct
  boxes are a multi-part answer (`\\boxed{2}` and `\\boxed{3}` -> "2, 3"), never silently its last.
  An unboxed set `\\{2, 3\\}` or bare list `2, 3` has parts; a parenthesized or bracketed pair has
  none, because `(1, 2)` may be an interval or an ordered pair, which one box per coordinate cannot say.
- `boxes_are_the_parts(parts, boxes, same)`: the distinct boxes pair off one to one with the parts,
  in any order. An extra box (an intermediate result) or a missing part leaves it a hedge.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from distill.verify.extract import find_boxes
from distill.verify.normalize import normalize, numeric_value
from distill.verify.rewrite import agree, rewrite

# One box per part is paired off by a small search over (part, box) comparisons, each bounded by the
# math time limit: at most MAX_PARTS^2 of them. Plain numbers pair by exact value, without sympy.
MAX_PARTS = 8
_LAYOUT = re.compile(r"\\(?:left|right)(?![A-Za-z])")
_OPEN, _CLOSE = "({[", ")}]"


def distinct(answers) -> tuple[str, ...]:
    """Non-empty answers with repeats (equal after cheap normalization) removed, in order."""
    out: list[str] = []
    for answer in answers:
        if answer and not any(answer == seen or agree(answer, seen) for seen in out):
            out.append(answer)
    return tuple(out)


@lru_cache(maxsize=4096)  # one reference serves all samples of its prompt
def reference_parts(answer: str) -> tuple[str, tuple[str, ...]]:
    """(the reference to compare with one box, its parts when it has several, else ())."""
    if "\\boxed" in answer or "\\fbox" in answer:
        boxes = distinct(find_boxes(answer))
        if len(boxes) > 1:
            return ", ".join(boxes), boxes
        if boxes:
            answer = boxes[0]
    return answer, split_parts(answer)


def split_parts(answer: str) -> tuple[str, ...]:
    """The items of a set `\\{a, b\\}` or a bare list `a, b`; () for anything else."""
    text = _LAYOUT.sub("", rewrite(answer)).strip().rstrip(".").strip()
    if text.startswith("\\{") and text.endswith("\\}"):
        text = text[2:-2]
    elif text[:1] in _OPEN:
        return ()
    parts = _top_level_split(text)
    return tuple(parts) if 2 <= len(parts) <= MAX_PARTS and all(parts) else ()


def _top_level_split(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in "{}":
            depth += 1 if text[i + 1] == "{" else -1
            i += 2
            continue
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
        i += 1
    parts.append(text[start:].strip())
    return parts


def boxes_are_the_parts(parts: tuple[str, ...], boxes: tuple[str, ...], same: Callable[[str, str], bool]) -> bool:
    """Whether the distinct boxes are exactly the parts, one box per part, in any order."""
    if len(parts) != len(boxes) or not 2 <= len(parts) <= MAX_PARTS:
        return False
    values = [_exact(text) for text in parts + boxes]
    if all(value is not None for value in values):  # all plain numbers: compare the multisets of values
        return sorted(values[: len(parts)]) == sorted(values[len(parts) :])
    return _pair_off(list(parts), list(boxes), same)


def _exact(text: str):
    value = numeric_value(normalize(rewrite(text)))
    return value[0] if value is not None and value[1] else None


def _pair_off(parts: list[str], boxes: list[str], same) -> bool:
    if not parts:
        return True
    first, rest = parts[0], parts[1:]
    return any(same(first, box) and _pair_off(rest, boxes[:i] + boxes[i + 1 :], same) for i, box in enumerate(boxes))
