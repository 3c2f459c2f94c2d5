"""An installed distill has its eval tasks: the task YAMLs are package data, inside the wheel."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from distill.evaluate.registry import TASK_PACKAGE, known_tasks, task_dir

REPO = Path(__file__).resolve().parents[2]


def test_tasks_are_found_inside_the_package():
    directory = task_dir()
    assert directory.is_relative_to(REPO / "distill")
    expected = {"aime24", "aime25", "math500", "gpqa_diamond", "toy_arithmetic", "toy_countdown"}
    assert expected <= set(known_tasks(directory))


def test_the_wheel_carries_every_task_yaml(tmp_path):
    # Built from a copy: setuptools writes build/ and *.egg-info next to the sources.
    source = tmp_path / "src"
    shutil.copytree(REPO / "distill", source / "distill", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(tmp_path), str(source)], capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    wheel, = tmp_path.glob("distill-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    inside = TASK_PACKAGE.replace(".", "/")
    shipped = {p.name for p in task_dir().iterdir() if p.suffix in (".yaml", ".py") or p.name == "_r1_protocol_yaml"}
    missing = sorted(name for name in shipped if f"{inside}/{name}" not in names)
    assert not missing, f"not in {wheel.name}: {missing}"

    # Installed from the wheel alone (no source tree, no editable install: -S skips site-packages),
    # distill finds its tasks where the wheel put them.
    site = tmp_path / "site"
    install = [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)]
    installed = subprocess.run(install, capture_output=True, text=True, timeout=600)
    assert installed.returncode == 0, installed.stderr
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); "
             "from distill.evaluate.registry import known_tasks, task_dir; "
             "d = task_dir(); print(d); print(' '.join(known_tasks(d)))")
    found = subprocess.run([sys.executable, "-S", "-c", probe, str(site)], cwd=tmp_path, capture_output=True, text=True,
                           timeout=120)
    assert found.returncode == 0, found.stderr
    where, names = found.stdout.splitlines()
    assert Path(where).is_relative_to(site) and set(names.split()) == set(known_tasks(task_dir()))
