"""Range checks for recipe values, called from the section dataclasses' `__post_init__`.

Types are checked by the loader (`distill/config.py`); these check that a value of the right type
makes sense: counts are positive, probabilities lie in [0, 1], seeds fit in 32 bits, numbers are
finite, names that become directory names are names. Each raises ValueError with one line naming
the key, the range and the value; the loader turns that into a ConfigError naming the file and
section. NaN fails every check (comparisons with NaN are false, so each test is written as
"inside the range", never "not outside"). Standard library only.
"""

from __future__ import annotations

import math
from typing import Any

SEED_MAX = 2**32 - 1  # numpy, torch and vLLM seeds: 0..2^32-1
MAX_TEMPERATURE = 100.0  # far above any useful temperature; 1e308 is a typo, not a setting
NAME_MAX = 100


def count(key: str, value: Any, minimum: int = 1, optional: bool = False) -> None:
    """An integer >= minimum (None allowed when optional)."""
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not value >= minimum:
        raise ValueError(f"{key} must be an integer >= {minimum}, got {_short(value)}")


def number(
    key: str,
    value: Any,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
    optional: bool = False,
) -> None:
    """A finite number within [low, high]; `low_open`/`high_open` exclude the ends."""
    if value is None and optional:
        return
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        raise ValueError(f"{key} must be {_interval(low, high, low_open, high_open)}, got {_short(value)}")


def positive(key: str, value: Any, optional: bool = False) -> None:
    number(key, value, 0, low_open=True, optional=optional)


def probability(key: str, value: Any, *, zero: bool = True, optional: bool = False) -> None:
    """In [0, 1]; `zero=False`: in (0, 1] (top_p, memory shares)."""
    number(key, value, 0, 1, low_open=not zero, optional=optional)


def temperature(key: str, value: Any) -> None:
    number(key, value, 0, MAX_TEMPERATURE)


def seed(key: str, value: Any, optional: bool = True) -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= SEED_MAX:
        raise ValueError(f"{key} must be an integer in 0..{SEED_MAX} (2^32-1), got {_short(value)}")


def name(key: str, value: Any) -> None:
    """A name that becomes one directory or file name: no path separators, not '.' or '..'."""
    ok = isinstance(value, str) and 0 < len(value) <= NAME_MAX and value.strip() == value
    ok = ok and not any(ch in value for ch in "/\\\0") and value not in (".", "..")
    if not ok:
        raise ValueError(
            f"{key} must be a plain name (no '/', not '.' or '..', at most {NAME_MAX} characters), got {_short(value)}"
        )


def names(key: str, mapping: dict) -> None:
    for item in mapping:
        name(f"{key} name", item)


# Keys of the mappings handed straight to TRL (train_student.sft, train_*.grpo) that a recipe often
# sets; TRL checks few of them itself, and a bad one shows only deep into a run. Checked at load.
def _steps(key: str, value: Any) -> None:  # TRL: -1 = no step limit (train by epochs)
    if value != -1:
        count(key, value)


_PASSTHROUGH = {
    "learning_rate": lambda k, v: number(k, v, 0, 1, low_open=True),
    "max_steps": _steps,
    "num_train_epochs": positive,
    "per_device_train_batch_size": count,
    "per_device_eval_batch_size": count,
    "gradient_accumulation_steps": count,
    "warmup_ratio": probability,
    "warmup_steps": lambda k, v: number(k, v, 0),  # a float below 1 is a share of the steps
    "weight_decay": lambda k, v: number(k, v, 0),
    "max_grad_norm": lambda k, v: number(k, v, 0),
    "adam_beta1": lambda k, v: number(k, v, 0, 1, high_open=True),
    "adam_beta2": lambda k, v: number(k, v, 0, 1, high_open=True),
    "adam_epsilon": positive,
    "logging_steps": positive,
    "save_steps": positive,
    "eval_steps": positive,
    "seed": seed,
    "data_seed": seed,
    # GRPO
    "num_generations": count,
    "num_iterations": count,
    "max_completion_length": count,
    "max_prompt_length": count,
    "generation_batch_size": count,
    "steps_per_generation": count,
    "temperature": temperature,
    "top_p": lambda k, v: probability(k, v, zero=False),
    "min_p": probability,
    "repetition_penalty": positive,
    "beta": lambda k, v: number(k, v, 0),
    "epsilon": lambda k, v: number(k, v, 0),
    "epsilon_high": lambda k, v: number(k, v, 0),
    "vllm_gpu_memory_utilization": lambda k, v: probability(k, v, zero=False),
}


def passthrough(section: str, options: dict[str, Any]) -> None:
    """Range-check the well-known numeric keys of a pass-through mapping (None means TRL's default)."""
    for key, value in options.items():
        check = _PASSTHROUGH.get(key)
        if check is not None and value is not None:
            check(f"{section}.{key}", value)


def _interval(low, high, low_open, high_open) -> str:
    if low is None and high is None:
        return "a finite number"
    if high is None:
        return f"a finite number {'>' if low_open else '>='} {low:g}"
    if low is None:
        return f"a finite number {'<' if high_open else '<='} {high:g}"
    return f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
