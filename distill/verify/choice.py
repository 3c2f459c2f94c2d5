"""The `choice` verifier: one option letter (A-D by default, up to A-J), compared with the reference.

The letter is read from the final text (after the last </think>): the last `\\boxed{X}` if there
is a box, else the last `Answer: X` / `answer is (X)` line. A hedge is wrong: boxes with different
letters, or one answer naming several letters ("A or B", "A/B", "A, C").
"""

from __future__ import annotations

import re

from distill.errors import DistillError
from distill.verify.extract import extract
from distill.verify.verdict import Verdict

DEFAULT_LETTERS = "ABCD"
_WRAPPERS = re.compile(r"\\(?:text|textbf|mathrm|mathbf)\s*\{([^{}]*)\}|[$*]")
# "Answer: B", "the answer is (C)", "Final answer: **D**"; the letter must stand alone.
_ANSWER_LINE = re.compile(r"answer\s*(?:is|:)\s*(?:option\s*)?(.{0,40})", re.IGNORECASE)
_LETTERS = re.compile(r"(?<![A-Za-z])\(?([A-Za-z])\)?(?![A-Za-z])")
_LEADING = re.compile(r"^\(?([A-Za-z])\)?(?:[.:)\s]|$)")


def verify_choice(completion: str, answer: str, tests: list | None = None, *, letters: str = DEFAULT_LETTERS) -> Verdict:
    letters = _check_letters(letters)
    gold = _read_letter(answer, letters, from_box=True)
    if gold is None or gold == "hedge":
        raise DistillError(f"choice answer {answer!r} is not one of the letters {letters}")
    found = extract(completion)
    if found.final_text is None:
        return Verdict(False, None, "no_think_close")
    if found.boxes:
        if not found.boxes[-1]:
            return Verdict(False, "", "empty_box")
        texts = [box for box in found.boxes if box]
        picks = [_read_letter(box, letters, from_box=True) for box in texts]
    else:
        texts = [m.group(1).strip() for m in _ANSWER_LINE.finditer(found.final_text)]
        picks = [_read_letter(text, letters, from_box=False) for text in texts]
        texts = [text for text, pick in zip(texts, picks) if pick is not None] or [None]
        picks = [pick for pick in picks if pick is not None] or [None]
    letter, shown = picks[-1], texts[-1]
    if letter is None:
        invalid = shown is not None and bool(re.fullmatch(r"\(?[A-Za-z]\)?", shown))
        return Verdict(False, shown, "invalid_choice" if invalid else "no_answer")
    if letter == "hedge" or len({p for p in picks if p is not None}) > 1:
        return Verdict(False, shown, "hedge")
    return Verdict(letter == gold, letter, "correct" if letter == gold else "wrong_answer")


def _check_letters(letters: str) -> str:
    letters = letters.upper()
    if not letters or not set(letters) <= set("ABCDEFGHIJ"):
        raise DistillError(f"choice letters {letters!r}: expected some of A-J, e.g. 'ABCD'")
    return letters


def _read_letter(text: str, letters: str, *, from_box: bool) -> str | None:
    """The single option letter in `text`, 'hedge' when it names several, None when none."""
    clean = _WRAPPERS.sub(lambda m: m.group(1) or "", text).strip()
    if from_box:
        # A box holds the letter alone, maybe with its option text: "B", "(B)", "B) 42".
        alone = _LEADING.match(clean)
        named = {m.group(1).upper() for m in _LETTERS.finditer(clean)} & set(letters)
        if alone and alone.group(1).upper() in letters:
            letter = alone.group(1).upper()
            others = named - {letter}
            return "hedge" if others and _lists_letters(clean) else letter
        return "hedge" if len(named) > 1 else (named.pop() if named else None)
    # After "answer is": the letter is the first standalone capital, e.g. "(C).", "**D**".
    named = [m.group(1) for m in _LETTERS.finditer(clean) if m.group(1) in letters]
    if not named:
        return None
    return "hedge" if len(set(named)) > 1 and _lists_letters(clean) else named[0]


def _lists_letters(text: str) -> bool:
    """'A or B', 'A/B', 'A, B', 'A and B': several options offered at once."""
    return bool(re.search(r"(?<![A-Za-z])\(?[A-J]\)?\s*(?:or|and|/|,|&)\s*\(?[A-J]\)?(?![A-Za-z])", text))
