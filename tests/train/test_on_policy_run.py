"""On-policy distillation through `distill train-student` (method: on_policy, TRL's real
DistillationTrainer) with a tiny Llama student and a tiny Qwen2 teacher on one toy tokenizer.

One module-scoped run in two parts keeps this under a minute on two cores: part 1 trains 2 steps
(checkpoints 1 and 2); part 2 resumes with a generated-token budget that part 1 has nearly spent, so
it must restore the count from the checkpoint and stop one step later. That the student moves
toward the teacher takes more steps (24): the last test, marked slow (about two minutes here).
"""

import json

import pytest
import yaml

from distill.cli import main

DISTILLATION = {"per_device_train_batch_size": 4, "max_completion_length": 16, "learning_rate": 3.0e-3,
                "lr_scheduler_type": "constant", "beta": 1.0, "temperature": 1.0, "save_steps": 1}


def write_recipe(path, student, teacher, out_dir, **distillation):
    recipe = {
        "seed": 0, "output_dir": str(out_dir),
        "train_student": {
            "method": "on_policy",
            "model": str(student),
            "on_policy": {
                "teacher": str(teacher),
                "prompts": {"kind": "toy", "name": "arithmetic", "limit": 16},
                "template": "chat",
                "distillation": {**DISTILLATION, **distillation},
            },
        },
    }
    path.write_text(yaml.safe_dump(recipe))
    return path


@pytest.fixture(scope="module")
def sharp_teacher(tiny_qwen_dir, tmp_path_factory):
    """The tiny Qwen2 with its final norm scaled up: peaked next-token distributions, far from the
    near-uniform random student, so moving toward it is measurable."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out = tmp_path_factory.mktemp("teacher") / "sharp"
    model = AutoModelForCausalLM.from_pretrained(tiny_qwen_dir)
    with torch.no_grad():
        model.model.norm.weight.mul_(8.0)
    model.save_pretrained(out)
    AutoTokenizer.from_pretrained(tiny_qwen_dir).save_pretrained(out)
    return out


def reverse_kl(student_dir, teacher_dir) -> float:
    """The objective itself, measured apart from the trainer: KL(student || teacher) per completion
    token, over the full vocabulary, on completions the student samples (seeded) to fixed prompts."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(teacher_dir)
    tok.padding_side = "left"
    prompts = [tok.apply_chat_template([{"role": "user", "content": f"What is {a} + {b}?"}], tokenize=False,
                                       add_generation_prompt=True) for a, b in [(3, 4), (12, 9), (7, 30), (25, 25)]]
    batch = tok(prompts, return_tensors="pt", padding=True)
    student = AutoModelForCausalLM.from_pretrained(student_dir).eval()
    teacher = AutoModelForCausalLM.from_pretrained(teacher_dir).eval()
    torch.manual_seed(0)
    with torch.no_grad():
        ids = student.generate(**batch, do_sample=True, max_new_tokens=16, num_return_sequences=4,
                               pad_token_id=tok.pad_token_id)
        mask = (ids != tok.pad_token_id).long()
        s = torch.log_softmax(student(input_ids=ids, attention_mask=mask).logits, -1)
        t = torch.log_softmax(teacher(input_ids=ids, attention_mask=mask).logits, -1)
    kl = (s.exp() * (s - t)).sum(-1)[:, batch["input_ids"].shape[1] - 1:-1]  # positions predicting completion tokens
    keep = mask[:, batch["input_ids"].shape[1]:].bool()
    return float(kl[keep].mean())


@pytest.fixture(scope="module")
def two_part_run(tiny_llama_dir, sharp_teacher, tmp_path_factory):
    root = tmp_path_factory.mktemp("on_policy")
    stage = root / "run" / "train_student"
    recipe = write_recipe(root / "r.yaml", tiny_llama_dir, sharp_teacher, root / "run", max_steps=2)
    assert main(["train-student", str(recipe)]) == 0
    part1 = json.loads((stage / "manifest.json").read_text())
    tokens = part1["counts"]["generated_tokens"]
    recipe2 = write_recipe(root / "r2.yaml", tiny_llama_dir, sharp_teacher, root / "run", max_steps=12)
    assert main(["train-student", str(recipe2), "--set",
                 f"train_student.on_policy.budget.max_generated_tokens={tokens + 1}"]) == 0
    part2 = json.loads((stage / "manifest.json").read_text())
    return stage, part1, part2


def test_outputs_model_tokenizer_manifest_metrics_plot(two_part_run):
    stage, part1, _ = two_part_run
    for name in ("config.json", "model.safetensors", "tokenizer.json", "training_curves.png", "metrics.jsonl"):
        assert (stage / name).is_file(), name
    assert part1["status"] == "ok" and part1["method"] == "on_policy"
    assert part1["counts"]["steps"] == 2
    assert part1["counts"]["prompts"]["read"] == part1["counts"]["prompts"]["kept"] == 16
    # 2 steps x 4 completions, each at most max_completion_length tokens; prompts count as trained too
    assert 0 < part1["counts"]["generated_tokens"] <= 2 * 4 * 16 < part1["counts"]["train_tokens"]
    assert part1["training"]["teacher"].endswith("sharp") and part1["training"]["beta"] == 1.0


def test_metrics_have_divergence_length_and_budget_per_step(two_part_run):
    from distill.train.on_policy_plot import read_metrics

    stage, _, _ = two_part_run
    rows = read_metrics(stage / "metrics.jsonl")
    assert [row["step"] for row in rows] == [1, 2, 3]
    for key in ("loss", "completions/mean_length", "budget/generated_tokens", "entropy"):
        assert all(key in row for row in rows), key
    # distill's count (completion masks in compute_loss) agrees with what TRL itself logs: the mean
    # completion length of each step's 4 samples.
    spent = 0
    for row in rows[:2]:  # part 1 (part 2 resumes at step 3 with its count restored)
        spent += round(row["completions/mean_length"] * 4)
        assert row["budget/generated_tokens"] == spent


def test_resume_continues_and_the_budget_stops_it(two_part_run):
    _, part1, part2 = two_part_run
    training = part2["training"]
    assert training["resumed_from"].endswith("checkpoint-2")
    assert training["steps"] == 3  # one step after the resume, then the budget stopped it
    assert training["stopped_by_budget"].startswith("max_generated_tokens=")
    assert training["generated_tokens"] > part1["counts"]["generated_tokens"]


@pytest.mark.slow
def test_the_student_moves_toward_the_teacher(tiny_llama_dir, sharp_teacher, tmp_path):
    """24 steps of reverse KL on the student's own samples more than halve that divergence, measured
    apart from the trainer on fresh seeded samples (4.64 -> 1.40 nats per token when written)."""
    recipe = write_recipe(tmp_path / "r.yaml", tiny_llama_dir, sharp_teacher, tmp_path / "run", max_steps=24,
                          save_strategy="no")
    assert main(["train-student", str(recipe)]) == 0
    before = reverse_kl(tiny_llama_dir, sharp_teacher)
    after = reverse_kl(tmp_path / "run" / "train_student", sharp_teacher)
    assert after < 0.5 * before, (before, after)
