"""What every verifier returns. The filter, the GRPO rewards and the eval score all read this."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    correct: bool
    extracted: str | None  # the final answer as read from the completion; None when there is none
    reason: str  # why: "correct", "wrong_answer", "no_think_close", "no_answer", "hedge", "empty_box", "timeout", ...
