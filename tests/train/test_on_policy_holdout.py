"""Held-out accuracy during on-policy distillation (`on_policy.eval_holdout`): the recipe keys, the
split (held-out prompts never trained on), and one real run through `distill train-student` (TRL's
DistillationTrainer, tiny Llama student, tiny Qwen2 teacher) where `holdout/accuracy` lands in
metrics.jsonl at step 0, every `every_steps` steps and the last step, beside TRL's own eval_loss."""

import json

import pytest
import yaml

from distill.cli import main
from distill.errors import ConfigError, DistillError
from distill.recipe import recipe_from_dict

PROMPTS = {"kind": "toy", "name": "arithmetic", "limit": 16}


def section(**on_policy):
    data = {"method": "on_policy", "model": "m", "on_policy": {"teacher": "t", "prompts": PROMPTS, **on_policy}}
    return recipe_from_dict({"train_student": data}, file="r.yaml").train_student


def test_holdout_keys_are_checked_in_one_line():
    assert section(eval_holdout={"prompts": 4}).on_policy.eval_holdout.every_steps == 25
    source = section(eval_holdout={"prompts": {"kind": "toy", "name": "arithmetic", "limit": 3}})
    assert source.on_policy.eval_holdout.prompts.limit == 3
    cases = [({"prompts": 0}, "a count >= 1"),
             ({"prompts": "x"}, "a count of training prompts to hold out, or a source"),
             ({"prompts": {"kind": "toy", "nme": "x"}}, "eval_holdout.prompts: unknown key 'nme'; did you mean 'name'"),
             ({"prompts": 2, "every_steps": 0}, "every_steps must be >= 1"),
             ({"prompt": 2}, "unknown key 'train_student.on_policy.eval_holdout.prompt'; did you mean 'prompts'")]
    for holdout, message in cases:
        with pytest.raises(ConfigError, match=message) as info:
            section(eval_holdout=holdout)
        assert "\n" not in str(info.value) and str(info.value).startswith("r.yaml")


def test_trl_eval_strategy_needs_the_holdout():
    cfg = section(distillation={"eval_strategy": "steps", "eval_steps": 2})
    with pytest.raises(ConfigError, match="distillation.eval_strategy' evaluates on held-out prompts; set"):
        cfg.validate(file="r.yaml", path="train_student")
    section(eval_holdout={"prompts": 2}, distillation={"eval_strategy": "steps", "eval_steps": 2}).validate(
        file="r.yaml", path="train_student")


def test_held_out_prompts_are_taken_out_of_training():
    from distill.train.grpo.data import build_dataset
    from distill.train.on_policy_holdout import split_prompts

    cfg = section(eval_holdout={"prompts": 4}).on_policy
    dataset, _ = build_dataset(cfg, seed=0)
    train, held, counts = split_prompts(dataset, cfg, seed=0)
    assert len(train) == 12 and len(held) == 4 and not set(train["id"]) & set(held["id"])
    assert counts == {"from": "training prompts", "held_out": 4, "removed_from_training": 4, "training": 12}
    assert split_prompts(dataset, cfg, seed=0)[1]["id"] == held["id"]  # seeded: a rerun holds out the same
    # A separate source: the training prompts it shares (toy arithmetic's first 5 of the same seed) leave training.
    cfg = section(eval_holdout={"prompts": {"kind": "toy", "name": "arithmetic", "limit": 5}}).on_policy
    train, held, counts = split_prompts(dataset, cfg, seed=0)
    assert len(held) == 5 and counts["removed_from_training"] == 5 and len(train) == 11
    assert not {json.dumps(p) for p in train["prompt"]} & {json.dumps(p) for p in held["prompt"]}
    with pytest.raises(DistillError, match="holding out 16 of the 16 training prompts leaves none to train on"):
        split_prompts(dataset, section(eval_holdout={"prompts": 16}).on_policy, seed=0)


@pytest.fixture(scope="module")
def holdout_run(tiny_llama_dir, tiny_qwen_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("holdout")
    recipe = {"seed": 0, "output_dir": str(root / "run"), "train_student": {
        "method": "on_policy", "model": str(tiny_llama_dir),
        "on_policy": {"teacher": str(tiny_qwen_dir), "prompts": PROMPTS,
                      "eval_holdout": {"prompts": 4, "every_steps": 2, "max_new_tokens": 8},
                      "distillation": {"max_steps": 3, "per_device_train_batch_size": 4, "max_completion_length": 8,
                                       "save_strategy": "no", "eval_strategy": "steps", "eval_steps": 2,
                                       "per_device_eval_batch_size": 4}}}}
    (root / "r.yaml").write_text(yaml.safe_dump(recipe))
    assert main(["train-student", str(root / "r.yaml")]) == 0
    return root / "run" / "train_student"


def test_holdout_accuracy_is_logged_at_the_expected_steps(holdout_run):
    from distill.train.on_policy_plot import read_holdout, read_metrics

    rows = read_holdout(holdout_run / "metrics.jsonl")
    assert [r["step"] for r in rows] == [0, 2, 3]  # before training, every 2 steps, the last step
    for row in rows:
        assert 0.0 <= row["holdout/accuracy"] <= 1.0 and row["holdout/scored"] == 4
        assert 0 < row["holdout/mean_length"] <= 8
    # The steps it rides on are the training steps' own log rows (divergence, length, budget as well).
    assert all("loss" in r and "budget/generated_tokens" in r for r in rows[1:])
    assert [r["step"] for r in read_metrics(holdout_run / "metrics.jsonl")] == [1, 2, 3]
    # TRL's own eval loop on the same held-out prompts: the divergence there, at eval_steps and (as
    # transformers does with eval_strategy: steps) at the last step.
    evals = [json.loads(line) for line in (holdout_run / "metrics.jsonl").read_text().splitlines()
             if "eval_loss" in line]
    assert [e["step"] for e in evals] == [2, 3]


def test_holdout_is_recorded_and_excluded_from_training(holdout_run):
    manifest = json.loads((holdout_run / "manifest.json").read_text())
    assert manifest["counts"]["holdout"] == {"from": "training prompts", "held_out": 4, "removed_from_training": 4,
                                             "training": 12}
    held = [json.loads(line) for line in (holdout_run / "holdout_prompts.jsonl").read_text().splitlines()]
    assert len(held) == 4 and all(row["answer"] for row in held)
    # The very rows split_prompts holds out (and keeps out of its training rows) for this recipe and seed.
    from distill.train.grpo.data import build_dataset
    from distill.train.on_policy_holdout import split_prompts

    cfg = section(eval_holdout={"prompts": 4}).on_policy
    train, expected, _ = split_prompts(build_dataset(cfg, seed=0)[0], cfg, seed=0)
    assert [row["id"] for row in held] == expected["id"] and not set(expected["id"]) & set(train["id"])
    summary = manifest["training"]["holdout"]
    assert summary["prompts"] == 4 and summary["first"]["step"] == 0 and summary["final"]["step"] == 3
    assert 0 < summary["generated_tokens"] <= 3 * 4 * 8
    # The greedy answers are not training compute: the budget's count is the training samples' alone.
    assert manifest["counts"]["generated_tokens"] <= 3 * 4 * 8
    assert (holdout_run / "training_curves.png").is_file()
