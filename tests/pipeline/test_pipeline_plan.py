"""`distill run` planning: which stages run, which are skipped, and why."""

from __future__ import annotations

import json

import pytest

from distill.errors import DistillError
from distill.pipeline import STAMP, plan, stage_command
from distill.recipe import recipe_from_dict


GENERATE = {"teacher": "some/teacher", "source": {"kind": "toy", "name": "arithmetic"}}


def make_recipe(tmp_path, **sections):
    if "generate" in sections:
        sections["generate"] = GENERATE
    return recipe_from_dict({"seed": 1, "output_dir": str(tmp_path), **sections})


def stamp(recipe, section, status="ok", fingerprint=None):
    out = recipe.stage_dir(section)
    out.mkdir(parents=True, exist_ok=True)
    data = {"status": status, "fingerprint": fingerprint or recipe.section_fingerprint(section)}
    (out / STAMP).write_text(json.dumps(data))


def actions(planned):
    return [(p.stage.name, p.action) for p in planned]


def test_fresh_recipe_runs_every_present_stage_in_order(tmp_path):
    recipe = make_recipe(tmp_path, report={}, generate={}, filter={})
    assert actions(plan(recipe)) == [("generate", "run"), ("filter", "run"), ("report", "run")]


def test_current_stages_are_skipped_and_a_change_reruns_the_rest(tmp_path):
    recipe = make_recipe(tmp_path, generate={}, filter={}, report={})
    for section in ("generate", "filter", "report"):
        stamp(recipe, section)
    assert actions(plan(recipe)) == [("generate", "skip"), ("filter", "skip"), ("report", "skip")]
    stamp(recipe, "filter", fingerprint="stale")
    planned = plan(recipe)
    assert actions(planned) == [("generate", "skip"), ("filter", "run"), ("report", "run")]
    assert planned[1].why == "recipe section changed" and planned[2].why == "an earlier stage ran"


def test_interrupted_stage_reruns(tmp_path):
    recipe = make_recipe(tmp_path, generate={}, filter={})
    stamp(recipe, "generate")
    stamp(recipe, "filter", status="running")
    planned = plan(recipe)
    assert actions(planned) == [("generate", "skip"), ("filter", "run")]
    assert "running" in planned[1].why


def test_from_and_only(tmp_path):
    recipe = make_recipe(tmp_path, generate={}, filter={}, report={})
    for section in ("generate", "filter", "report"):
        stamp(recipe, section)
    assert actions(plan(recipe, from_stage="filter")) == [("generate", "skip"), ("filter", "run"), ("report", "run")]
    assert actions(plan(recipe, only=["generate"])) == [("generate", "run"), ("filter", "skip"), ("report", "skip")]
    with pytest.raises(DistillError, match="'train_student' is not in this recipe"):
        plan(recipe, only=["train_student"])


def test_warmup_section_is_run_by_train_student_under_its_own_name_and_output(tmp_path):
    from distill.cli import build_parser
    from distill.train.sft.stage import COMMAND

    recipe = make_recipe(tmp_path, warmup_teacher={}, train_student={})
    stage = recipe.stage("warmup_teacher")
    assert stage.command == COMMAND and recipe.stage_dir("warmup_teacher") == tmp_path / "warmup_teacher"
    argv = stage_command(recipe, stage, ["seed=3"], redo=True)[3:]
    assert argv == ["train-student", "<recipe>", "--stage", "warmup_teacher", "--set", "seed=3", "--fresh"]
    args = build_parser().parse_args(argv)
    assert args.stage == "warmup_teacher" and args.fresh and args.overrides == ["seed=3"]


@pytest.mark.parametrize("name", ["r1-distill-qwen-1.5b", "r1-distill-qwen-7b"])
def test_real_pipeline_recipes_plan_every_stage_and_chain_outputs(name, tmp_path):
    """The real recipes cannot run here (GPUs, hub); their plan and the hand-offs between stages can."""
    from pathlib import Path

    from distill.recipe import load_recipe

    path = Path(__file__).resolve().parents[2] / "recipes" / name / "pipeline.yaml"
    recipe = load_recipe(path, [f"output_dir={tmp_path}"])
    assert actions(plan(recipe)) == [(s, "run") for s in
                                     ("generate", "filter", "train_student", "train_baseline", "train_on_policy",
                                      "eval", "report")]
    filter_sources = [str(s.path) for s in recipe.section("filter").sources]
    assert str(recipe.stage_dir("generate") / "shards") in filter_sources
    from distill.train.sft.data import resolve_dataset

    assert resolve_dataset(recipe.section("train_student").dataset, recipe) == str(recipe.stage_dir("filter") / "data")
    # R1's comparison: the RL baseline trains on the prompts the teacher's traces came from.
    assert recipe.section("train_baseline").prompts.name == recipe.section("generate").source.name
    models = {str(p) for p in recipe.section("eval").models.values()}
    assert {str(recipe.stage_dir("train_student")), str(recipe.stage_dir("train_baseline"))} <= models
    # SFT then on-policy: from the SFT student, on the baseline's prompts, at the baseline's budget.
    on_policy = recipe.section("train_on_policy")
    assert on_policy.method == "on_policy" and on_policy.model == str(recipe.stage_dir("train_student"))
    assert on_policy.on_policy.prompts.name == recipe.section("train_baseline").prompts.name
    assert on_policy.on_policy.budget.match_stage == str(recipe.stage_dir("train_baseline"))
    assert str(recipe.stage_dir("train_on_policy")) in models
