"""A real GRPO run (TRL GRPOTrainer, tiny Qwen2, toy arithmetic) through `distill train-baseline`:
outputs, metrics, resume with the budget carried over, a raising reward, the CLI.

One module-scoped run in two parts keeps this under a minute on two cores:
part 1 trains 2 steps (checkpoints 1 and 2); part 2 resumes with a token budget that part 1 has
nearly spent, so it must restore the count from the checkpoint and stop after one more step.
"""

import json

import pytest
import yaml

from distill.cli import main

GRPO = {"num_generations": 2, "per_device_train_batch_size": 4, "max_completion_length": 12,
        "learning_rate": 1.0e-4, "beta": 0.0, "save_steps": 1}


def write_recipe(path, model_dir, out_dir, **grpo):
    recipe = {
        "seed": 0, "output_dir": str(out_dir),
        "train_baseline": {
            "model": str(model_dir),
            "prompts": {"kind": "toy", "name": "arithmetic", "limit": 8},
            "template": "plain",
            "rewards": {"accuracy": 1.0, "format": 0.2, "overlong": 0.1},
            "grpo": {**GRPO, **grpo},
        },
    }
    path.write_text(yaml.safe_dump(recipe))
    return path


def metrics(stage_dir):
    """Training-step rows (the file also holds the end-of-train summary), one per step."""
    from distill.train.grpo.plot import read_metrics

    return read_metrics(stage_dir / "metrics.jsonl")


def raising_overlong(ctx):
    """The overlong reward, except that it raises on every row whose answer is below 10."""
    from distill.train.rewards.overlong import make_overlong_reward

    inner = make_overlong_reward(ctx.max_completion_length, 4)

    def overlong(prompts, completions, answer, **kwargs):
        if any(int(a) < 10 for a in answer):
            raise ValueError("small answer")
        return inner(prompts, completions, answer=answer, **kwargs)

    return overlong


@pytest.fixture(scope="module")
def two_part_run(tiny_qwen_dir, tmp_path_factory):
    from distill.train import rewards

    root = tmp_path_factory.mktemp("grpo")
    stage = root / "run" / "train_baseline"
    recipe = write_recipe(root / "r.yaml", tiny_qwen_dir, root / "run", max_steps=2)
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(rewards.REGISTRY, "overlong", raising_overlong)
        assert main(["train-baseline", str(recipe)]) == 0
    part1 = json.loads((stage / "manifest.json").read_text())
    tokens = part1["counts"]["generated_tokens"]
    # Part 2: room for 10 more steps, but only 1 token of budget left.
    budget = ["--set", f"train_baseline.budget.max_generated_tokens={tokens + 1}"]
    assert main(["train-baseline", str(write_recipe(root / "r2.yaml", tiny_qwen_dir, root / "run", max_steps=12))] + budget) == 0
    part2 = json.loads((stage / "manifest.json").read_text())
    return stage, part1, part2


def test_outputs_model_tokenizer_manifest_plot(two_part_run):
    stage, part1, _ = two_part_run
    for name in ("config.json", "model.safetensors", "tokenizer.json", "recipe.resolved.yaml", "training_curves.png"):
        assert (stage / name).is_file(), name
    assert part1["status"] == "ok" and part1["counts"]["steps"] == 2
    assert part1["counts"]["prompts"]["read"] == part1["counts"]["prompts"]["kept"] == 8
    # 2 steps x 4 completions, each at most max_completion_length tokens
    assert 0 < part1["counts"]["generated_tokens"] <= 2 * 4 * 12
    assert (stage / "training_curves.png").read_bytes()[:4] == b"\x89PNG"


def test_metrics_per_step_have_each_reward_length_and_reflection(two_part_run):
    stage, _, _ = two_part_run
    rows = metrics(stage)
    for key in ("rewards/accuracy/mean", "rewards/format/mean", "rewards/overlong/mean",
                "rewards/reflection/mean", "completions/mean_length", "budget/generated_tokens",
                "reflection/phrases_per_completion"):
        assert all(key in row for row in rows), key
    assert [row["step"] for row in rows] == [1, 2, 3]
    assert all(-1.0 <= row["rewards/overlong/mean"] <= 0.0 for row in rows)


def test_a_reward_raising_on_some_samples_scores_them_zero_and_the_run_goes_on(two_part_run):
    stage, part1, _ = two_part_run
    rows = metrics(stage)[:2]  # part 1 ran the raising reward
    assert part1["status"] == "ok"
    # 5 of the 8 prompts have answers below 10 and 4 prompts were drawn, so some samples raised...
    assert sum(row["reward_errors/overlong"] for row in rows) > 0
    # ...and scored 0 (the rest score <= 0), so the mean stays a number
    assert all(-1.0 <= row["rewards/overlong/mean"] <= 0.0 for row in rows)


def test_resume_continues_and_budget_survives_it(two_part_run):
    _, part1, part2 = two_part_run
    training = part2["training"]
    assert training["resumed_from"].endswith("checkpoint-2")
    assert training["steps"] == 3  # one step after the resume, then the budget stopped it
    assert training["stopped_by_budget"].startswith("max_generated_tokens=")
    assert training["generated_tokens"] > part1["counts"]["generated_tokens"]


def test_resume_flag_without_checkpoint_is_one_line_error(tiny_qwen_dir, tmp_path, capsys):
    recipe = write_recipe(tmp_path / "r.yaml", tiny_qwen_dir, tmp_path / "fresh", max_steps=1)
    assert main(["train-baseline", str(recipe), "--resume"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("distill train-baseline: error: --resume: no checkpoint-*") and "\n" not in err
