"""json_line (orjson, with the standard library where orjson would write another value) and lazy
JSONL reading (the filter's workers parse the lines the parent read)."""

from __future__ import annotations

import json
import math

import pytest

from distill.json_lines import json_line
from distill.records import parse_line, parsed, read_rows

ROWS = [
    {"id": "a", "completion": "<think>\nx = \\frac{1}{2}\n</think>\n\n\\boxed{\\frac12}", "n": 3, "f": 0.1},
    {"text": "答案是 C ✓ émoji 🙂", "nested": {"list": [1, 2.5, None, True, 'q"uote']}, "empty": {}},
    {"control": "\x00\x1f\t\r\n\\", "neg": -0.0, "big": 2**63 - 1, "tuple": (1, 2)},
]


@pytest.mark.parametrize("row", ROWS)
def test_json_line_is_the_same_value_as_json_dumps(row):
    line = json_line(row)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert json.loads(line) == json.loads(json.dumps(row))


@pytest.mark.parametrize(
    "row",
    [
        {"x": float("nan")},  # orjson writes null: the standard library keeps NaN
        {"x": [1.0, {"y": float("inf")}]},
        {"x": 2**64},  # beyond orjson's 64 bits
        {1: "non-string key"},
    ],
)
def test_json_line_falls_back_where_orjson_would_change_or_refuse_the_value(row):
    back = json.loads(json_line(row))
    want = json.loads(json.dumps(row))
    assert repr(back) == repr(want)  # repr: NaN != NaN
    if "x" in row and isinstance(row["x"], float):
        assert math.isnan(back["x"])


def test_json_line_keeps_a_lone_surrogate_escaped_in_valid_utf8():
    row = {"x": "a\ud800b"}
    line = json_line(row)
    line.decode("utf-8")  # a valid UTF-8 file
    assert json.loads(line) == row


def test_lazy_rows_parse_to_the_same_rows(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_bytes(b'{"a": 1}\n\n   \n{"b": "\xc3\xa9"}\nnot json\n[1, 2]\n\xff\xfe{"c": 1}\n{"d": NaN}\n{"e": "x')
    eager = list(read_rows(path))
    lazy = list(read_rows(path, lazy=True))
    assert all(row.data is None and row.unparsed is not None for row in lazy)
    assert [parsed(row) for row in lazy] == eager
    assert [(r.line, r.error is None) for r in eager] == [
        (1, True),
        (4, True),
        (5, False),
        (6, False),
        (7, False),
        (8, True),
        (9, False),
    ]
    assert parse_line(str(path), 9, b'{"e": "x').error.startswith("bad JSON")
