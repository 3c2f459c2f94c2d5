"""Two train-student stages in one recipe, each run by name (`train-student RECIPE --stage NAME`, what
`distill run` runs): SFT, then SFT again from the first stage's model through `${stages.cold_start}`.
Each writes to its own directory with its own manifest; a rerun of either is a no-op."""

from __future__ import annotations

import json

import yaml

from distill.cli import main

SFT = {"learning_rate": 1.0e-3, "per_device_train_batch_size": 2, "logging_steps": 1, "save_steps": 10,
       "report_to": "none"}


def write_traces(path, n):
    from distill.toy.setup import sft_conversation
    from distill.toy.tasks import make_problems

    path.write_text("".join(json.dumps(sft_conversation(p)) + "\n" for p in make_problems("arithmetic", "train", n)))
    return path


def test_two_named_sft_stages_train_in_turn(tiny_qwen_dir, tmp_path, capsys):
    traces = write_traces(tmp_path / "traces.jsonl", 4)
    recipe = {
        "seed": 0, "output_dir": str(tmp_path / "run"),
        "stages": [{"name": "cold_start", "command": "train-student"},
                   {"name": "again", "command": "train-student", "section": "second_sft"}],
        "cold_start": {"model": str(tiny_qwen_dir), "dataset": str(traces), "max_length": 256,
                       "sft": {**SFT, "max_steps": 2}},
        "second_sft": {"model": "${stages.cold_start}", "dataset": str(traces), "max_length": 256,
                       "sft": {**SFT, "max_steps": 1}},
    }
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(recipe, sort_keys=False))
    assert main(["train-student", str(path), "--stage", "cold_start"]) == 0
    assert main(["train-student", str(path), "--stage", "again"]) == 0
    run = tmp_path / "run"
    for name, steps in (("cold_start", 2), ("again", 1)):
        manifest = json.loads((run / name / "manifest.json").read_text())
        assert (manifest["stage"], manifest["command"], manifest["status"]) == (name, "train-student", "ok")
        assert manifest["train"]["global_steps"] == steps and (run / name / "config.json").is_file()
    resolved = yaml.safe_load((run / "again" / "recipe.resolved.yaml").read_text())
    assert resolved["second_sft"]["model"] == str(run / "cold_start")
    capsys.readouterr()
    assert main(["train-student", str(path), "--stage", "again"]) == 0
    err = capsys.readouterr().err
    assert "again: already complete" in err and "--stage again --fresh" in err
