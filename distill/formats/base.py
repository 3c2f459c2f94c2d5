"""What every input-format adapter shares: the Format entry, the Bad/Unverifiable results, typed getters.

An adapter maps one raw row of a public dataset to distill's records (shared/DESIGN.md):
- `prompt(row)`: a prompt record {problem, answer, domain?, id?, tests?} (generate, GRPO, eval --data);
- `traces(row)`: the trace records the row holds, one per generation, each a dict or a `Bad`;
- `conversation(row)`: the whole conversation as [{role, content}, ...] (train-student).
A row that does not fit raises `Bad(reason)`; a row that fits but whose answer no verifier can check
(a proof, "notfound") raises `Unverifiable(reason)`. Getters here never stringify: a list where a
string belongs is a `Bad`, so nothing is misread silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, overload


class Bad(Exception):
    """A row (or one trace of a row) that cannot be mapped; `str()` is the one-line reason."""


class Empty(Bad):
    """The row's problem (or another text it cannot do without) is blank: skipped as empty."""


class Unverifiable(Bad):
    """The row maps, but its reference answer cannot be checked by any verifier."""

    def __init__(self, reason: str):
        super().__init__(f"unverifiable: {reason}")


@dataclass(frozen=True)
class Format:
    name: str
    datasets: str  # the public datasets published in this layout (docs, `distill inspect`)
    detect: tuple[str, ...]  # columns that together identify the layout; () = never auto-detected
    prompt: Callable[[dict], dict] | None = None
    traces: Callable[[dict], list] | None = None
    conversation: Callable[[dict], list[dict]] | None = None
    domains: dict[str, str] = field(default_factory=dict)  # the dataset's own domain names -> ours

    def can(self, role: str) -> bool:
        return getattr(self, role) is not None


def type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


@overload
def text(row: dict, key: str, *, required: Literal[True] = True) -> str: ...
@overload
def text(row: dict, key: str, *, required: bool) -> str | None: ...


def text(row: dict, key: str, *, required: bool = True) -> str | None:
    """row[key] as a string; None only when absent and not required."""
    value = row.get(key)
    if value is None:
        if required:
            if key in row:
                raise Empty(f"column '{key}' is null")
            raise Bad(f"missing column '{key}'")
        return None
    if not isinstance(value, str):
        raise Bad(f"column '{key}': expected a string, got {type_name(value)}")
    return value


def nonempty(row: dict, key: str) -> str:
    value = text(row, key)
    if not value.strip():
        raise Empty(f"column '{key}' is empty")
    return value


def answer_text(row: dict, key: str) -> str | None:
    """An answer column: strings as they are, JSON numbers as their text (42 -> "42"), else Bad."""
    value = row.get(key)
    if isinstance(value, bool):
        raise Bad(f"column '{key}': expected a string or number, got bool")
    if isinstance(value, (int, float)):
        return str(value)
    return text(row, key, required=False)


def listed(
    row: dict, key: str, item: type | tuple, *, required: bool = True, allow_null_items: bool = False
) -> list | None:
    """row[key] as a list whose items are all of type `item` (Parquet gives lists, JSONL arrays)."""
    value = row.get(key)
    if value is None:
        if required:
            raise Bad(f"missing column '{key}'")
        return None
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):  # numpy arrays from pandas/datasets
        value = value.tolist()
    if not isinstance(value, list):
        raise Bad(f"column '{key}': expected a list, got {type_name(value)}")
    for i, entry in enumerate(value):
        if entry is None and allow_null_items:
            continue
        if isinstance(entry, bool) and item is not bool and bool not in (item if isinstance(item, tuple) else (item,)):
            raise Bad(f"column '{key}'[{i}]: expected {_names(item)}, got bool")
        if not isinstance(entry, item):
            raise Bad(f"column '{key}'[{i}]: expected {_names(item)}, got {type_name(entry)}")
    return value


def _names(item: type | tuple) -> str:
    return " or ".join(t.__name__ for t in item) if isinstance(item, tuple) else item.__name__
