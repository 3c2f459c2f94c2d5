"""Fuzz the shipped recipes: every mutant loads, or ends in one DistillError line; never a
traceback, never a hang.

Each recipe under recipes/ (the accelerate configs are not distill recipes) is mutated a few times,
seeded: a value replaced by a hostile one (0, -1, 10^40, 1e308, NaN, inf, '../../../../', 5,000
characters, a list or mapping where a scalar goes, null), a key deleted or misspelt, or the text
itself broken (an alias bomb, a self-reference, deep nesting, a stray 0xff byte, a cut-off file, a
tab). A mutant that loads is also turned into what the stages derive from it first (the resolved
recipe, its stage directories and fingerprints), so a value that only breaks later shows here.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
import yaml

from distill.cli.validate import validate_recipe
from distill.errors import DistillError
from distill.recipe import PIPELINE_STAGES

pytestmark = pytest.mark.timeout(120)
REPO = Path(__file__).resolve().parents[2]
RECIPES = sorted(p for p in (REPO / "recipes").rglob("*.yaml") if "accelerate" not in p.parts)
MUTANTS_PER_RECIPE = 8
EVIL = [
    0, -1, -1_000_000_000, 10**40, 1.0e308, -1.0e308, float("nan"), float("inf"), "", "../../../../",
    "x" * 5000, [], {}, None, True, [[["deep"]]], {"a": 1}, "a\x00b", "${output_dir}", 4294967296, 0.5,
]
BOMB = "z0: &z0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"z{i}: &z{i} [" + ", ".join([f"*z{i - 1}"] * 9) + "]\n" for i in range(1, 12))


def _leaves(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, path + (index,))
    yield path


def _set(data, path, value):
    node = data
    for part in path[:-1]:
        node = node[part]
    if value is _DELETE or (value is _MISSPELL and not isinstance(node, dict)):  # a list item has no key to misspell
        del node[path[-1]]
    elif value is _MISSPELL:
        node[str(path[-1]) + "x"] = node.pop(path[-1])
    else:
        node[path[-1]] = value


_DELETE, _MISSPELL = object(), object()


def _data_mutant(text: str, rng: random.Random) -> tuple[str, str]:
    data = yaml.safe_load(text)
    paths = [p for p in _leaves(data) if p]
    path = rng.choice(paths)
    value = rng.choice(EVIL + [_DELETE, _MISSPELL])
    _set(data, path, value)
    label = "delete" if value is _DELETE else "misspell" if value is _MISSPELL else repr(value)[:40]
    return yaml.safe_dump(data, allow_unicode=True), f"{'.'.join(map(str, path))} -> {label}"


def _text_mutant(text: str, rng: random.Random) -> tuple[bytes, str]:
    lines = text.splitlines(keepends=True)
    at = rng.randrange(len(lines))
    kind = rng.choice(["bomb", "self_reference", "deep", "byte", "cut", "tab", "huge_int", "dup_line"])
    if kind == "bomb":
        out = BOMB + text
    elif kind == "self_reference":
        out = text + "loop: &loop {again: *loop}\n"
    elif kind == "deep":
        out = text + "deep: " + "[" * 300 + "]" * 300 + "\n"
    elif kind == "tab":
        out = "".join(lines[:at] + ["\t" + lines[at]] + lines[at + 1:])
    elif kind == "huge_int":
        out = text + "seed: " + "7" * 2000 + "\n"
    elif kind == "dup_line":
        out = "".join(lines[:at + 1] + lines[at:])
    else:
        out = text
    raw = out.encode("utf-8")
    if kind == "byte":
        spot = rng.randrange(len(raw))
        raw = raw[:spot] + b"\xff" + raw[spot + 1:]
    elif kind == "cut":
        raw = raw[: rng.randrange(len(raw))]
    return raw, f"text {kind} at line {at + 1}"


def _mutants():
    rng = random.Random(19)
    for recipe in RECIPES:
        text = recipe.read_text(encoding="utf-8")
        for n in range(MUTANTS_PER_RECIPE):
            if n % 2:
                raw, label = _text_mutant(text, rng)
            else:
                mutated, label = _data_mutant(text, rng)
                raw = mutated.encode("utf-8")
            yield recipe, raw, label


def _use(recipe) -> None:
    """What stages compute from a recipe before any work: none of it may raise."""
    recipe.to_dict()
    for stage in PIPELINE_STAGES:
        if getattr(recipe, stage) is not None:
            recipe.stage_dir(stage)
            recipe.section_fingerprint(stage)


def test_shipped_recipes_load_unmutated():
    assert len(RECIPES) >= 15
    for path in RECIPES:
        _use(validate_recipe(str(path), [], deep=False))


def test_mutated_recipes_load_or_end_in_one_line(tmp_path):
    failures, outcomes = [], {"ok": 0, "refused": 0}
    for index, (recipe, raw, label) in enumerate(_mutants()):
        path = tmp_path / f"{index:03d}-{recipe.stem}.yaml"
        path.write_bytes(raw)
        started = time.monotonic()
        try:
            _use(validate_recipe(str(path), [], deep=False))
            outcomes["ok"] += 1
        except DistillError as exc:
            message = str(exc)
            if "\n" in message or not message or len(message) > 1000:
                failures.append(f"{recipe.name} [{label}]: not one line: {message[:200]!r}")
            outcomes["refused"] += 1
        except BaseException as exc:  # noqa: BLE001 - the point is to catch anything
            failures.append(f"{recipe.name} [{label}]: {type(exc).__name__}: {str(exc)[:200]}")
        seconds = time.monotonic() - started
        if seconds > 3:
            failures.append(f"{recipe.name} [{label}]: took {seconds:.1f} s")
    assert not failures, "\n".join(failures)
    assert outcomes["refused"] > outcomes["ok"] > 0  # the mutations bite, and some stay valid
