"""The record-level filters in their order, run on one record at a time (inside a worker).

Order: cheap first, the verifier last so it only sees survivors:
decontaminate, truncated, format, length, language, repetition, correctness.
The first filter that rejects a record names its reason; later ones do not run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from distill.filter import decontaminate, format as format_, truncated
from distill.filter.config import FilterConfig
from distill.filter.language import LanguageFilter
from distill.filter.length import LengthFilter
from distill.filter.reject import Decision
from distill.filter.repetition import RepetitionFilter

RECORD_FILTERS = ["decontaminate", "truncated", "format", "length", "language", "repetition", "correctness"]
DATASET_FILTERS = ["dedup", "selection", "mixture_quota"]
REASONS = RECORD_FILTERS + DATASET_FILTERS


class Chain:
    def __init__(self, config: FilterConfig, eval_index: decontaminate.Index | None = None):
        self.config = config
        self.format = format_.FormatFilter(config.format)
        self.filters: list[tuple[str, Callable[[dict[str, Any]], Decision]]] = []
        if config.decontaminate.enabled and eval_index is not None and len(eval_index):
            self.filters.append(("decontaminate", decontaminate.DecontaminateFilter(eval_index)))
        if config.truncated.enabled:
            self.filters.append(("truncated", truncated.check))
        if config.format.enabled:
            self.filters.append(("format", self.format))
        if config.length.enabled:
            self.filters.append(("length", LengthFilter(config.length)))
        if config.language.enabled:
            self.filters.append(("language", LanguageFilter(config.language)))
        if config.repetition.enabled:
            self.filters.append(("repetition", RepetitionFilter(config.repetition)))
        if config.correctness.enabled:
            from distill.filter.correctness import CorrectnessFilter

            self.correctness = CorrectnessFilter(config.correctness)
            self.filters.append(("correctness", self.correctness))
        self.seconds = {name: 0.0 for name, _ in self.filters}  # CPU seconds: robust to a shared machine
        self.seen = {name: 0 for name, _ in self.filters}

    def __call__(self, rec: dict[str, Any]) -> Decision:
        for name, check in self.filters:
            t0 = time.process_time()
            decision = check(rec)
            self.seconds[name] += time.process_time() - t0
            self.seen[name] += 1
            if decision is not None:
                return decision
        return None
