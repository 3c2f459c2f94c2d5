"""GRPO learns: on a toy task the accuracy reward of the last steps beats the first steps.

A random tiny model would not learn anything in CPU minutes, so it is first warm-started with a
short SFT (plain torch loop) on the toy reference solutions of 8 problems, each also shown twice
with a wrong boxed answer (off by one and by two). The warm model writes the worked steps reliably
but boxes the right answer only about a third of the time. GRPO on the same prompts at temperature
1 must then move that choice towards the right answer, driven only by the shared verifier's
reward: the "RL sharpens pass@1" effect in miniature. Everything is seeded.

About 16 s on an idle 2-core machine (minutes when other jobs load it), so it is in the default suite.
"""

import json

import torch
import yaml

from distill.cli import main

# 8 toy problems without the instruction line (shorter sequences: a faster warm start); GRPO reads
# the same records from a JSONL prompt file.
PROBLEMS = dict(task="arithmetic", split="train", n=8, seed=0, difficulty=1, instruction="")
SFT_STEPS = 140
SFT_LR = 1e-3


def variants(record):
    """The reference solution and two with a wrong boxed answer."""
    right = record["answer"]
    return [record["solution"]] + [record["solution"].replace("\\boxed{" + right + "}", "\\boxed{" + str(int(right) + d) + "}")
                                   for d in (1, 2)]


def warm_start(model_dir, out_dir):
    """SFT on the reference solutions (prompt tokens masked), the way a cold start would."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from distill.toy.tasks import make_problems

    torch.manual_seed(0)
    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir)
    ids, labels = [], []
    for record in make_problems(**PROBLEMS):
        prompt = tok(record["problem"]).input_ids
        for solution in variants(record):
            completion = tok(solution).input_ids + [tok.eos_token_id]
            ids.append(prompt + completion)
            labels.append([-100] * len(prompt) + completion)
    width = max(map(len, ids))
    input_ids = torch.tensor([x + [tok.pad_token_id] * (width - len(x)) for x in ids])
    label_ids = torch.tensor([x + [-100] * (width - len(x)) for x in labels])
    mask = (input_ids != tok.pad_token_id).long()
    optimizer = torch.optim.AdamW(model.parameters(), lr=SFT_LR)
    model.train()
    for _ in range(SFT_STEPS):
        model(input_ids=input_ids, attention_mask=mask, labels=label_ids).loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    model.save_pretrained(out_dir)
    tok.save_pretrained(out_dir)
    return out_dir


def test_grpo_raises_accuracy_on_toy_task(tiny_qwen_dir, tmp_path):
    from distill.toy.tasks import write_problems

    warm = warm_start(tiny_qwen_dir, tmp_path / "warm")
    prompts = write_problems(tmp_path / "prompts.jsonl", **PROBLEMS)
    recipe = {
        "seed": 0, "output_dir": str(tmp_path / "run"),
        "train_baseline": {
            "model": str(warm),
            "prompts": {"kind": "files", "name": str(prompts)},
            "template": "plain",
            "rewards": {"accuracy": 1.0},
            "plot": False,
            # Every step sees all 8 prompts x 8 samples: a steady gradient and a per-step accuracy
            # averaged over 64 samples, so the test is not at the mercy of which prompts were drawn.
            "grpo": {"num_generations": 8, "per_device_train_batch_size": 64, "max_completion_length": 32,
                     "temperature": 1.0, "learning_rate": 1.0e-4, "lr_scheduler_type": "constant",
                     "beta": 0.0, "max_steps": 12, "save_strategy": "no"},
        },
    }
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(recipe))
    assert main(["train-baseline", str(path)]) == 0
    rows = [json.loads(line) for line in (tmp_path / "run" / "train_baseline" / "metrics.jsonl").read_text().splitlines()]
    acc = [row["rewards/accuracy/mean"] for row in rows if "rewards/accuracy/mean" in row]
    first, last = sum(acc[:3]) / 3, sum(acc[-3:]) / 3
    print(f"accuracy first 3 steps {first:.2f}, last 3 steps {last:.2f}: {[round(a, 2) for a in acc]}")
    assert 0.1 <= first <= 0.6, "the warm start should leave room to learn"
    assert last >= first + 0.1
