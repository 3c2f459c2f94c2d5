"""The `choice` verifier: one option letter (A-D by default, up to A-J), compared with the reference.

The letter is read from the final text (after the last </think>): the last `\\boxed{X}` if there
is a box; else the answer lines (`Answer: X`, `The answer is (X)`, and the same in common other
languages: `答案是 C`, `答案：C`, `Réponse : C`, `Antwort: C`, `Respuesta: C`, `Ответ: C`...) and
a bare final line holding only the letter (`C`, `(B).`, `**D**`). A hedge is wrong: boxes or
answers naming different letters, or one answer offering several (`A or B`, `A/B`, `A, C`). A
letter named only to be ruled out is not offered: in "D, not A or B" and "C (A and B are ruled
out)" the answer is the first letter and the rest explains it; "the answer is not A" is no answer.
"""

from __future__ import annotations

import re

from distill.errors import DistillError
from distill.verify.extract import extract
from distill.verify.verdict import Verdict

DEFAULT_LETTERS = "ABCD"
_WRAPPERS = re.compile(r"\\(?:text|textbf|mathrm|mathbf)\s*\{([^{}]*)\}|[$*_]")
# "answer" in the languages R1-style models answer in, then a connector ("is", ":", "是"...).
_ANSWER_WORD = r"(?:answer|r[ée]ponse|antwort|respuesta|resposta|risposta|ответ|答案|解答|正解|答え|정답)"
_CONNECTOR = r"(?:\s*(?:(?:is|est|ist|lautet|es|é|è)(?![A-Za-z])|是|为|為|は|은|는|:|：))+"
# The text after the connector is looked at, not consumed: "not A. The answer is C." holds two lines.
_ANSWER_LINE = re.compile(
    _ANSWER_WORD + _CONNECTOR + r"\s*(?:(?:option|choice)(?![A-Za-z])|选项|選項)?\s*(?=([^\n]{0,40}))", re.IGNORECASE
)
_NEGATED = re.compile(r"^(?:not|n['’]t|nicht|pas|不是|不)(?![A-Za-z])", re.IGNORECASE)
_LETTERS = re.compile(r"(?<![A-Za-z])\(?([A-Za-z])\)?(?![A-Za-z])")
_LEADING = re.compile(r"^\(?([A-Za-z])\)?(?:[.:)\s]|$)")
_BARE_LINE = re.compile(r"^(?:option|choice)?\s*\(?([A-J])\)?\s*[.:)]?$", re.IGNORECASE)
# One answer offering several: the first letter joined to another ("A or B", "A, C", "A or maybe B").
_JOINED = re.compile(
    r"^\(?[A-Ja-j]\)?\s*(?i:or|and|/|,|&|oder|ou|o|y|et|und|或|和|、)\s*(?i:maybe|perhaps|possibly|even)?\s*\(?[A-J]\)?(?![A-Za-z])"
)


def verify_choice(
    completion: str, answer: str, tests: list | None = None, *, letters: str = DEFAULT_LETTERS
) -> Verdict:
    letters = _check_letters(letters)
    gold = _read_letter(answer, letters, from_box=True)
    if gold is None or gold == "hedge":
        raise DistillError(f"choice answer {answer!r} is not one of the letters {letters}")
    found = extract(completion)
    if found.final_text is None:
        return Verdict(False, None, "no_think_close")
    texts: list[str | None]  # what each pick was read from; [None] when nothing was
    if found.boxes:
        if not found.boxes[-1]:
            return Verdict(False, "", "empty_box")
        boxes = [box for box in found.boxes if box]
        picks = [_read_letter(box, letters, from_box=True) for box in boxes]
        texts = list(boxes)
    else:
        candidates = answer_texts(found.final_text)
        picks = [_read_letter(text, letters, from_box=False) for text in candidates]
        texts = [text for text, pick in zip(candidates, picks) if pick is not None] or [None]
        picks = [pick for pick in picks if pick is not None] or [None]
    letter, shown = picks[-1], texts[-1]
    if letter is None:
        invalid = shown is not None and bool(re.fullmatch(r"\(?[A-Za-z]\)?", shown))
        return Verdict(False, shown, "invalid_choice" if invalid else "no_answer")
    if "hedge" in picks or len({p for p in picks if p is not None}) > 1:
        return Verdict(False, shown, "hedge")
    return Verdict(letter == gold, letter, "correct" if letter == gold else "wrong_answer")


def answer_texts(final: str) -> list[str]:
    """What follows each answer line's connector (negated ones left out), then a bare last line."""
    texts = [m.group(1).strip() for m in _ANSWER_LINE.finditer(final)]
    texts = [text for text in texts if not _NEGATED.match(text)]
    lines = [line for line in final.splitlines() if line.strip()]
    if lines:
        last = _WRAPPERS.sub(lambda m: m.group(1) or "", lines[-1]).strip()
        if _BARE_LINE.match(last):
            texts.append(last)
    return texts


def _check_letters(letters: str) -> str:
    letters = letters.upper()
    if not letters or not set(letters) <= set("ABCDEFGHIJ"):
        raise DistillError(f"choice letters {letters!r}: expected some of A-J, e.g. 'ABCD'")
    return letters


def _read_letter(text: str, letters: str, *, from_box: bool) -> str | None:
    """The single option letter in `text`, 'hedge' when it offers several, None when none."""
    clean = _WRAPPERS.sub(lambda m: m.group(1) or "", text).strip()
    if from_box:
        # A box holds the letter alone, maybe with its option text: "B", "(B)", "B) 42".
        alone = _LEADING.match(clean)
        named = {m.group(1).upper() for m in _LETTERS.finditer(clean)} & set(letters)
        if alone and alone.group(1).upper() in letters:
            letter = alone.group(1).upper()
            return "hedge" if _JOINED.match(clean) else letter
        return "hedge" if len(named) > 1 else (named.pop() if named else None)
    # After "answer is": the letter is the first standalone capital, e.g. "(C).", "**D**"; letters
    # after it explain it ("D, not A or B") unless joined to it as alternatives ("D or A").
    first = next((m for m in _LETTERS.finditer(clean) if m.group(1) in letters), None)
    if first is None:
        return None
    return "hedge" if _JOINED.match(clean[first.start() :]) else first.group(1)
