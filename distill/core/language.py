"""Counting letters by script: how much of a text is written outside the target language's script.

The language filter rejects traces that mix languages (R1's distilled data did), and the
language-consistency reward (R1's stage-2 RL) scores the same share, so both use this one counter.
Math (LaTeX: $…$, $$…$$, \\(…\\), \\[…\\], environments, commands), code (fenced and inline), Greek
letters, digits, punctuation and symbols are not counted: they belong to every language. An
all-ASCII text cannot mix scripts and costs nothing.
"""

from __future__ import annotations

import re

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
_ASCII = bytes(range(128))


class ScriptCounter:
    """The other-script share of texts, for one target language (`en` or `zh`)."""

    def __init__(self, target: str):
        self.target = target
        own = TARGET_SCRIPT[target]
        self._letters = re.compile(f"[{NON_LETTERS}]+")
        self._drop_own = re.compile(f"[{NON_LETTERS}{GREEK}{own}]+")
        self._other_run = re.compile(f"[^{NON_LETTERS}{GREEK}{own}]+")
        # Both counts are per character, so the ASCII part is counted apart, with byte tables
        # built from the same regexes: removing the runs between the letters of a long mixed text
        # (thousands of matches) cost most of the filter's time on it.
        self._ascii_letters = bytes(c for c in range(128) if self._letters.sub("", chr(c)))
        self._ascii_other = bytes(c for c in range(128) if self._drop_own.sub("", chr(c)))

    def _counts(self, text: str) -> tuple[int, int]:
        """(letters, letters in another script): len(self._letters.sub("", text)) and
        len(self._drop_own.sub("", text)), the ASCII characters counted as bytes."""
        # In UTF-8 the ASCII characters are the bytes under 0x80 and every byte of the others is
        # above it: one encoding gives both parts (surrogatepass: any str round-trips).
        raw = text.encode("utf-8", "surrogatepass")
        wide = raw.translate(None, _ASCII).decode("utf-8", "surrogatepass")
        letters = len(raw) - len(raw.translate(None, self._ascii_letters))
        other = len(raw) - len(raw.translate(None, self._ascii_other))
        return letters + len(self._letters.sub("", wide)), other + len(self._drop_own.sub("", wide))

    def other_share(self, text: str) -> tuple[float, int, str]:
        """(share of letters in another script, letters counted, an example of the other script).
        Letters counted is -1 for an English target and an all-ASCII text (nothing was counted)."""
        text = NEUTRAL.sub(" ", text)
        if self.target == "en" and text.isascii():
            return 0.0, -1, ""
        letters, other = self._counts(text)
        if not letters or not other:
            return 0.0, letters, ""
        example = self._other_run.search(text)
        return other / letters, letters, example.group(0)[:20] if example else ""
