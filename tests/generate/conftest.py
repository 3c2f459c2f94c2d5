"""Fixtures for the generate tests: a real OpenAI-compatible HTTP server on loopback, recipe writing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

SERVER = Path(__file__).with_name("openai_server.py")


def start_server(*args: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, str(SERVER), "--port", "0", *args], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if not line.startswith("PORT "):
        proc.kill()
        raise RuntimeError(f"test server did not start: {line!r}")
    return proc, f"http://127.0.0.1:{int(line.split()[1])}/v1"


@pytest.fixture
def openai_server():
    """Start servers with failure-injection flags: `base_url = openai_server("--fail-first", "1")`."""
    procs = []

    def start(*args: str) -> str:
        proc, url = start_server(*args)
        procs.append(proc)
        return url

    yield start
    for proc in procs:
        proc.kill()
        proc.wait()


@pytest.fixture
def write_recipe(tmp_path):
    """Write a recipe dict to a YAML file and return its path."""

    def write(data: dict, name: str = "recipe.yaml") -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return path

    return write
