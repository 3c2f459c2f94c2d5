"""A reward function that raises on one sample must not kill a days-long run.

`safe_reward` calls the batch; if it raises, it scores the samples one by one, logs each failing
sample (reward name, row, error) and gives that sample 0.0. Errors are counted in the metric
`reward_errors/<name>` so a silently broken reward still shows up in the logs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger("distill.train.rewards")

RewardFunc = Callable[..., list]


def _row(kwargs: dict[str, Any], i: int, n: int) -> dict[str, Any]:
    """The kwargs of sample i: per-row columns (lists of length n) sliced, the rest (trainer_state,
    log_metric, ...) passed through."""
    return {k: [v[i]] if isinstance(v, (list, tuple)) and len(v) == n else v for k, v in kwargs.items()}


def safe_reward(func: RewardFunc, name: str) -> RewardFunc:
    def wrapped(prompts: list[Any], completions: list[Any], **kwargs: Any) -> list:
        try:
            return list(func(prompts=prompts, completions=completions, **kwargs))
        except Exception:  # noqa: BLE001 - any failure: fall back to per-sample scoring below
            pass
        n = len(completions)
        scores, errors = [], 0
        for i in range(n):
            try:
                scores.extend(func(prompts=[prompts[i]], completions=[completions[i]], **_row(kwargs, i, n)))
            except Exception as exc:  # noqa: BLE001 - one bad sample scores zero, the run goes on
                errors += 1
                log.warning("reward %s raised on sample %d (%s: %s); scoring it 0", name, i, type(exc).__name__, exc)
                scores.append(0.0)
        log_metric = kwargs.get("log_metric")
        if log_metric is not None:
            log_metric(f"reward_errors/{name}", float(errors))
        return scores

    wrapped.__name__ = name  # TRL names the logged metric rewards/<__name__>/mean
    wrapped.__qualname__ = name
    wrapped.__wrapped__ = func  # type: ignore[attr-defined]  # what functools.wraps sets; TRL's name must stay ours
    return wrapped
