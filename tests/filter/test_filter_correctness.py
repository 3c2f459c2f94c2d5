"""The correctness filter gives one verdict per input: its cache never lets row order decide."""

from __future__ import annotations

import json
import random

from distill.cli import main
from distill.filter.config import CorrectnessConfig
from distill.filter.correctness import CorrectnessFilter
from distill.verify import verify


def variants(traces, prompt: str) -> list[dict]:
    """Rows of one prompt whose boxed contents look alike but whose verdicts differ."""
    rows = [traces(prompt, 0), traces(prompt, 1, boxed="41")]
    cut = traces(prompt, 2)  # no </think>: no final answer, though \boxed{42} is there
    cut["completion"] = cut["completion"].replace("</think>", "")
    fbox = traces(prompt, 3)  # \fbox{41} then \boxed{42}: a hedge
    fbox["completion"] = fbox["completion"].replace("So the answer", "First $\\fbox{41}$. So the answer")
    bare = traces(prompt, 4)  # bare \boxed 41 then \boxed{42}: a hedge
    bare["completion"] = bare["completion"].replace("So the answer", "Maybe \\boxed 41. So the answer")
    inside = traces(prompt, 5)  # the box only inside the reasoning
    inside["completion"] = inside["completion"].replace("</think>", "\\boxed{42}</think>").rpartition("So")[0] + "Done."
    agree = traces(prompt, 6)  # two boxes that agree: fine
    agree["completion"] = agree["completion"].replace("So the answer", "That is $\\boxed{\\frac{84}{2}}$. So the answer")
    return rows + [cut, fbox, bare, inside, agree]


def test_cached_verdicts_equal_the_verifiers_in_any_order(traces):
    rows = [row for prompt in ("a", "b", "c") for row in variants(traces, prompt)]
    expected = {row["id"]: verify(row["completion"], row["answer"], "math") for row in rows}
    assert [expected[f"a:{i}"].reason for i in range(7)] == [
        "correct", "wrong_answer", "no_think_close", "hedge", "hedge", "no_answer", "correct"]
    for seed in range(20):
        random.Random(seed).shuffle(rows)
        f = CorrectnessFilter(CorrectnessConfig())
        assert {row["id"]: f.verdict(row) for row in rows} == expected
        assert f.calls < len(rows)  # the cache still saves work


def test_shuffled_rows_give_identical_funnels(tmp_path, traces, jsonl):
    rows = [row for prompt in ("a", "b", "c", "d") for row in variants(traces, prompt)]
    results = []
    for seed in (0, 1, 2):
        random.Random(seed).shuffle(rows)
        path = jsonl(tmp_path / f"in{seed}.jsonl", rows)
        out = tmp_path / f"out{seed}"
        assert main(["filter", "--input", str(path), "--output", str(out), "--workers", "1",
                     "--set", "filter.decontaminate.enabled=false", "--set", "filter.plots=false",
                     "--set", "filter.selection.k=8", "--set", "filter.dedup.enabled=false"]) == 0
        funnel = json.loads((out / "funnel.json").read_text())
        rejects = sorted((r["id"], r["reject_reason"], r["reject_detail"].split(":")[0])
                         for r in map(json.loads, (out / "rejects.jsonl").read_text().splitlines()))
        results.append((funnel["kept"], funnel["rejected_by_reason"], rejects))
    assert results[0] == results[1] == results[2]
    assert results[0][0] == 8  # the two correct rows of each prompt
