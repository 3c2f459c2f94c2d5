"""The report's Comparisons table: one stage's model against another on the same problems, paired."""

import pytest
import yaml

from distill.cli import main
from distill.evaluate.results import write_results
from distill.evaluate.scoring import verdicts_for
from distill.report.compare import paired_difference


def result_dir(root, name, answers_per_problem):
    rows = []
    for doc_id, answers in enumerate(answers_per_problem):
        completions = [f"<think>\nx\n</think>\n\\boxed{{{a}}}" for a in answers]
        for index, (text, v) in enumerate(zip(completions, verdicts_for(completions, "7", "math"))):
            rows.append({"task": "toy_arithmetic", "doc_id": doc_id, "problem_id": f"p{doc_id}", "sample_index": index,
                         "answer": "7", "domain": "math", "completion": text, "extracted": v.extracted,
                         "correct": v.correct, "reason": v.reason, "completion_chars": len(text),
                         "completion_tokens": 5})
    out = root / "eval" / name
    out.mkdir(parents=True)
    write_results(out, rows, {"model": name, "model_path": f"/models/{name}", "backend": "hf"})
    return str(out)


def test_paired_difference_over_shared_problems():
    mean, se, n = paired_difference({"a": 1.0, "b": 0.5, "c": 0.0}, {"a": 0.5, "b": 0.5, "z": 1.0})
    assert (mean, n) == (0.25, 2) and se == pytest.approx(0.25)
    assert paired_difference({"a": 1.0}, {"b": 1.0}) is None


def test_report_compares_stage_models(tmp_path):
    # 4 problems x 2 samples: the cold start gets 2 of 8 right, the rejection-sampled SFT 6 of 8.
    cold = result_dir(tmp_path, "cold_start", [["7", "1"], ["1", "1"], ["7", "1"], ["1", "1"]])
    sft = result_dir(tmp_path, "sft_800k", [["7", "7"], ["7", "1"], ["7", "7"], ["1", "7"]])
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(yaml.safe_dump({"output_dir": str(tmp_path), "report": {
        "results": {"cold_start": cold, "sft_800k": sft},
        "compare": {"SFT vs cold start": ["sft_800k", "cold_start"], "missing": ["sft_800k", "nope"]}}}))
    assert main(["report", str(recipe)]) == 0
    md = (tmp_path / "report" / "report.md").read_text()
    assert "## Comparisons" in md
    # per problem: +0.5, +0.5, +0.5, +0.5 -> +50.0, no spread -> ± 0.0
    assert "| SFT vs cold start | toy_arithmetic | sft_800k | 75.0 | cold_start | 25.0 | +50.0 ± 0.0 | 4 |" in md
    assert "no results for nope" in md


def test_compare_needs_two_names(tmp_path, capsys):
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(yaml.safe_dump({"output_dir": str(tmp_path), "report": {"compare": {"x": ["only_one"]}}}))
    assert main(["validate", str(recipe)]) != 0
    assert "compare.x" in capsys.readouterr().err
