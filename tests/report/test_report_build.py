"""`distill report`: table numbers, Markdown + HTML, PNG plots, filter funnel, training curves."""

import json
from pathlib import Path

import pytest

from distill.cli import main
from distill.evaluate.results import write_results
from distill.evaluate.scoring import verdicts_for

PNG = b"\x89PNG\r\n\x1a\n"


def _result_dir(root: Path, name: str, samples: dict[str, list[list[str]]]) -> Path:
    """A model result dir as distill eval writes it: {task: [[answers of problem 0], [problem 1], ...]}, gold '7'."""
    rows = []
    for task, problems in samples.items():
        for doc_id, answers in enumerate(problems):
            completions = [f"<think>\n{'x' * (10 * i)}\n</think>\n\\boxed{{{a}}}" for i, a in enumerate(answers)]
            for i, (text, v) in enumerate(zip(completions, verdicts_for(completions, "7", "math"))):
                rows.append({"task": task, "doc_id": doc_id, "sample_index": i, "answer": "7", "domain": "math",
                             "completion": text, "extracted": v.extracted, "correct": v.correct, "reason": v.reason,
                             "completion_chars": len(text), "completion_tokens": 5 + i})
    out = root / name
    out.mkdir(parents=True)
    write_results(out, rows, {"model": name, "model_path": f"/models/{name}", "backend": "hf"})
    return out


@pytest.fixture()
def dirs(tmp_path):
    # base: math500 pass@1 = (1/4 + 0) / 2 = 12.5 %, cons 0; aime24 pass@1 = 50 %, cons 100 % (tie -> first answer 7)
    base = _result_dir(tmp_path, "base", {"math500": [["7", "1", "2", "2"], ["1", "1", "1", "1"]],
                                          "aime24": [["7", "3"]]})
    # student: math500 pass@1 = (3/4 + 1) / 2 = 87.5 %, cons 100 %
    student = _result_dir(tmp_path, "student", {"math500": [["7", "7", "7", "2"], ["7", "7", "7", "7"]],
                                                "aime24": [["3", "3"]]})
    funnel = tmp_path / "filter"
    funnel.mkdir()
    (funnel / "funnel.json").write_text(json.dumps({
        "read": 100, "malformed": 2, "rejected": 38, "kept": 60,
        "rejected_by_reason": {"format": 10, "wrong_answer": 25, "truncated": 3, "duplicate": 0}}))
    train = tmp_path / "train_student"
    for step in (2, 10):
        (train / f"checkpoint-{step}").mkdir(parents=True)
        history = [{"step": s, "loss": 2.0 / s, "reward": s / 10, "reward_std": 0.1, "learning_rate": 1e-5}
                   for s in range(1, step + 1)]
        (train / f"checkpoint-{step}" / "trainer_state.json").write_text(json.dumps({"log_history": history}))
    return {"base": base, "student": student, "funnel": funnel, "train": train, "root": tmp_path}


def test_report_table_plots_funnel_and_curves(dirs):
    out = dirs["root"] / "report"
    code = main(["report", f"base={dirs['base']}", f"distilled={dirs['student']}", "--funnel", str(dirs["funnel"]),
                 "--training", f"student={dirs['train']}", "--out", str(out), "--title", "toy comparison"])
    assert code == 0
    md = (out / "report.md").read_text()
    assert md.startswith("# toy comparison")
    assert "| model | math500 pass@1 | math500 cons@4 | aime24 pass@1 | aime24 cons@2 |" in md
    assert "| base | 12.5 ± 12.5 | 0.0 | 50.0 | 100.0 |" in md
    assert "| distilled | 87.5 ± 12.5 | 100.0 | 0.0 | 0.0 |" in md
    assert "| rejected: wrong_answer | 25 |" in md and "| kept | 60 |" in md and "| read | 100 |" in md
    for png in ("accuracy.png", "lengths.png", "funnel.png", "training_student.png"):
        assert (out / png).read_bytes()[:8] == PNG, png
        assert f"]({png})" in md
    html = (out / "report.html").read_text()
    assert "<td>87.5 ± 12.5</td>" in html and "<img src='accuracy.png'" in html
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "ok" and manifest["counts"] == {"models": 2, "plots": 4}


def test_training_curves_come_from_the_latest_checkpoint(dirs):
    from distill.report.collect import load_training

    curves = load_training({"student": str(dirs["train"])})["student"]
    assert set(curves) == {"loss", "reward"}  # std and learning rate are not plotted
    assert len(curves["loss"]) == 10 and curves["reward"][-1] == (10.0, 1.0)


def test_training_curves_from_grpo_metrics_jsonl(tmp_path):
    from distill.report.collect import load_training

    lines = [json.dumps({"step": s, "loss": 0.01 * s, "reward": 0.1 * s, "rewards/accuracy/mean": 0.05 * s,
                         "rewards/accuracy/std": 0.3, "completions/mean_length": 20 + s,
                         "completions/max_length": 40}) for s in (5, 10, 15)]
    (tmp_path / "metrics.jsonl").write_text("\n".join(lines + ['{"step": 20, "loss"']) + "\n")  # last line cut
    curves = load_training({"baseline": str(tmp_path)})["baseline"]
    assert set(curves) == {"loss", "reward", "rewards/accuracy/mean", "completions/mean_length"}
    assert curves["completions/mean_length"][-1] == (15.0, 35.0)
    assert curves["reward"] == [(5.0, 0.5), (10.0, 1.0), (15.0, 1.5)]
    assert load_training({"none": str(tmp_path / "missing")}) == {}


def test_a_run_dir_expands_to_its_models(dirs):
    from distill.report.collect import load_model_results

    models = load_model_results({"run": str(dirs["root"])})
    assert [m.name for m in models] == ["run/base", "run/student"]
    # unnamed (the path is its own key): rows carry the evaluated models' names
    assert [m.name for m in load_model_results({str(dirs["root"]): str(dirs["root"])})] == ["base", "student"]
    assert models[1].lengths["math500"] == [5, 6, 7, 8, 5, 6, 7, 8] and models[1].length_unit == "tokens"


def test_funnel_in_an_unknown_shape_is_noted_not_fatal(dirs, tmp_path):
    from distill.report.collect import load_funnel

    odd = tmp_path / "odd.json"
    odd.write_text(json.dumps({"something": "else"}))
    assert "no counts found" in load_funnel(odd)["note"]
    odd.write_text("[1, 2")
    assert "unreadable" in load_funnel(odd)["note"]
    assert "no funnel.json" in load_funnel(tmp_path / "nowhere")["note"]
    listed = tmp_path / "listed.json"
    listed.write_text(json.dumps({"counts": {"rows_in": 10, "kept": 4, "rejected": [{"reason": "format", "count": 6}]}}))
    assert load_funnel(listed) | {"source": ""} == {"read": 10, "kept": 4, "malformed": None,
                                                     "rejected": {"format": 6}, "source": ""}


def test_missing_results_is_one_clear_error(tmp_path, capsys):
    assert main(["report", str(tmp_path), "--out", str(tmp_path / "r")]) == 2
    assert "no results.json" in capsys.readouterr().err
