"""`distill run` end to end: the demo recipe, shortened, on CPU, interrupted and resumed.

The first run is killed (SIGKILL to its process group) once the teacher's warm-up has finished; the
second run must skip what was finished, run the rest, and leave every stage's output in place with
the accounting right. Sizes are cut to the bone: this checks the plumbing, not the learning (the
filter's correctness check is off, since a teacher warmed up for seconds may solve nothing).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]

SHORTEN = {
    "toy": {"train_size": 300, "test_size": 20},
    "warmup_teacher": {"sft": {"max_steps": 50, "num_train_epochs": 1, "logging_steps": 10}},
    "train_teacher": {"prompts": {"limit": 8}, "grpo": {"max_steps": 1, "num_generations": 4, "per_device_train_batch_size": 8, "max_completion_length": 24}},
    "generate": {"source": {"limit": 12}, "num_samples": 2, "chunk_size": 4, "sampling": {"max_new_tokens": 40}},
    "filter": {"correctness": {"enabled": False}},
    "warmup_student": {"sft": {"max_steps": 3}},
    "train_student": {"sft": {"max_steps": 4, "num_train_epochs": 1}},
    "train_baseline": {"prompts": {"limit": 8}, "grpo": {"max_steps": 1, "num_generations": 4, "per_device_train_batch_size": 8, "max_completion_length": 24}},
    "eval": {"toy_problems": 6, "samples": 1, "max_gen_toks": 32, "batch_size": 8,
             "models": {"student_base": "${output_dir}/warmup_student", "student_distilled": "${output_dir}/train_student"}},
}


def merge(base: dict, extra: dict) -> dict:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict) and key != "models":
            merge(base[key], value)
        else:
            base[key] = value
    return base


def short_recipe(tmp_path: Path) -> Path:
    data = yaml.safe_load((REPO / "recipes/toy/pipeline.yaml").read_text())
    data = merge(data, SHORTEN)
    data["output_dir"] = str(tmp_path / "run")
    path = tmp_path / "pipeline.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def stamp(run: Path, stage: str) -> dict:
    try:
        return json.loads((run / stage / "pipeline.json").read_text())
    except (OSError, ValueError):
        return {}


def command(recipe: Path) -> list[str]:
    return [sys.executable, "-m", "distill", "run", str(recipe)]


def run_until_warmup_done_then_kill(recipe: Path, run: Path) -> None:
    process = subprocess.Popen(command(recipe), cwd=REPO, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 900
    try:
        while time.time() < deadline and process.poll() is None:
            if stamp(run, "warmup_teacher").get("status") == "ok":
                break
            time.sleep(0.5)
        assert stamp(run, "warmup_teacher").get("status") == "ok", "the warm-up never finished"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_toy_pipeline_interrupted_then_resumed(tmp_path):
    recipe = short_recipe(tmp_path)
    run = tmp_path / "run"
    run_until_warmup_done_then_kill(recipe, run)

    result = subprocess.run(command(recipe), cwd=REPO, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    plan = {line.split()[1]: line.split()[0] for line in result.stdout.splitlines()[:10] if line[:4] in ("run ", "skip")}
    assert plan["toy"] == "skip" and plan["warmup_teacher"] == "skip", result.stdout[:800]
    assert all(plan[s] == "run" for s in ("generate", "filter", "train_student", "eval", "report"))
    assert "pipeline done: 8 stages ran, 2 skipped" in result.stdout

    # Every stage finished and says so.
    for stage in ("toy", "warmup_teacher", "train_teacher", "generate", "filter", "warmup_student",
                  "train_student", "train_baseline", "eval", "report"):
        assert stamp(run, stage)["status"] == "ok", stage
        assert json.loads((run / stage / "manifest.json").read_text())["status"] == "ok", stage

    # generate: exactly prompts x n samples, unique ids.
    traces = [json.loads(line) for f in sorted((run / "generate").rglob("*.jsonl")) if "shards" in f.parts
              for line in f.read_text().splitlines() if line.strip()]
    ids = [t["id"] for t in traces]
    assert len(ids) == 12 * 2 and len(set(ids)) == len(ids)

    # filter: kept + rejected + malformed = read.
    funnel = json.loads((run / "filter" / "funnel.json").read_text())
    counts = json.dumps(funnel)
    assert funnel["read"] == len(traces), counts
    assert funnel["kept"] + funnel["rejected"] + funnel["malformed"] == funnel["read"], counts

    # The trained models load by path; eval scored both models; the report shows them.
    for stage in ("train_teacher", "train_student", "train_baseline"):
        assert (run / stage / "config.json").is_file(), stage
    report = (run / "report" / "report.md").read_text()
    assert "student_base" in report and "student_distilled" in report
    for name in ("student_base", "student_distilled"):
        results = json.loads((run / "eval" / name / "results.json").read_text())
        assert "toy_arithmetic" in json.dumps(results)
