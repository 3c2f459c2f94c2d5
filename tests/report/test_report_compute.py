"""The report's Compute table: each model's pass@1 beside the generated tokens, training tokens and
wall time of the stages that made it, summed from their manifests."""

import json

from distill.cli import main
from distill.evaluate.results import write_results
from distill.evaluate.scoring import verdicts_for


def result_dir(root, name, answers):
    completions = [f"<think>\nx\n</think>\n\\boxed{{{a}}}" for a in answers]
    rows = [{"task": "toy_arithmetic", "doc_id": i, "sample_index": 0, "answer": "7", "domain": "math",
             "completion": text, "extracted": v.extracted, "correct": v.correct, "reason": v.reason,
             "completion_chars": len(text), "completion_tokens": 5}
            for i, (text, v) in enumerate(zip(completions, verdicts_for(completions, "7", "math")))]
    out = root / "eval" / name
    out.mkdir(parents=True)
    write_results(out, rows, {"model": name, "model_path": f"/models/{name}", "backend": "hf"})
    return out


def stage(root, name, **manifest):
    out = root / name
    out.mkdir(parents=True)
    (out / "manifest.json").write_text(json.dumps({"stage": name, "status": "ok", **manifest}))
    return str(out)


def test_compute_table_sums_each_models_stages(tmp_path):
    generate = stage(tmp_path, "generate", wall_seconds=100.0, counts={"completion_tokens": 50_000})
    sft = stage(tmp_path, "train_student", wall_seconds=20.0, counts={"kept": 10},
                train={"train_tokens": 120_000})
    on_policy = stage(tmp_path, "train_on_policy", wall_seconds=30.0, method="on_policy",
                      counts={"generated_tokens": 9_000, "train_tokens": 15_000})
    baseline = stage(tmp_path, "train_baseline", wall_seconds=90.0,
                     counts={"generated_tokens": 2_500_000})  # written before train_tokens was recorded
    results = {name: str(result_dir(tmp_path, name, answers)) for name, answers in
               [("distilled", ["7", "1"]), ("on_policy", ["7", "7"]), ("rl_baseline", ["1", "1"])]}
    out = tmp_path / "report"
    args = ["report", *[f"{n}={p}" for n, p in results.items()], "--out", str(out),
            "--compute", f"distilled={generate},{sft}", "--compute", f"on_policy={generate},{sft},{on_policy}",
            "--compute", f"rl_baseline={baseline}"]
    assert main(args) == 0
    md = (out / "report.md").read_text()
    header = "| model | toy_arithmetic pass@1 | generated tokens | training tokens | wall time | stages |"
    assert header in md
    assert "| distilled | 50.0 | 50,000 | 120,000 | 120 s | generate, train_student |" in md
    assert "| on_policy | 100.0 | 59,000 | 135,000 | 150 s | generate, train_student, train_on_policy |" in md
    assert "| rl_baseline | 0.0 | 2.50M | – | 90 s | train_baseline |" in md


def test_a_missing_manifest_makes_the_total_a_lower_bound(tmp_path):
    from distill.report.compute import compute_rows, load_compute

    sft = stage(tmp_path, "train_student", wall_seconds=20.0, train={"train_tokens": 1000})
    rows = load_compute({"student": [sft, str(tmp_path / "missing")]})
    _, table = compute_rows(rows, {"student": ["10.0"]}, ["t"])
    assert table[0][:5] == ["student", "10.0", "≥ 0", "≥ 1,000", "≥ 20 s"]
    assert "no manifest at" in table[0][5]
