"""A named pipeline killed and resumed: two generate stages and two filter stages on a loopback
teacher (`draft` -> `draft_clean`, `second` -> `second_clean`). The run is killed while `second`
generates; the rerun skips the finished named stages, finishes `second`, runs `second_clean`, and
each filter read its own generate stage (one through `${stages.draft}`, one by default)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

from distill.cli import main
from distill.records import read_rows

ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}


def generate(url: str, limit: int, samples: int) -> dict:
    return {"teacher": "toy", "engine": "openai", "num_samples": samples, "prompting": {"chat_template": False},
            "chunk_size": 2, "source": {"kind": "toy", "name": "countdown", "limit": limit},
            "sampling": {"max_new_tokens": 64}, "openai": {"base_url": url, "concurrency": 2}}


def write(tmp_path: Path, draft_url: str, second_url: str) -> Path:
    clean = {"workers": 1, "correctness": {"enabled": False}, "decontaminate": {"eval_sets": []}}
    recipe = {
        "seed": 0, "output_dir": str(tmp_path / "run"),
        "stages": [{"name": "draft", "command": "generate"}, {"name": "draft_clean", "command": "filter"},
                   {"name": "second", "command": "generate"}, {"name": "second_clean", "command": "filter"}],
        "draft": generate(draft_url, 6, 1),
        "draft_clean": {**clean, "sources": [{"path": "${stages.draft}/shards"}]},
        "second": generate(second_url, 30, 2),
        "second_clean": clean,  # no sources: the last earlier generate stage, `second`
    }
    path = tmp_path / "named.yaml"
    path.write_text(yaml.safe_dump(recipe, sort_keys=False))
    return path


def stamp(run: Path, name: str) -> dict:
    try:
        return json.loads((run / name / "pipeline.json").read_text())
    except (OSError, ValueError):
        return {}


def test_a_killed_named_pipeline_resumes_per_named_stage(tmp_path, teacher_url, capsys):
    fast, slow = teacher_url(), teacher_url(slow=0.3)
    run = tmp_path / "run"
    path = write(tmp_path, fast, slow)  # `second` generates for seconds: killed in it
    proc = subprocess.Popen([sys.executable, "-m", "distill", "run", str(path)], env=ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list((run / "second" / "shards").glob("*.jsonl")) if (run / "second" / "shards").is_dir() else True:
        assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.poll() is not None else "timeout"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert stamp(run, "draft_clean")["status"] == "ok" and stamp(run, "second")["status"] == "running"

    path = write(tmp_path, fast, teacher_url())  # only `second`'s server differs (its speed)
    capsys.readouterr()
    assert main(["run", str(path)]) == 0
    out = capsys.readouterr().out
    for line in ("skip draft ", "skip draft_clean ", "run  second ", "run  second_clean "):
        assert line in out, out
    assert "2 stages ran, 2 skipped" in out

    def traces(name):
        return [r.data for r in read_rows(run / name / "shards")]

    assert len(traces("draft")) == 6 and len(traces("second")) == 30 * 2
    assert len({t["id"] for t in traces("second")}) == 60  # resumed, nothing twice
    for clean, source, n in (("draft_clean", "draft", 6), ("second_clean", "second", 60)):
        funnel = json.loads((run / clean / "funnel.json").read_text())
        assert funnel["read"] == n and funnel["kept"] + funnel["rejected"] + funnel["malformed"] == n
        manifest = json.loads((run / clean / "manifest.json").read_text())
        assert manifest["stage"] == clean and manifest["command"] == "filter" and manifest["status"] == "ok"
        assert [Path(i["path"]).name for i in manifest["inputs"]] == [source]  # its own generate stage
    assert not list((run / "pipeline").glob("*.yaml"))  # no derived recipes

    capsys.readouterr()
    assert main(["run", str(path)]) == 0
    assert "0 stages ran, 4 skipped" in capsys.readouterr().out
