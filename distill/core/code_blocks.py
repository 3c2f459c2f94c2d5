"""The one code-block extractor: the Python answer in a final text.

The code verifier runs what this returns and the format reward asks that it exists, so a completion
the reward accepts is one the verifier can run.
"""

from __future__ import annotations

import re

_FENCE = re.compile(r"^[ \t]*```[ \t]*([\w+-]*)[^\n]*$", re.MULTILINE)
_PYTHON_TAGS = {"python", "python3", "py"}


def last_code_block(text: str) -> str | None:
    """The Python answer in `text`: the last complete block fenced ```python (or py, python3);
    without one, the last untagged block. Blocks in other languages never count. Tagged blocks win
    because models often close with an untagged block of sample input or output."""
    fences = list(_FENCE.finditer(text))
    tagged: list[str] = []
    untagged: list[str] = []
    i = 0
    while i + 1 < len(fences):
        opening, closing = fences[i], fences[i + 1]
        if closing.group(1):  # "```python" cannot close a block; it opens the next one
            i += 1
            continue
        tag = opening.group(1).lower()
        body = text[opening.end() + 1 : closing.start()]
        if tag in _PYTHON_TAGS:
            tagged.append(body)
        elif not tag:
            untagged.append(body)
        i += 2
    blocks = tagged or untagged
    return blocks[-1] if blocks else None
