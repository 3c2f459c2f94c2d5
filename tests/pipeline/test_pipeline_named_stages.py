"""Named stages: a recipe's `stages:` list, `${stages.NAME}`, and `distill run` per named stage
(plan, --from/--only, reference errors, two train-student stages in one recipe)."""

from __future__ import annotations

import json

import pytest
import yaml

from distill.cli import main
from distill.errors import ConfigError, DistillError
from distill.pipeline import STAMP, plan, stage_command
from distill.recipe import load_recipe, recipe_from_dict
from distill.stage_contract import default_input, trained_models

GENERATE = {"teacher": "some/teacher", "source": {"kind": "toy", "name": "arithmetic"}}
# SFT, then GRPO on the student: two train-student stages and a train-teacher one in one recipe.
TWO_STUDENTS = {
    "seed": 1,
    "stages": [
        {"name": "cold_start", "command": "train-student"},
        {"name": "rl", "command": "train-teacher"},
        {"name": "traces", "command": "generate"},
        {"name": "clean", "command": "filter"},
        {"name": "distilled", "command": "train-student", "section": "student_sft"},
        {"name": "scores", "command": "eval"},
    ],
    "cold_start": {"model": "base/model", "dataset": "cold.jsonl"},
    "rl": {"model": "${stages.cold_start}", "prompts": {"kind": "toy", "name": "arithmetic"}},
    "traces": {"teacher": "${stages.rl}", "source": {"kind": "toy", "name": "arithmetic"}},
    "clean": {},
    "student_sft": {"model": "small/model"},
    "scores": {},
}


def named(tmp_path, **changes):
    return recipe_from_dict({**TWO_STUDENTS, "output_dir": str(tmp_path), **changes})


def stamp(recipe, name, status="ok"):
    out = recipe.stage_dir(name)
    out.mkdir(parents=True, exist_ok=True)
    (out / STAMP).write_text(json.dumps({"status": status, "fingerprint": recipe.section_fingerprint(name)}))


def actions(planned):
    return [(p.stage.name, p.action) for p in planned]


def test_stages_run_in_the_listed_order_each_in_its_own_directory(tmp_path):
    recipe = named(tmp_path)
    assert [(s.name, s.command, s.section) for s in recipe.stage_list()][-2:] == [
        ("distilled", "train-student", "student_sft"), ("scores", "eval", "scores")]
    assert actions(plan(recipe)) == [(s["name"], "run") for s in TWO_STUDENTS["stages"]]
    assert recipe.stage_dir("distilled") == tmp_path / "distilled"
    # ${stages.NAME} is that stage's output directory
    assert recipe.section("rl").model == str(tmp_path / "cold_start")
    assert recipe.section("traces").teacher == str(tmp_path / "rl")
    assert recipe.section("cold_start").dataset == "cold.jsonl" and recipe.section("distilled").model == "small/model"


def test_a_stage_reads_the_last_earlier_stage_of_the_command_it_needs(tmp_path):
    recipe = named(tmp_path)
    assert default_input(recipe, "clean", "filter", "traces") == str(tmp_path / "traces")
    assert default_input(recipe, "distilled", "train-student", "dataset") == str(tmp_path / "clean")
    from distill.train.sft.data import resolve_dataset

    assert resolve_dataset("", recipe, "distilled") == str(tmp_path / "clean" / "data")
    # eval's default models: every earlier training stage, by name
    assert trained_models(recipe, "scores", "eval", "models") == {n: str(tmp_path / n) for n in ("cold_start", "rl", "distilled")}


def test_two_train_student_stages_have_their_own_fingerprints(tmp_path):
    recipe = named(tmp_path)
    for name in ("cold_start", "rl", "traces", "clean", "distilled", "scores"):
        stamp(recipe, name)
    assert all(action == "skip" for _, action in actions(plan(recipe)))
    changed = named(tmp_path, student_sft={"model": "other/small"})
    assert changed.section_fingerprint("cold_start") == recipe.section_fingerprint("cold_start")
    assert actions(plan(changed))[-2:] == [("distilled", "run"), ("scores", "run")]
    assert plan(changed)[4].why == "recipe section changed"


def test_from_and_only_by_stage_name(tmp_path):
    recipe = named(tmp_path)
    for name in ("cold_start", "rl", "traces", "clean", "distilled", "scores"):
        stamp(recipe, name)
    assert actions(plan(recipe, from_stage="clean")) == [
        ("cold_start", "skip"), ("rl", "skip"), ("traces", "skip"), ("clean", "run"), ("distilled", "run"),
        ("scores", "run")]
    only = plan(recipe, only=["cold_start", "distilled"])
    assert [a for _, a in actions(only)] == ["run", "skip", "skip", "skip", "run", "skip"]
    assert only[0].redo and only[4].redo  # a selected stage is redone: the command gets its redo flag
    assert stage_command(recipe, only[4].stage, [], redo=True)[3:] == [
        "train-student", "<recipe>", "--stage", "distilled", "--fresh"]
    with pytest.raises(DistillError, match="'train_student' is not in this recipe; its stages: cold_start, rl"):
        plan(recipe, only=["train_student"])


