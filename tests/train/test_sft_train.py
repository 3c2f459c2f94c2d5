"""End to end on the tiny Qwen2 student: `distill train-student` on toy R1-format traces.

One training run (module fixture) serves several checks: the loss goes down, the saved model
directory is complete (weights, tokenizer with the think-keeping template, generation_config that
stops on <|im_end|>), the student ends its generations with EOS, and a rerun resumes from the last
checkpoint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from distill.cli import main

STEPS = 30


def write_traces(path: Path, n: int, split: str = "train") -> Path:
    from distill.toy.setup import sft_conversation
    from distill.toy.tasks import make_problems

    with open(path, "w", encoding="utf-8") as fh:
        for problem in make_problems("arithmetic", split, n):
            fh.write(json.dumps(sft_conversation(problem)) + "\n")
    return path


def write_recipe(path: Path, model: Path, dataset: Path, out: Path, **sft) -> Path:
    options = {"max_steps": STEPS, "learning_rate": 3.0e-3, "warmup_steps": 3, "per_device_train_batch_size": 2,
               "logging_steps": 3, "save_steps": 15, "lr_scheduler_type": "cosine", **sft}
    recipe = {"seed": 0, "output_dir": str(out),
              "train_student": {"model": str(model), "dataset": str(dataset), "max_length": 512, "sft": options}}
    path.write_text(yaml.safe_dump(recipe))
    return path


@pytest.fixture(scope="module")
def trained(tiny_qwen_dir, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sft")
    recipe = write_recipe(tmp / "recipe.yaml", tiny_qwen_dir, write_traces(tmp / "traces.jsonl", 200), tmp / "run")
    assert main(["train-student", str(recipe)]) == 0
    return recipe, tmp / "run" / "train_student"


def test_loss_goes_down_and_model_is_saved(trained):
    _, out = trained
    state = json.loads((out / f"checkpoint-{STEPS}" / "trainer_state.json").read_text())
    losses = [entry["loss"] for entry in state["log_history"] if "loss" in entry]
    assert len(losses) >= 5 and losses[-1] < 0.6 * losses[0], losses
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "ok" and manifest["counts"]["read"] == manifest["counts"]["kept"] == 200
    assert manifest["train"]["stop_token"] == "<|im_end|>" and manifest["train"]["attention"] == "sdpa"
    for name in ("config.json", "model.safetensors", "tokenizer.json", "generation_config.json", "recipe.resolved.yaml"):
        assert (out / name).is_file(), name


def test_saved_student_keeps_think_and_stops_on_eos(trained):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from distill.toy.tasks import make_problems
    from distill.train.sft.chat_template import check_template

    _, out = trained
    tokenizer = AutoTokenizer.from_pretrained(out)
    model = AutoModelForCausalLM.from_pretrained(out)
    assert check_template(tokenizer, tokenizer.chat_template).ok
    eos_id = tokenizer.convert_tokens_to_ids("<|im_end|>")
    assert tokenizer.eos_token == "<|im_end|>" and tokenizer.pad_token != tokenizer.eos_token
    assert eos_id in model.generation_config.eos_token_id
    stopped = 0
    problems = make_problems("arithmetic", "test", 8)
    for problem in problems:
        inputs = tokenizer.apply_chat_template([{"role": "user", "content": problem["problem"]}],
                                               add_generation_prompt=True, return_tensors="pt", return_dict=True)
        with torch.no_grad():
            generated = model.generate(**inputs, max_new_tokens=64, do_sample=False)[0, inputs["input_ids"].shape[1]:]
        # generate() stops on generation_config.eos_token_id: ending on EOS well before the cap, after
        # an R1-format answer, means the student learned to close its turn.
        text = tokenizer.decode(generated)
        stopped += int(generated[-1].item() == eos_id and len(generated) < 48 and "\\boxed{" in text)
    assert stopped >= 6, f"only {stopped} of {len(problems)} generations ended with EOS"


def test_rerun_resumes_from_last_checkpoint(trained, capsys):
    recipe, out = trained
    assert main(["train-student", str(recipe), "--set", f"train_student.sft.max_steps={STEPS + 3}"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["train"]["resumed_from"].endswith(f"checkpoint-{STEPS}")
    assert manifest["train"]["global_steps"] == STEPS + 3
    assert f"resuming from {out / f'checkpoint-{STEPS}'}" in capsys.readouterr().err


def test_lora_trains_adapters_and_saves_a_merged_model(tiny_qwen_dir, tmp_path):
    recipe = write_recipe(tmp_path / "recipe.yaml", tiny_qwen_dir, write_traces(tmp_path / "traces.jsonl", 20),
                          tmp_path / "run", max_steps=2, learning_rate=1.0e-3)
    assert main(["train-student", str(recipe), "--set", "train_student.lora.r=8"]) == 0
    out = tmp_path / "run" / "train_student"
    assert (out / "adapter" / "adapter_config.json").is_file()
    assert (out / "model.safetensors").is_file() and not (out / "adapter_config.json").exists()  # merged, plain
