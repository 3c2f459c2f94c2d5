"""Every shipped recipe validates, TRL options included, and opens with the command that runs it."""

from __future__ import annotations

from pathlib import Path

import pytest

from distill.cli.validate import validate_recipe

REPO = Path(__file__).resolve().parents[2]
# recipes/accelerate/ holds accelerate's own config files, not distill recipes.
RECIPES = sorted(p for p in (REPO / "recipes").rglob("*.yaml") if "accelerate" not in p.parts)


def test_there_are_recipes():
    assert len(RECIPES) >= 20


@pytest.mark.parametrize("path", RECIPES, ids=lambda p: str(p.relative_to(REPO / "recipes")))
def test_recipe_validates_and_says_how_to_run_it(path):
    lines = path.read_text().splitlines()
    opening = [line for line in lines[: next((i for i, l in enumerate(lines) if not l.startswith("#")), len(lines))]]
    assert opening and any("distill " in line for line in opening), f"{path} should open with the command that runs it"
    validate_recipe(str(path), [])
