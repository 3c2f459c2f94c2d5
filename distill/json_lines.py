"""One JSON line for an output file, fast: orjson where it writes what the standard library would mean.

The filter writes a JSONL line for every rejected row, whole (a ~13 KB R1 trace); the standard
library's encoder spends ~100 µs on one, orjson ~20 µs. orjson differs from `json.dumps` in ways that
matter, and each falls back to the standard library with the same compact separators:
it writes NaN and infinities as `null` (a silent change of the value: we check for them first),
and it refuses integers beyond 64 bits, non-string keys and lone surrogates (it raises; a lone
surrogate is then written escaped, the one way to keep it in a UTF-8 file). Anything
else it writes is the same JSON value: strings unescaped as with `ensure_ascii=False`, keys in order.
"""

from __future__ import annotations

import json
import math
from typing import Any

import orjson


def _finite(value: Any) -> bool:
    """False when `value` holds a NaN or an infinity anywhere (orjson would write it as null)."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(_finite(v) for v in value)
    return True


def json_line(row: dict[str, Any]) -> bytes:
    """`row` as one UTF-8 JSON line, newline included."""
    if _finite(row):
        try:
            return orjson.dumps(row, option=orjson.OPT_APPEND_NEWLINE)
        except TypeError:  # orjson.JSONEncodeError: a big integer, a non-string key, a lone surrogate
            pass
    text = json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n"
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (JSON input may escape one): escaped, it reads back the same
        return (json.dumps(row, separators=(",", ":")) + "\n").encode("ascii")
