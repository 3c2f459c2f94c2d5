"""Each trace set through `distill filter` in its own schema: rows in = kept + rejected + malformed,
one trace per generation, the dataset's own verdicts kept as metadata."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from distill.cli import main
from tests.formats import datasets

FAST = ["--set", "filter.decontaminate.enabled=false", "--set", "filter.plots=false", "--workers", "1"]


def run_filter(tmp_path, name, rows, capsys, *extra, parquet=False):
    write = datasets.write_parquet if parquet else datasets.write_jsonl
    path = write(tmp_path / f"{name}.{'parquet' if parquet else 'jsonl'}", rows)
    out = tmp_path / "out"
    code = main(["filter", "--input", str(path), "--output", str(out), *FAST, *extra])
    return code, out, capsys.readouterr().err


def counts(out):
    funnel = json.loads((out / "funnel.json").read_text())
    kept = sum(pq.read_table(f).num_rows for f in (out / "data").glob("*.parquet"))
    return funnel, kept


@pytest.mark.parametrize("parquet", [False, True])
def test_openr1_math_every_generation_is_a_trace(tmp_path, capsys, parquet):
    rows, expected = datasets.openr1_math()
    if parquet:  # Parquet needs one type per column: the broken row is a JSONL-only case
        rows = [r for r in rows if isinstance(r["generations"], list)]
        expected = {**expected, "rows": 3, "traces": 7, "malformed": 2}
    code, out, err = run_filter(tmp_path, "openr1", rows, capsys, parquet=parquet)
    assert code == 0, err
    funnel, kept = counts(out)
    assert funnel["read"] == expected["traces"] and kept == funnel["kept"] == expected["kept"]
    assert {k: v for k, v in funnel["rejected_by_reason"].items() if v} == expected["rejected"]
    assert funnel["malformed"] == expected["malformed"]
    assert funnel["read"] == funnel["kept"] + funnel["rejected"] + funnel["malformed"]
    assert f"{expected['rows']} rows in format openr1_math hold {expected['traces']} traces" in err
    assert "rejected by reason: truncated 1, correctness 1" in err and "malformed by reason" in err
    table = pq.read_table(next((out / "data").glob("*.parquet"))).to_pylist()
    metas = [json.loads(r["meta"]) for r in table]
    assert all(m["correctness_math_verify"] is True and m["source"] == "olympiads" for m in metas)
    quarantine = [json.loads(line) for line in (out / "quarantine.jsonl").read_text().splitlines()]
    assert sum("unverifiable: column 'answer' is 'proof'" in q["reason"] for q in quarantine) == 2


def test_sharegpt_markers_become_think_and_chats_stay_whole(tmp_path, capsys):
    rows, expected = datasets.sharegpt()
    code, out, err = run_filter(tmp_path, "bespoke", rows, capsys)
    assert code == 0, err
    funnel, kept = counts(out)
    assert (funnel["read"], kept, funnel["malformed"]) == (expected["traces"], expected["kept"], expected["malformed"])
    table = pq.read_table(next((out / "data").glob("*.parquet"))).to_pylist()
    assistants = [m["content"] for r in table for m in r["messages"] if m["role"] == "assistant"]
    assert len(assistants) == 4 and all(a.startswith("<think>\n") and "<|" not in a for a in assistants)
    roles = sorted([m["role"] for m in r["messages"]] for r in table)
    assert roles == [["system", "user", "assistant"], ["system", "user", "assistant", "user", "assistant"], ["user", "assistant"]]
    reasons = " ".join(json.loads(line)["reason"] for line in (out / "quarantine.jsonl").read_text().splitlines())
    assert "thought markers" in reasons and "must be a string, got list" in reasons


def test_s1k_thinking_and_attempt_are_one_completion(tmp_path, capsys):
    rows, expected = datasets.s1k()
    code, out, err = run_filter(tmp_path, "s1k", rows, capsys)
    assert code == 0, err
    funnel, kept = counts(out)
    assert (funnel["read"], kept, funnel["malformed"]) == (expected["traces"], expected["kept"], expected["malformed"])
    assert "unverifiable: column 'solution' is a worked solution" in (out / "quarantine.jsonl").read_text()


def test_nothing_usable_exits_non_zero_in_one_line(tmp_path, capsys):
    rows, _ = datasets.openr1_math()
    code, out, err = run_filter(tmp_path, "proofs", [rows[1]], capsys)
    assert code == 2
    last = err.strip().splitlines()[-1]
    assert last.startswith("distill filter: error: none of 2 rows could be read as a trace; first: ")
    assert "proofs.jsonl:1: openr1_math: unverifiable" in last
    assert (out / "quarantine.jsonl").is_file()  # what was produced is kept


def test_a_domain_map_lets_other_domains_in(tmp_path, capsys):
    rows, _ = datasets.s1k()
    rows = [dict(rows[0], cot_type="chemistry")]
    code, _, err = run_filter(tmp_path, "chem", rows, capsys)
    assert code == 2 and "domain 'chemistry' is not one of" in err and "domain_map" in err
    recipe = tmp_path / "r.yaml"
    recipe.write_text(f"output_dir: {tmp_path / 'run'}\nfilter:\n  sources:\n    - path: {tmp_path / 'chem.jsonl'}\n"
                      "      domain_map: {chemistry: general}\n")
    assert main(["filter", str(recipe), *FAST]) == 0, capsys.readouterr().err


def test_a_four_turn_chat_keeps_every_turn(tmp_path, capsys):
    turns = [{"role": "user", "content": "Hi, can you help me plan a trip to the mountains this summer?"},
             {"role": "assistant", "content": "Of course! Which mountains are you thinking about, and for how long?"},
             {"role": "user", "content": "The Alps, for about one week in July with two friends."},
             {"role": "assistant", "content": "A week in the Alps in July is lovely: start in Chamonix, then walk to Zermatt."}]
    code, out, err = run_filter(tmp_path, "chat", [{"messages": turns}], capsys)
    assert code == 0, err
    (row,) = pq.read_table(next((out / "data").glob("*.parquet"))).to_pylist()
    assert [m["content"] for m in row["messages"]] == [t["content"] for t in turns]
