"""language: no language mixing (R1's distilled data rejected chain-of-thought that mixes languages).

The share of letters written in a script other than the target language's, in the thought and in the
answer separately, counted by `distill.core.language` (what is neutral and not counted is said there;
the language-consistency reward uses the same counter).
"""

from __future__ import annotations

from typing import Any

from distill.core.language import ScriptCounter
from distill.core.think import split_at_close
from distill.filter.config import LanguageConfig
from distill.filter.reject import Decision, Reject

REASON = "language"
DEFAULT_MAX_OTHER = {"en": 0.01, "zh": 0.15}


class LanguageFilter:
    def __init__(self, config: LanguageConfig):
        self.config = config
        self.max_other = (
            config.max_other_share if config.max_other_share is not None else DEFAULT_MAX_OTHER[config.target]
        )
        self.counter = ScriptCounter(config.target)

    def other_share(self, text: str) -> tuple[float, int, str]:
        """(share of letters in another script, letters counted, an example of the other script)."""
        return self.counter.other_share(text)

    def __call__(self, rec: dict[str, Any]) -> Decision:
        completion = rec["completion"]
        if self.config.target == "en" and completion.isascii():  # nothing to mix: the common case, free
            return None
        split = split_at_close(completion)  # the thought keeps its opening tag: counted as before
        parts = (("thought", split[0]), ("answer", split[1])) if split else (("completion", completion),)
        for name, text in parts:
            share, letters, example = self.other_share(text)
            if share > self.max_other and letters >= self.config.min_letters:
                return Reject(
                    REASON,
                    f"{share:.1%} of {letters} letters in the {name} are not {self.config.target} script "
                    f"(e.g. {example!r}); max {self.max_other:.0%}",
                )
        return None
