"""Reading the final answer out of a completion, by the rules in DESIGN.md.

- The final answer is read from the text after the LAST `</think>`. No `</think>` means no final
  answer (`no_think_close`): an answer that only appears inside the reasoning does not count.
- In that text the last `\\boxed{...}` (balanced braces; also `\\boxed 5` and `\\fbox{...}`) is
  the answer. No box: `no_answer`. The last box empty: `empty_box`.
- Several boxes that disagree after normalization are a hedge (`hedge`) and count as wrong.
- Code: `last_code_block` (`distill.core.code_blocks`) is the one code-block extractor (the code
  verifier and the format reward).

Everything is linear in the completion length: one `rfind`, one regex pass for box commands
and one pass over the braces of the final text, so a 1 MB completion takes milliseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from distill.core.code_blocks import last_code_block  # noqa: F401  (re-exported: verifiers import it here)
from distill.core.think import THINK_CLOSE, final_text  # noqa: F401  (re-exported)
from distill.verify.rewrite import agree

_BOX = re.compile(r"\\(?:boxed|fbox)(?![A-Za-z])\s*")
_BRACE = re.compile(r"\\[{}]|[{}]")  # escaped braces (\{ \}) are set braces, not groups
_BARE_TOKEN = re.compile(r"\\[A-Za-z]+|[^\s${}\\]+")  # \boxed 5, \boxed \pi


@dataclass(frozen=True)
class Extraction:
    final_text: str | None  # text after the last </think>; None when there is no </think>
    boxes: tuple[str, ...]  # contents of the top-level boxes in the final text, in order
    answer: str | None  # the last box's content (stripped); None when there is no box
    reason: str  # "ok", "no_think_close", "no_answer", "empty_box" or "hedge"


def _matching_braces(text: str) -> dict[int, int]:
    """Position of each `{` -> position of its matching `}`, in one pass over the braces."""
    stack: list[int] = []
    pairs: dict[int, int] = {}
    for match in _BRACE.finditer(text):
        token = match.group()
        if token == "{":
            stack.append(match.start())
        elif token == "}" and stack:
            pairs[stack.pop()] = match.start()
    return pairs


def _simple_close(text: str, at: int) -> int | None:
    """The `}` closing the `{` at `at` when the group has no braces inside (the common case)."""
    close = text.find("}", at + 1)
    if close < 0:
        return None
    inner = text.find("{", at + 1, close)
    if inner >= 0 or text[close - 1] == "\\":
        return None
    return close


def find_boxes(text: str) -> list[str]:
    """Contents of the top-level `\\boxed{}`/`\\fbox{}` in `text`; unclosed boxes are skipped."""
    starts = list(_BOX.finditer(text))
    if not starts:
        return []
    pairs: dict[int, int] | None = None  # all brace pairs, built once if any box needs them
    boxes: list[str] = []
    covered = -1  # end of the last box taken: boxes nested inside it are part of it
    for match in starts:
        if match.start() < covered:
            continue
        at = match.end()
        if at < len(text) and text[at] == "{":
            # Flat boxes are matched by two finds over their own text; the first box that is not
            # flat builds the brace map, used from then on (so no text is scanned twice).
            close = _simple_close(text, at) if pairs is None else pairs.get(at)
            if close is None and pairs is None:
                pairs = _matching_braces(text) if pairs is None else pairs
                close = pairs.get(at)
            if close is None:
                continue  # unbalanced (often truncated): no answer here
            boxes.append(text[at + 1 : close].strip())
            covered = close
        else:
            token = _BARE_TOKEN.match(text, at)
            if token:
                boxes.append(token.group())
                covered = token.end()
    return boxes


def extract(completion: str) -> Extraction:
    text = final_text(completion)
    if text is None:
        return Extraction(None, (), None, "no_think_close")
    boxes = tuple(find_boxes(text))
    if not boxes:
        return Extraction(text, boxes, None, "no_answer")
    answer = boxes[-1]
    if not answer:
        return Extraction(text, boxes, answer, "empty_box")
    # Empty boxes elsewhere (e.g. quoting the instruction "\boxed{}") are not answers.
    others = set(boxes[:-1]) - {answer, ""}  # distinct contents only: 100k equal boxes cost one check
    if any(not agree(box, answer) for box in others):
        return Extraction(text, boxes, answer, "hedge")
    return Extraction(text, boxes, answer, "ok")


def extract_final_answer(completion: str) -> tuple[str | None, str | None, str]:
    """(text after the last </think> or None, last boxed answer or None, reason)."""
    result = extract(completion)
    return result.final_text, result.answer, result.reason
