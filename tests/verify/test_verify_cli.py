"""`distill verify FILE`: verdicts written back, malformed rows quarantined, counts add up."""

import json

import pytest

from distill.cli import main

ROWS = [
    {"id": "m1", "completion": "<think>a</think>\n\\boxed{\\frac{1}{2}}", "answer": "0.5", "domain": "math"},
    {"id": "m2", "completion": "<think>a</think>\n\\boxed{3}", "answer": "4", "domain": "math"},
    {"id": "m3", "completion": "<think>a</think>\n\\boxed{(x+1)^2}", "answer": "x^2+2x+1", "domain": "math"},
    {"id": "m4", "completion": "no think close \\boxed{4}", "answer": "4", "domain": "math"},
    {"id": "c1", "completion": "<think>a</think> Answer: B", "answer": "B", "domain": "choice"},
    {"id": "k1", "completion": "<think>a</think>\n```python\nprint(int(input()) * 2)\n```", "answer": "", "domain": "code",
     "tests": [{"input": "3\n", "output": "6\n"}]},
    {"id": "g1", "completion": "<think>a</think> Bonjour.", "answer": "", "domain": "general"},
]
MALFORMED = [
    "this is not json",
    json.dumps({"id": "x1", "answer": "4", "domain": "math"}),  # no completion
    json.dumps({"id": "x2", "completion": "<think></think>hi", "answer": "1", "domain": "astrology"}),
    json.dumps({"id": "x3", "completion": "<think></think>```python\nprint(1)\n```", "domain": "code"}),  # no tests
]


def write_input(path):
    lines = [json.dumps(row) for row in ROWS[:3]] + MALFORMED[:2] + [json.dumps(row) for row in ROWS[3:]] + MALFORMED[2:]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_verify_writes_verdicts_and_quarantines_malformed_rows(tmp_path, capsys, bwrap_sandbox):
    source = write_input(tmp_path / "traces.jsonl")
    out = tmp_path / "verdicts.jsonl"
    assert main(["verify", str(source), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "read 11 = verified 7 + malformed 4" in printed
    assert "correct 5" in printed

    rows = read_jsonl(out)
    assert [row["id"] for row in rows] == [row["id"] for row in ROWS]  # input order, fields kept
    verdicts = {row["id"]: (row["correct"], row["reason"]) for row in rows}
    assert verdicts == {
        "m1": (True, "correct"), "m2": (False, "wrong_answer"), "m3": (True, "correct"),
        "m4": (False, "no_think_close"), "c1": (True, "correct"), "k1": (True, "correct"), "g1": (True, "correct"),
    }
    assert rows[0]["extracted"] == "\\frac{1}{2}" and rows[0]["answer"] == "0.5"

    quarantined = read_jsonl(tmp_path / "verdicts.quarantine.jsonl")
    assert len(quarantined) == 4
    assert quarantined[0]["raw"] == "this is not json" and "bad JSON" in quarantined[0]["reason"]
    assert "missing completion" in quarantined[1]["reason"] and quarantined[1]["row"]["id"] == "x1"
    assert "unknown domain 'astrology'" in quarantined[2]["reason"]
    assert "missing tests" in quarantined[3]["reason"]
    assert all(q["line"] > 0 and q["source"].endswith("traces.jsonl") for q in quarantined)


def test_workers_give_the_same_output_as_one_process(tmp_path, capsys, bwrap_sandbox):
    source = write_input(tmp_path / "traces.jsonl")
    assert main(["verify", str(source), "--out", str(tmp_path / "one.jsonl")]) == 0
    assert main(["verify", str(source), "--out", str(tmp_path / "two.jsonl"), "--workers", "2"]) == 0
    assert read_jsonl(tmp_path / "one.jsonl") == read_jsonl(tmp_path / "two.jsonl")
    assert read_jsonl(tmp_path / "one.quarantine.jsonl") == read_jsonl(tmp_path / "two.quarantine.jsonl")


def test_parquet_input_and_default_output_name(tmp_path, capsys):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    rows = [{key: row[key] for key in ("id", "completion", "answer", "domain")} for row in ROWS[:3]]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "traces.parquet")
    assert main(["verify", str(tmp_path / "traces.parquet")]) == 0
    assert [row["correct"] for row in read_jsonl(tmp_path / "traces.verified.jsonl")] == [True, False, True]


def test_bad_arguments_are_one_line_errors(tmp_path, capsys):
    assert main(["verify", str(tmp_path / "missing.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err
    source = write_input(tmp_path / "traces.jsonl")
    assert main(["verify", str(source), "--workers", "0"]) == 2
    assert main(["verify", str(source), "--out", str(source)]) == 2
    assert "is the input file" in capsys.readouterr().err


def test_code_rows_without_a_sandbox_stop_the_run_loudly(tmp_path, capsys, monkeypatch):
    source = write_input(tmp_path / "traces.jsonl")
    out = tmp_path / "verdicts.jsonl"
    from distill.verify.code import _sandbox

    _sandbox.cache_clear()  # a fresh process: the sandbox is checked when first needed
    monkeypatch.setenv("PATH", str(tmp_path))  # no bwrap on the PATH
    assert main(["verify", str(source), "--out", str(out)]) == 2
    assert "apt-get install bubblewrap" in capsys.readouterr().err
    assert not out.exists()  # nothing half-written, and no code was run unsandboxed


def test_a_crashing_user_verifier_quarantines_its_rows(tmp_path, capsys, monkeypatch):
    (tmp_path / "fragile_verifier.py").write_text(
        "from distill.verify import Verdict\n"
        "def check(completion, answer, tests=None):\n"
        "    if 'boom' in completion:\n"
        "        raise ValueError('cannot read this')\n"
        "    return Verdict(True, completion, 'correct')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    rows = [{"completion": text, "answer": "", "domain": "fragile_verifier:check"} for text in ("fine", "boom", "ok")]
    source = tmp_path / "rows.jsonl"
    source.write_text("".join(json.dumps(row) + "\n" for row in rows))
    assert main(["verify", str(source), "--out", str(tmp_path / "out.jsonl")]) == 0
    assert "read 3 = verified 2 + malformed 1" in capsys.readouterr().out
    (bad,) = read_jsonl(tmp_path / "out.quarantine.jsonl")
    assert bad["reason"] == "verifier crashed: ValueError: cannot read this" and bad["line"] == 2
