"""language: no language mixing (R1's distilled data rejected chain-of-thought that mixes languages).

The share of letters written in a script other than the target language's, in the thought and in the
answer separately. Math (LaTeX: $…$, $$…$$, \\(…\\), \\[…\\], environments, commands), code (fenced
and inline), Greek letters, digits, punctuation and symbols are not counted: they belong to every
language. An all-ASCII text cannot mix scripts and costs nothing.
"""

from __future__ import annotations

import re
from typing import Any

from distill.filter.config import LanguageConfig
from distill.filter.reject import Decision, Reject

REASON = "language"
DEFAULT_MAX_OTHER = {"en": 0.01, "zh": 0.15}

# Math and code are language-neutral; cut them out before counting.
NEUTRAL = re.compile(
    r"```.*?(?:```|\Z)|`[^`\n]*`"
    r"|\$\$.*?\$\$|\$[^$]*\$|\\\[.*?\\\]|\\\(.*?\\\)"
    r"|\\begin\{(\w+\*?)\}.*?\\end\{\1\}|\\[A-Za-z]+",
    re.DOTALL,
)
NON_LETTERS = r"\W\d_"
GREEK = r"\u0370-\u03FF\u1F00-\u1FFF"
LATIN = r"\u0000-\u024F\u1E00-\u1EFF\u2100-\u214F"  # ASCII, Latin-1, Extended A/B and Additional, letterlike symbols
HAN = r"\u2E80-\u2FDF\u3005\u3007\u3021-\u3029\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\U00020000-\U0002FA1F"
TARGET_SCRIPT = {"en": LATIN, "zh": HAN}


class LanguageFilter:
    def __init__(self, config: LanguageConfig):
        self.config = config
        self.max_other = config.max_other_share if config.max_other_share is not None else DEFAULT_MAX_OTHER[config.target]
        own = TARGET_SCRIPT[config.target]
        self._letters = re.compile(f"[{NON_LETTERS}]+")
        self._drop_own = re.compile(f"[{NON_LETTERS}{GREEK}{own}]+")
        self._other_run = re.compile(f"[^{NON_LETTERS}{GREEK}{own}]+")

    def other_share(self, text: str) -> tuple[float, int, str]:
        """(share of letters in another script, letters counted, an example of the other script)."""
        text = NEUTRAL.sub(" ", text)
        if self.config.target == "en" and text.isascii():
            return 0.0, -1, ""
        letters = len(self._letters.sub("", text))
        other = len(self._drop_own.sub("", text))
        if not letters or not other:
            return 0.0, letters, ""
        example = self._other_run.search(text)
        return other / letters, letters, example.group(0)[:20] if example else ""

    def __call__(self, rec: dict[str, Any]) -> Decision:
        completion = rec["completion"]
        if self.config.target == "en" and completion.isascii():  # nothing to mix: the common case, free
            return None
        head, sep, answer = completion.rpartition("</think>")
        parts = (("thought", head), ("answer", answer)) if sep else (("completion", completion),)
        for name, text in parts:
            share, letters, example = self.other_share(text)
            if share > self.max_other and letters >= self.config.min_letters:
                return Reject(REASON, f"{share:.1%} of {letters} letters in the {name} are not {self.config.target} script "
                                      f"(e.g. {example!r}); max {self.max_other:.0%}")
        return None
