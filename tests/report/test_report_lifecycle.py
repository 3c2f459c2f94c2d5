"""`distill report` as a stage: it refuses an unfinished eval output in one line, reruns as a no-op
once built, rebuilds when an input changed, and a full disk ends in one line with the manifest
saying failed and a rerun that completes."""

from __future__ import annotations

import json
import os

from distill.cli import main
from distill.evaluate.results import write_results
from distill.evaluate.scoring import verdicts_for


def eval_run(root, status="ok"):
    """An eval stage output with one model's results, as `distill eval` leaves it."""
    run = root / "eval"
    completions = ["<think>\nx\n</think>\n\\boxed{7}", "<think>\ny\n</think>\n\\boxed{3}"]
    rows = [{"task": "math500", "doc_id": 0, "sample_index": i, "answer": "7", "domain": "math", "completion": text,
             "extracted": v.extracted, "correct": v.correct, "reason": v.reason, "completion_chars": len(text),
             "completion_tokens": 5} for i, (text, v) in enumerate(zip(completions, verdicts_for(completions, "7", "math")))]
    (run / "student").mkdir(parents=True)
    write_results(run / "student", rows, {"model": "student", "model_path": "/models/student", "backend": "hf"})
    (run / "manifest.json").write_text(json.dumps({"stage": "eval", "status": status, "fingerprint": "f", "ended": "t"}))
    return run


def files(out):
    return {str(p.relative_to(out)): (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*")
            if p.is_file() and p.name != ".distill.lock"}


def test_an_unfinished_eval_output_is_refused_naming_it(tmp_path, capsys):
    run = eval_run(tmp_path, status="interrupted")
    assert main(["report", str(run), "--out", str(tmp_path / "report")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(run) in err and "is interrupted" in err and "distill eval" in err
    assert main(["report", str(run), "--out", str(tmp_path / "report"), "--allow-partial-input"]) == 0
    assert json.loads((tmp_path / "report" / "manifest.json").read_text())["allow_partial_input"] is True


def test_a_built_report_reruns_as_a_no_op_and_rebuilds_when_an_input_changed(tmp_path, capsys):
    run = eval_run(tmp_path)
    out = tmp_path / "report"
    assert main(["report", str(run), "--out", str(out)]) == 0
    before = files(out)
    capsys.readouterr()
    assert main(["report", str(run), "--out", str(out)]) == 0
    assert "report: already complete in" in capsys.readouterr().err and files(out) == before
    manifest = json.loads((run / "manifest.json").read_text())
    (run / "manifest.json").write_text(json.dumps({**manifest, "ended": "later"}))  # eval ran again
    assert main(["report", str(run), "--out", str(out)]) == 0
    assert "already complete" not in capsys.readouterr().err


def test_a_full_disk_is_one_line_and_the_rerun_completes(tmp_path, small_tmpfs, capsys):
    run = eval_run(tmp_path)
    disk = small_tmpfs("40k")
    out = disk / "report"
    assert main(["report", str(run), "--out", str(out)]) != 0
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("distill report: error: ") and "No space left on device" in err and str(out) in err
    assert json.loads((out / "manifest.json").read_text())["status"] == "failed"
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    small_tmpfs.resize(disk, "16m")
    assert main(["report", str(run), "--out", str(out)]) == 0
    assert json.loads((out / "manifest.json").read_text())["status"] == "ok"
    assert os.path.getsize(out / "report.md") > 0
