"""End to end: `distill eval` with lm-eval's hf backend on a tiny model, then `--rescore` without generating."""

import json
from pathlib import Path

import pytest

from distill.cli import main

DATA = Path(__file__).parent / "data"


def _argv(model: Path, out: Path) -> list[str]:
    return ["eval", "--model", f"tiny={model}", "--tasks", "toy_arithmetic,gpqa_diamond",
            "--data", f"gpqa_diamond={DATA / 'gpqa_diamond_sample.jsonl'}", "--backend", "hf",
            "--samples", "2", "--limit", "2", "--max-gen-toks", "8", "--out", str(out)]


@pytest.fixture(scope="module")
def eval_run(tiny_qwen_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("eval") / "run"
    assert main(_argv(tiny_qwen_dir, out)) == 0
    return out


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_run_writes_results_samples_and_manifest(eval_run):
    model_dir = eval_run / "tiny"
    for name in ("results.json", "results.md", "samples.jsonl", "lm_eval_results.json"):
        assert (model_dir / name).is_file(), name
    manifest = json.loads((eval_run / "manifest.json").read_text())
    assert manifest["status"] == "ok" and manifest["counts"]["samples"] == 8 and manifest["counts"]["problems"] == 4
    assert (eval_run / "recipe.resolved.yaml").is_file()
    rows = _rows(model_dir / "samples.jsonl")
    assert len(rows) == 8  # 2 tasks x 2 problems x 2 samples
    assert {(r["task"], r["doc_id"], r["sample_index"]) for r in rows} == {
        (t, d, s) for t in ("toy_arithmetic", "gpqa_diamond") for d in (0, 1) for s in (0, 1)}
    for row in rows:
        assert isinstance(row["completion"], str) and row["reason"] and row["completion_chars"] == len(row["completion"])
        assert 0 < row["completion_tokens"] <= 8
    first = next(r for r in rows if r["task"] == "toy_arithmetic" and r["sample_index"] == 0)
    assert first["prompt"].startswith("<|im_start|>user")  # the chat template was applied


def test_results_agree_with_lm_evals_own_aggregate(eval_run):
    results = json.loads((eval_run / "tiny" / "results.json").read_text())
    assert results["protocol"]["temperature"] == 0.6 and results["protocol"]["top_p"] == 0.95
    for task, ours in results["tasks"].items():
        theirs = results["lm_eval"][task]
        assert ours["n"] == 2 and ours["k"] == 2
        assert ours["pass@1"] == pytest.approx(theirs["pass@1,samples"])
        assert ours["cons@k"] == pytest.approx(theirs["cons@k,samples"])
    assert "| tiny | toy_arithmetic | 2 | 2 |" in (eval_run / "results.md").read_text()


def test_a_rerun_keeps_finished_models(eval_run, tiny_qwen_dir, capsys):
    before = (eval_run / "tiny" / "results.json").read_text()
    assert main(_argv(tiny_qwen_dir, eval_run)) == 0
    assert "eval: already complete in" in capsys.readouterr().err  # same recipe, same model: nothing to do
    assert (eval_run / "tiny" / "results.json").read_text() == before
    (eval_run / "manifest.json").unlink()  # a stage not known complete still keeps each finished model
    assert main(_argv(tiny_qwen_dir, eval_run)) == 0
    assert "results under the same protocol already in" in capsys.readouterr().err
    assert (eval_run / "tiny" / "results.json").read_text() == before


def test_model_fingerprint_follows_the_weights(tmp_path):
    import os

    from distill.evaluate.runner import model_fingerprint

    assert model_fingerprint(str(tmp_path)) is None and model_fingerprint("Qwen/Qwen2.5-Math-1.5B") is None
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"1234")
    first = model_fingerprint(str(tmp_path))
    os.utime(weights, ns=(1, 1))  # retrained in place: same path, new file
    assert first is not None and model_fingerprint(str(tmp_path)) != first


def test_rescore_uses_saved_completions(eval_run):
    model_dir = eval_run / "tiny"
    manifest_before = (eval_run / "manifest.json").read_text()
    rows = _rows(model_dir / "samples.jsonl")
    # Replace the tiny model's noise with right answers for one task; a rescore must pick them up.
    for row in rows:
        if row["task"] == "toy_arithmetic":
            row["completion"] = f"<think>\nsum\n</think>\n\nThe answer is \\boxed{{{row['answer']}}}."
    (model_dir / "samples.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert main(["eval", "--rescore", str(eval_run)]) == 0
    results = json.loads((model_dir / "results.json").read_text())
    assert results["tasks"]["toy_arithmetic"]["pass@1"] == 1.0 and results["tasks"]["toy_arithmetic"]["cons@k"] == 1.0
    assert results["rescored"]["changed_verdicts"] == 4 and "lm_eval" not in results
    assert all(r["correct"] for r in _rows(model_dir / "samples.jsonl") if r["task"] == "toy_arithmetic")
    assert (eval_run / "manifest.json").read_text() == manifest_before


def test_bad_flags_fail_with_one_line(tmp_path, capsys):
    assert main(["eval", "--model", "x", "--tasks", "nope", "--out", str(tmp_path / "o")]) == 2
    assert "unknown eval task 'nope'" in capsys.readouterr().err
    assert main(["eval", "--rescore", str(tmp_path)]) == 2
    assert "no results.json" in capsys.readouterr().err


def test_report_reads_a_real_run(eval_run, tmp_path):
    out = tmp_path / "report"
    assert main(["report", str(eval_run), "--out", str(out)]) == 0
    md = (out / "report.md").read_text()
    results = json.loads((eval_run / "tiny" / "results.json").read_text())
    cons = results["tasks"]["gpqa_diamond"]["cons@k"]
    assert "| model | toy_arithmetic pass@1 | toy_arithmetic cons@2 | gpqa_diamond pass@1 | gpqa_diamond cons@2 |" in md
    assert md.count("| tiny |") == 4 and f"{100 * cons:.1f}" in md  # main table, 2 detail rows, sources
    assert (out / "lengths.png").stat().st_size > 0 and (out / "accuracy.png").stat().st_size > 0
