"""Without bubblewrap, `make setup` says so and every sandbox test skips with the reason (never fails)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_sandbox_tests_skip_with_the_reason_when_bwrap_is_missing(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path)}  # nothing on the PATH: no bwrap
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
         "tests/train/test_rewards_accuracy.py::test_code_runs_in_the_sandbox",
         "tests/train/test_rewards_code_block.py::test_the_verifier_reads_the_shared_block"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "2 skipped" in out.stdout and "`bwrap` is not installed: apt-get install bubblewrap" in out.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_setup_names_the_missing_sandbox(tmp_path):
    (tmp_path / "id").symlink_to(shutil.which("id"))  # no bwrap and no apt-get on this PATH
    out = subprocess.run([shutil.which("make"), "-s", "sandbox"], cwd=ROOT, env={"PATH": str(tmp_path)},
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "sandbox tests will skip" in out.stdout and "apt-get install bubblewrap" in out.stdout
