"""The `general` verifier: domains with no reference answer.

Correct iff a non-empty final answer exists after the last </think> (a boxed answer if there is
one, else the final text itself). It checks that the model finished its reasoning and answered,
nothing about whether the answer is right; the reason says which of those failed.
"""

from __future__ import annotations

from distill.verify.extract import extract
from distill.verify.verdict import Verdict

MAX_EXTRACTED_CHARS = 2000  # the final text can be long; the verdict keeps its start


def verify_general(completion: str, answer: str = "", tests: list | None = None) -> Verdict:
    found = extract(completion)
    if found.final_text is None:
        return Verdict(False, None, "no_think_close")
    if found.boxes:
        if found.reason != "ok":  # empty_box or hedge: wrong even without a reference
            return Verdict(False, found.answer, found.reason)
        return Verdict(True, found.answer, "correct")
    text = found.final_text.strip()
    if not text:
        return Verdict(False, None, "no_answer")
    return Verdict(True, text[:MAX_EXTRACTED_CHARS], "correct")
