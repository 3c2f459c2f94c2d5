"""Reference answers that datasets do not hand over as a plain answer column.

NuminaMath-CoT has no answer column: the answer is the last `\\boxed{}` of its worked `solution`
(the same box rule the verifier applies to completions, distill.verify.extract). NuminaMath-1.5
(and OpenR1-Math, built from it) write `proof` for proof problems and `notfound` where no final
answer was found: neither is an answer a verifier can check, so such rows are Unverifiable.
"""

from __future__ import annotations

from distill.formats.base import Bad, Unverifiable

PLACEHOLDERS = {"proof": "a proof problem", "notfound": "no final answer was found", "": "the answer is empty"}


def checked(answer: str, column: str) -> str:
    """`answer`, or Unverifiable when it is a placeholder for a missing answer."""
    key = answer.strip().lower()
    if key in PLACEHOLDERS:
        raise Unverifiable(f"column '{column}' is {answer.strip()!r} ({PLACEHOLDERS[key]}); no verifier can check it")
    return answer.strip()


def last_box(solution: str, column: str = "solution") -> str:
    """The last `\\boxed{}` of a worked solution; Unverifiable when there is none or it is empty."""
    from distill.verify.extract import find_boxes

    boxes = find_boxes(solution)
    if not boxes:
        raise Unverifiable(f"column '{column}' has no \\boxed{{}} answer")
    if not boxes[-1].strip():
        raise Bad(f"column '{column}': the last \\boxed{{}} is empty")
    return boxes[-1].strip()
