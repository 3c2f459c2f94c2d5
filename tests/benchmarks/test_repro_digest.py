"""benchmarks/repro_digest.py on a hand-made run directory (no training): weights are hashed per
tensor, the run directory's own path does not count, and compare names the first differing stage."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "repro_digest.py"


def _load():
    spec = importlib.util.spec_from_file_location("repro_digest", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _make_run(root: Path, weight: float) -> Path:
    import torch
    from safetensors.torch import save_file

    for stage in ("warmup_teacher", "train_student"):
        d = root / stage
        d.mkdir(parents=True)
        value = weight if stage == "train_student" else 1.0
        save_file({"a": torch.full((2, 3), value), "b": torch.zeros(4)}, str(d / "model.safetensors"))
        (d / "manifest.json").write_text(json.dumps({"train": {"global_steps": 3, "train_loss": 0.5}}))
    gen = root / "generate"
    (gen / "shards").mkdir(parents=True)
    (gen / "manifest.json").write_text("{}")
    line = json.dumps({"id": "p:0", "completion": "x", "teacher": str((root / "train_teacher").resolve())})
    (gen / "shards" / "part-0.jsonl").write_text(line + "\n")
    return root


def test_same_results_in_other_directories_compare_equal(tmp_path, capsys):
    rd = _load()
    a = rd.digest_run(_make_run(tmp_path / "a", 2.0))
    b = rd.digest_run(_make_run(tmp_path / "b", 2.0))
    assert a["stages"]["generate"]["traces"] == b["stages"]["generate"]["traces"]  # the path is not counted
    assert set(a["stages"]["warmup_teacher"]["weights"]["tensors"]) == {"a", "b"}
    assert rd.compare(a, b) == 0
    assert "warmup_teacher: same" in capsys.readouterr().out


def test_compare_names_the_first_differing_stage_and_tensor(tmp_path, capsys):
    rd = _load()
    a = rd.digest_run(_make_run(tmp_path / "a", 2.0))
    b = rd.digest_run(_make_run(tmp_path / "b", 2.5))
    assert rd.compare(a, b) == 1
    out = capsys.readouterr().out
    assert "warmup_teacher: same" in out
    assert "train_student: DIFFERS at train_student.weights.tensors.a" in out


def test_compare_cli_exit_status(tmp_path):
    rd = _load()
    for name, w in (("a", 2.0), ("b", 2.5)):
        (tmp_path / f"{name}.json").write_text(json.dumps(rd.digest_run(_make_run(tmp_path / name, w))))
    assert rd.main(["compare", str(tmp_path / "a.json"), str(tmp_path / "a.json")]) == 0
    assert rd.main(["compare", str(tmp_path / "a.json"), str(tmp_path / "b.json")]) == 1
