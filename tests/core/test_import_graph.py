"""distill's modules form no import cycle, each imports alone, and `distill.core` imports nothing
else of distill (so every stage can use it without pulling another stage in)."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.core.module_graph import ROOT, all_modules, cycle_path, cycles, graph


def test_no_import_cycles_among_distills_modules():
    g = graph()
    found = [" -> ".join(cycle_path(g, component)) for component in cycles(g)]
    assert not found, "import cycles (deferred imports count):\n" + "\n".join(found)


def test_the_cycle_check_finds_a_cycle():
    g = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(g) == [["a", "b", "c"]]
    assert cycle_path(g, ["a", "b", "c"]) == ["a", "b", "c", "a"]


def test_core_imports_nothing_else_of_distill():
    g = graph()
    outside = {name: sorted(t for t in targets if not t.startswith("distill.core"))
               for name, targets in g.items() if name.startswith("distill.core")}
    assert not {name: t for name, t in outside.items() if t}


def _import_alone(name: str) -> tuple[str, int, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", f"import {name}"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    return name, done.returncode, done.stderr.strip().splitlines()[-1:] and done.stderr.strip().splitlines()[-1]


@pytest.mark.slow  # ~180 interpreters: 2 min on a loaded 2-core machine
def test_every_module_imports_alone_in_a_fresh_interpreter():
    names = list(all_modules())
    with ThreadPoolExecutor(max_workers=4) as pool:
        failed = [(n, err) for n, rc, err in pool.map(_import_alone, names) if rc != 0]
    assert not failed, "\n".join(f"{n}: {err}" for n, err in failed)
