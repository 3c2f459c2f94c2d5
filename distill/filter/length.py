"""length: completions shorter than min_tokens or longer than max_tokens.

Tokens are the record's `completion_tokens` (the teacher's count) unless the recipe names the
student's tokenizer, whose count is what matters for the student's context; it loads lazily, once
per worker. A record without a count and no tokenizer is measured as characters / 4 (said in the detail).
"""

from __future__ import annotations

from typing import Any

from distill.filter.config import LengthConfig
from distill.filter.reject import Decision, Reject

REASON = "length"


class LengthFilter:
    def __init__(self, config: LengthConfig):
        self.config = config
        self._tokenizer = None

    def tokenizer(self):
        if self._tokenizer is None:
            from distill.errors import DistillError, require

            transformers = require("transformers", "train", "filter.length.tokenizer")
            try:
                self._tokenizer = transformers.AutoTokenizer.from_pretrained(self.config.tokenizer)
            except (OSError, ValueError) as exc:
                raise DistillError(f"filter.length.tokenizer: cannot load {self.config.tokenizer!r}: {exc}") from None
        return self._tokenizer

    def count(self, rec: dict[str, Any]) -> tuple[int, str]:
        if self.config.tokenizer:
            return len(self.tokenizer()(rec["completion"], add_special_tokens=False)["input_ids"]), "student tokens"
        if rec.get("completion_tokens") is not None:
            return rec["completion_tokens"], "tokens"
        return len(rec["completion"]) // 4, "tokens (estimated as chars/4)"

    def __call__(self, rec: dict[str, Any]) -> Decision:
        n, unit = self.count(rec)
        if n < self.config.min_tokens:
            return Reject(REASON, f"{n} {unit} < min_tokens {self.config.min_tokens}")
        if n > self.config.max_tokens:
            return Reject(REASON, f"{n} {unit} > max_tokens {self.config.max_tokens}")
        return None
