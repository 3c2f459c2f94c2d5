"""Fixtures of the pipeline tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SERVER = Path(__file__).resolve().parents[1] / "generate" / "openai_server.py"


@pytest.fixture
def teacher_url():
    """Loopback OpenAI-compatible test servers (tests/generate/openai_server.py): `teacher_url(slow=0.3)`."""
    procs = []

    def start(slow: float = 0.0) -> str:
        proc = subprocess.Popen([sys.executable, str(SERVER), "--port", "0", "--slow", str(slow)], stdout=subprocess.PIPE,
                                text=True)
        procs.append(proc)
        line = proc.stdout.readline()
        assert line.startswith("PORT "), line
        return f"http://127.0.0.1:{int(line.split()[1])}/v1"

    yield start
    for proc in procs:
        proc.kill()
        proc.wait()
