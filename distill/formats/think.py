"""The one place that turns a dataset's reasoning markers into distill's `<think>…</think>`.

Published R1 trace sets mark the reasoning three ways:
- R1's own tags, `<think>…</think>` then the answer (OpenR1-Math, OpenThoughts3): kept as they are;
- the Sky-T1 / Bespoke-Stratos / OpenThoughts-114k system prompt's markers,
  `<|begin_of_thought|>…<|end_of_thought|>` then `<|begin_of_solution|>…<|end_of_solution|>`;
- separate columns for the thinking and the attempt (s1K): `join`.
The result is always `<think>\\n{thought}\\n</think>\\n\\n{answer}`, what the filter's format check,
the answer extraction and the chat template expect.
"""

from __future__ import annotations

from distill.core.think import join_think
from distill.formats.base import Bad

BEGIN_THOUGHT, END_THOUGHT = "<|begin_of_thought|>", "<|end_of_thought|>"
BEGIN_SOLUTION, END_SOLUTION = "<|begin_of_solution|>", "<|end_of_solution|>"
MARKERS = (BEGIN_THOUGHT, END_THOUGHT, BEGIN_SOLUTION, END_SOLUTION)


def join(thinking: str, answer: str) -> str:
    return join_think(thinking.strip(), answer.strip())


def has_markers(text: str) -> bool:
    return any(marker in text for marker in MARKERS)


def to_think(text: str) -> str:
    """`text` with thought/solution markers turned into `<think>`; unchanged when it has none.
    Markers that do not pair up exactly once are a Bad row (a truncated or garbled trace)."""
    if not has_markers(text):
        return text
    counts = {marker: text.count(marker) for marker in MARKERS}
    if counts[BEGIN_THOUGHT] != 1 or counts[END_THOUGHT] != 1:
        raise Bad(
            f"thought markers: expected one {BEGIN_THOUGHT} and one {END_THOUGHT}, found "
            f"{counts[BEGIN_THOUGHT]} and {counts[END_THOUGHT]}"
        )
    start, end = text.index(BEGIN_THOUGHT), text.index(END_THOUGHT)
    if end < start or text[:start].strip():
        raise Bad(f"thought markers: {END_THOUGHT} before {BEGIN_THOUGHT}, or text before the thought")
    thought, rest = text[start + len(BEGIN_THOUGHT) : end], text[end + len(END_THOUGHT) :]
    if counts[BEGIN_SOLUTION] or counts[END_SOLUTION]:
        if counts[BEGIN_SOLUTION] != 1 or counts[END_SOLUTION] > 1:
            raise Bad(f"solution markers: expected one {BEGIN_SOLUTION} (and at most one {END_SOLUTION})")
        inner = rest.split(BEGIN_SOLUTION, 1)
        if inner[0].strip():
            raise Bad(f"solution markers: text between {END_THOUGHT} and {BEGIN_SOLUTION}")
        rest = inner[1]
        if END_SOLUTION in rest:
            rest, after = rest.split(END_SOLUTION, 1)
            if after.strip():
                raise Bad(f"solution markers: text after {END_SOLUTION}")
    return join(thought, rest)
