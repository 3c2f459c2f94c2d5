"""Compute matching: the budget limits, including `match_generate` read from a generate manifest."""

import json

import pytest

from distill.errors import ConfigError, DistillError
from distill.recipe import recipe_from_dict
from distill.train.grpo.trainer import resolve_budget
from distill.train.grpo.callbacks import BudgetCallback


def section(budget):
    return recipe_from_dict({"train_baseline": {
        "model": "m", "prompts": {"kind": "toy", "name": "arithmetic"}, "budget": budget}}).train_baseline


def test_match_generate_reads_the_teachers_completion_tokens(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps(
        {"stage": "generate", "status": "ok", "counts": {"samples": 128, "completion_tokens": 51234}}))
    limits = resolve_budget(section({"match_generate": str(tmp_path), "max_gpu_hours": 2.0}))
    assert limits == {"max_generated_tokens": 51234, "max_wall_hours": None, "max_gpu_hours": 2.0}


def test_match_generate_errors(tmp_path):
    with pytest.raises(DistillError, match="cannot read"):
        resolve_budget(section({"match_generate": str(tmp_path / "nowhere")}))
    (tmp_path / "manifest.json").write_text(json.dumps({"stage": "filter", "counts": {}}))
    with pytest.raises(DistillError, match="not a finished `distill generate` manifest"):
        resolve_budget(section({"match_generate": str(tmp_path / "manifest.json")}))
    with pytest.raises(ConfigError, match="not both"):
        section({"match_generate": str(tmp_path), "max_generated_tokens": 5})


class State:
    global_step = 3


class Control:
    should_training_stop = False
    should_save = False


def test_budget_callback_stops_on_tokens_and_wall_time():
    budget = BudgetCallback(max_generated_tokens=100)
    budget.tracker.add(60)
    control = budget.on_step_end(None, State(), Control())
    assert not control.should_training_stop
    budget.tracker.add(40)
    control = budget.on_step_end(None, State(), Control())
    assert control.should_training_stop and control.should_save
    assert budget.stopped_by == "max_generated_tokens=100"
    timed = BudgetCallback(max_wall_hours=0.0)
    assert timed.on_step_end(None, State(), Control()).should_training_stop
    assert timed.stopped_by == "max_wall_hours=0.0"
