"""The CLI frame: fast help, one-line errors, `distill validate`."""

from __future__ import annotations

import subprocess
import sys

from distill.cli import main


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "distill", *args], capture_output=True, text=True, timeout=120)


def test_help_lists_commands_without_importing_torch():
    code = "import sys; from distill.cli import build_parser; build_parser(); print('torch' in sys.modules, 'trl' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False False", out.stderr
    result = run_cli("--help")
    assert result.returncode == 0 and "validate" in result.stdout


def test_validate_typo_exits_nonzero_naming_key_and_suggestion(tmp_path, capsys):
    good = tmp_path / "good.yaml"
    good.write_text("# distill validate good.yaml\nseed: 1\noutput_dir: runs/a\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("seed: 1\noutput_dirr: runs/a\n")
    assert main(["validate", str(good)]) == 0
    assert main(["validate", str(good), str(bad)]) == 1
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "'output_dirr'" in err and "did you mean 'output_dir'" in err
    assert "Traceback" not in err


def test_validate_reports_bad_type_in_one_line_via_subprocess(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("seed: many\n")
    result = run_cli("validate", str(bad))
    assert result.returncode != 0
    assert "key 'seed': expected an integer, got str 'many'" in result.stderr
    assert "Traceback" not in result.stderr
