"""`distill validate recipes/**/*.yaml` (the README's command) passes on everything shipped, accelerate
configs included, without importing TRL/torch; pass-through fields read from source match the classes."""

from __future__ import annotations

import glob
import subprocess
import sys
from pathlib import Path

import pytest

from distill.cli import main

REPO = Path(__file__).resolve().parents[2]


def test_the_readme_command_passes_on_every_shipped_file(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    paths = sorted(glob.glob("recipes/**/*.yaml", recursive=True))
    assert any("accelerate" in p for p in paths)
    assert main(["validate", *paths]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "ok   recipes/accelerate/zero3.yaml (accelerate config)" in out


def test_accelerate_config_typo_names_the_key(tmp_path, capsys):
    bad = tmp_path / "acc.yaml"
    bad.write_text("compute_environment: LOCAL_MACHINE\ndistributed_type: DEEPSPEED\nnum_procesess: 8\n")
    assert main(["validate", str(bad)]) == 1
    assert "unknown key 'num_procesess'; did you mean 'num_processes'" in capsys.readouterr().err
    bad.write_text("distributed_type: DEEPSPED\n")
    assert main(["validate", str(bad)]) == 1
    assert "distributed_type 'DEEPSPED'" in capsys.readouterr().err


def test_validate_imports_neither_trl_nor_torch():
    code = ("import sys; from distill.cli import main; rc = main(['validate', 'recipes/students/qwen2.5-math-7b.yaml', "
            "'recipes/teacher/r1_zero.yaml']); print(rc, 'trl' in sys.modules, 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert out.stdout.strip().splitlines()[-1] == "0 False False", out.stderr


@pytest.mark.parametrize("module, name, public", [
    ("trl.trainer.sft_config", "SFTConfig", "trl"),
    ("trl.trainer.grpo_config", "GRPOConfig", "trl"),
    ("peft.tuners.lora.config", "LoraConfig", "peft"),
    ("accelerate.commands.config.config_args", "ClusterConfig", "accelerate.commands.config.config_args"),
])
def test_fields_read_from_source_match_the_imported_class(module, name, public):
    from distill.config_fields import _imported_fields, config_fields

    assert config_fields(module, name) == _imported_fields(public, name)
