"""Dataset-level steps through the pipeline: dedup (exact, near), selection policies, mixture quotas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from distill.errors import DistillError
from distill.filter import pipeline
from distill.filter.config import DedupConfig, FilterConfig, SelectionConfig, TraceSourceConfig


def run(tmp_path: Path, sources: list[TraceSourceConfig], **options) -> tuple[dict, dict]:
    options.setdefault("decontaminate", {"enabled": False})
    from distill.config import from_dict

    config = from_dict(FilterConfig, {"workers": 1, "plots": False, **options})
    config.sources = sources
    out = tmp_path / "out"
    result = pipeline.run(config, out=out, generate_dir=tmp_path / "none", seed=0)
    rejects = {}
    for line in (out / "rejects.jsonl").read_text().splitlines():
        row = json.loads(line)
        rejects[row["id"]] = (row["reject_reason"], row["reject_detail"])
    return result, rejects


def test_exact_and_near_duplicate_completions(tmp_path, traces, jsonl):
    a = traces("p0", 0)
    dup = traces("p1", 0, completion=a["completion"])
    near = traces("p2", 0, completion=a["completion"].replace("</think>", " One more check.</think>"))
    other = traces("p3", 0)
    path = jsonl(tmp_path / "t.jsonl", [a, dup, near, other])
    result, rejects = run(tmp_path, [TraceSourceConfig(path=str(path))])
    assert rejects["p1:0"][0] == "dedup" and "identical completion to p0:0" in rejects["p1:0"][1]
    assert rejects["p2:0"][0] == "dedup" and "near-duplicates p0:0" in rejects["p2:0"][1]
    assert result["kept"] == 2 and result["dedup"] == {"exact": 1, "near_problems": 0, "near_completions": 1}


def test_near_duplicate_problems_across_prompts(tmp_path, traces, jsonl):
    problem = "Let n be the number of ordered pairs of positive integers whose product is 720. Find n modulo 7."
    rows = [traces("a", 0, problem=problem), traces("a", 1, problem=problem),
            traces("b", 0, problem="  " + problem.upper().replace(" ", "  ")), traces("c", 0, problem="A different problem about triangles and circles entirely.")]
    result, rejects = run(tmp_path, [TraceSourceConfig(path=str(jsonl(tmp_path / "t.jsonl", rows)))])
    assert set(rejects) == {"b:0"} and "problem near-duplicates prompt a" in rejects["b:0"][1]
    result, rejects = run(tmp_path, [TraceSourceConfig(path=str(tmp_path / "t.jsonl"))], dedup={"near_problems": False})
    assert rejects == {}


@pytest.mark.parametrize("policy, expected", [("first", {"p:0", "p:1"}), ("shortest", {"p:3", "p:4"})])
def test_selection_policies(tmp_path, traces, jsonl, policy, expected):
    rows = [traces("p", i, completion_tokens=1000 - 100 * i) for i in range(5)] + [traces("q", 0)]
    result, rejects = run(tmp_path, [TraceSourceConfig(path=str(jsonl(tmp_path / "t.jsonl", rows)))], selection={"k": 2, "policy": policy})
    kept = {f"p:{i}" for i in range(5)} - set(rejects)
    assert kept == expected and result["rejected_by_reason"]["selection"] == 3
    assert all(reason == "selection" and "k=2" in detail for reason, detail in rejects.values())


def test_selection_random_is_seeded_and_counts_only_correct(tmp_path, traces, jsonl):
    rows = [traces("p", i, boxed="41" if i == 0 else "42") for i in range(6)]
    path = jsonl(tmp_path / "t.jsonl", rows)
    first, r1 = run(tmp_path, [TraceSourceConfig(path=str(path))], selection={"k": 3, "policy": "random"})
    second, r2 = run(tmp_path, [TraceSourceConfig(path=str(path))], selection={"k": 3, "policy": "random"})
    assert r1 == r2 and first["kept"] == 3
    assert r1["p:0"][0] == "correctness"  # wrong samples never count toward k
    assert sorted(reason for reason, _ in r1.values()) == ["correctness", "selection", "selection"]


def mixture_sources(tmp_path, traces, jsonl, quota_reasoning, quota_general):
    reasoning = jsonl(tmp_path / "reasoning.jsonl", [traces(f"r{i}", 0) for i in range(6)])
    chat = [{"question": f"Say hello number {i}", "response": f"Hello there, friend number {i}!"} for i in range(3)]
    general = jsonl(tmp_path / "chat.jsonl", chat)
    return [TraceSourceConfig(path=str(reasoning), name="reasoning", quota=quota_reasoning),
            TraceSourceConfig(path=str(general), name="general", columns={"problem": "question", "completion": "response"},
                         defaults={"domain": "general"}, quota=quota_general)]


def test_mixture_quotas_met(tmp_path, traces, jsonl):
    result, rejects = run(tmp_path, mixture_sources(tmp_path, traces, jsonl, 4, 2), target_size=6)
    assert result["kept"] == 6 and result["quota_shortfall"] == []
    assert result["per_source"]["reasoning"]["kept"] == 4 and result["per_source"]["general"]["kept"] == 2
    assert [r for r, _ in rejects.values()].count("mixture_quota") == 3


def test_mixture_shortfall_is_reported_and_strict_fails(tmp_path, traces, jsonl, capsys):
    result, _ = run(tmp_path, mixture_sources(tmp_path, traces, jsonl, 4, 5))
    assert result["quota_shortfall"] == [{"source": "general", "quota": 5, "available": 3, "missing": 2}]
    assert "quota shortfall" in capsys.readouterr().err
    assert "Quota shortfall" in (tmp_path / "out" / "funnel.md").read_text()
    with pytest.raises(DistillError, match="quota shortfall"):
        run(tmp_path, mixture_sources(tmp_path, traces, jsonl, 4, 5), strict=True)
    assert json.loads((tmp_path / "out" / "funnel.json").read_text())["quota_shortfall"]  # outputs kept


def test_target_size_must_match_quotas():
    from distill.config import from_dict
    from distill.errors import ConfigError

    with pytest.raises(ConfigError, match="target_size"):
        from_dict(FilterConfig, {"target_size": 10, "sources": [{"path": "a", "quota": 4}, {"path": "b", "quota": 5}]})
    with pytest.raises(ConfigError, match="divisible"):
        from_dict(FilterConfig, {"dedup": {"num_perm": 10, "bands": 3}})
    assert DedupConfig().threshold == 0.8 and SelectionConfig().k >= 1