@pytest.mark.parametrize("change, message", [
    ({"rl": {"model": "${stages.nowhere}"}}, r"key 'rl.model': \$\{stages.nowhere\} names no stage"),
    ({"rl": {"model": "${stages.cold_strat}"}}, "did you mean 'cold_start'"),
    ({"cold_start": {"model": "${stages.rl}"}}, r"key 'cold_start.model': \$\{stages.rl\} is not an earlier stage"),
    ({"rl": {"model": "${stages.rl}"}}, r"\$\{stages.rl\} is not an earlier stage than 'rl'"),
    ({"output_dir": "${stages.rl}"}, r"key 'output_dir': \$\{stages.rl\} is allowed only inside a stage's section"),
])
def test_a_reference_to_an_unknown_or_later_stage_is_one_line_naming_the_key(tmp_path, change, message):
    data = {**TWO_STUDENTS, "output_dir": str(tmp_path), **change}
    with pytest.raises(ConfigError, match=message):
        recipe_from_dict(data, "r.yaml")


def _with_stage(index: int, **entry) -> dict:
    stages = [dict(s) for s in TWO_STUDENTS["stages"]]
    stages[index] = {**stages[index], **entry}
    return {**TWO_STUDENTS, "stages": stages}


@pytest.mark.parametrize("data, message", [
    (_with_stage(1, command="train-techer"), r"key 'stages\[1\].command': 'train-techer' is not a stage command; "
                                             "did you mean 'train-teacher'"),
    (_with_stage(1, name="cold_start"), r"key 'stages\[1\].name': stage 'cold_start' is named twice \(also stages\[0\]\)"),
    (_with_stage(4, section="student_dft"), r"key 'stages\[4\].section': the recipe has no section 'student_dft'"),
    (_with_stage(4, section="cold_start"), r"section 'cold_start' is read by stages\[0\] too"),
    (_with_stage(1, name="a/b"), r"'a/b' is not a stage name"),
    ({**TWO_STUDENTS, "filter": {}}, r"key 'filter': no stage in 'stages:' reads this section"),
    ({**TWO_STUDENTS, "stages": [{"name": "generate", "command": "filter"}], "generate": GENERATE},
     r"section 'generate' is a generate section, not a filter one"),
    ({**TWO_STUDENTS, "cold_start": {"model": "m", "lr": 1}}, r"cold_start"),  # the section's own schema
])
def test_a_bad_stage_list_is_one_line_naming_the_key(data, message):
    with pytest.raises(ConfigError, match=message):
        recipe_from_dict(data, "r.yaml")


def test_validate_checks_the_stage_list_and_its_references(tmp_path, capsys):
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(yaml.safe_dump({**TWO_STUDENTS, "output_dir": str(tmp_path)}))
    bad.write_text(yaml.safe_dump({**TWO_STUDENTS, "traces": {**TWO_STUDENTS["traces"], "teacher": "${stages.scores}"}}))
    assert main(["validate", "--shallow", str(good)]) == 0
    assert main(["validate", "--shallow", str(bad)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "key 'traces.teacher'" in err[0] and "not an earlier stage than 'traces'" in err[0]


def test_a_command_refuses_a_stage_another_command_runs(tmp_path, capsys):
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump({**TWO_STUDENTS, "output_dir": str(tmp_path)}))
    assert main(["filter", str(path), "--stage", "rl"]) != 0
    assert "stage 'rl' is a train-teacher stage; run it with `distill train-teacher`" in capsys.readouterr().err
    assert main(["filter", str(path)]) != 0  # no --stage: the fixed 'filter' section, which this recipe has not
    assert "no stage 'filter' in its stages: cold_start (train-student), rl (train-teacher)" in capsys.readouterr().err
    assert main(["train-teacher", str(path)]) != 0  # a command that does not edit the section from flags
    err = capsys.readouterr().err
    assert "needs a 'train_teacher' section" in err and "(pick one with --stage NAME)" in err


def test_without_a_stage_list_the_fixed_sections_are_the_stages(tmp_path):
    recipe = recipe_from_dict({"output_dir": str(tmp_path), "generate": GENERATE, "filter": {}, "report": {}})
    assert [(s.name, s.command) for s in recipe.stage_list()] == [
        ("generate", "generate"), ("filter", "filter"), ("report", "report")]
    assert "stages" not in recipe.to_dict()  # resolved recipes read as before named stages existed
    shorthand = recipe_from_dict({"output_dir": str(tmp_path), "generate": GENERATE,
                                  "filter": {"sources": [{"path": "${stages.generate}/shards"}]}})
    assert shorthand.section("filter").sources[0].path == str(tmp_path / "generate" / "shards")


def test_the_resolved_recipe_of_a_named_stage_loads_again(tmp_path):
    recipe = named(tmp_path)
    path = tmp_path / "resolved.yaml"
    path.write_text(yaml.safe_dump(recipe.to_dict(), sort_keys=False))
    again = load_recipe(path)
    assert [s.name for s in again.stage_list()] == [s.name for s in recipe.stage_list()]
    assert all(again.section_fingerprint(s.name) == recipe.section_fingerprint(s.name) for s in recipe.stage_list())
