"""The shipped student recipes, in miniature: `distill train-student recipes/students/X.yaml` changed only
by --set overrides that swap the hub model for a tiny one with the real family's tokenizer
configuration (special tokens, BOS/EOS/pad, published chat template), the dataset for a small file
in the filter output's schema, and the sizes (length, steps, one CPU process). What this cannot show:
GPU memory, speed, quality. One recipe in the default suite; all six under -m slow."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from distill.cli import main

REPO = Path(__file__).resolve().parents[2]
# recipe -> (tiny architecture, tokenizer family, expected template source, stop token, default system prompt)
RECIPES = {
    "qwen2.5-math-1.5b": ("qwen2", "qwen2.5-math", "model", "<|im_end|>", "Please reason step by step"),
    "qwen2.5-math-7b": ("qwen2", "qwen2.5-math", "model", "<|im_end|>", "Please reason step by step"),
    "qwen2.5-14b": ("qwen2", "qwen2.5", "model", "<|im_end|>", "You are Qwen"),
    "qwen2.5-32b": ("qwen2", "qwen2.5", "model", "<|im_end|>", "You are Qwen"),
    "llama-3.1-8b": ("llama", "llama-3.1", "model", "<|eot_id|>", ""),
    "llama-3.3-70b-instruct": ("llama", "llama-3.1", "model", "<|eot_id|>", ""),
}
ROWS = [[{"role": "user", "content": f"What is {i} + 2? Please reason step by step."},
         {"role": "assistant", "content": f"<think>\n{i} plus two is {i + 2}\n</think>\n\nThe answer is \\boxed{{{i + 2}}}."}]
        for i in range(8)]


@pytest.mark.parametrize("name", [pytest.param(n, marks=() if n == "qwen2.5-math-1.5b" else pytest.mark.slow)
                                  for n in RECIPES])
def test_shipped_student_recipe_trains_in_miniature(name, tmp_path, capsys):
    from distill.toy.families import build_family_tokenizer
    from distill.toy.models import build_tiny_model

    arch, family, source, stop, system = RECIPES[name]
    build_family_tokenizer(family, tmp_path / "tokenizer")
    model = build_tiny_model(arch, tmp_path / "tokenizer", tmp_path / "model")
    data = tmp_path / "filtered.jsonl"
    data.write_text("".join(json.dumps({"messages": r}) + "\n" for r in ROWS))
    out = tmp_path / "student"
    overrides = [f"train_student.model={model}", f"train_student.dataset={data}", f"train_student.output_dir={out}",
                 "train_student.max_length=256", "train_student.accelerate_config=null",
                 "train_student.num_processes=1", "train_student.num_machines=1", "train_student.attention=sdpa",
                 "train_student.sft.max_steps=2", "train_student.sft.save_strategy='no'",
                 "train_student.sft.dataset_num_proc=null", "train_student.sft.gradient_accumulation_steps=1",
                 "train_student.sft.per_device_train_batch_size=2"]
    args = ["train-student", str(REPO / "recipes/students" / f"{name}.yaml")]
    for item in overrides:
        args += ["--set", item]
    assert main(args) == 0
    err = capsys.readouterr().err
    line = next(l for l in err.splitlines() if l.startswith("chat template:"))
    assert line.startswith(f"chat template: {source};") and f"stop token {stop}" in line
    assert (system in line) if system else "default system prompt" not in line
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "ok" and manifest["counts"]["kept"] == manifest["counts"]["read"] == 8
    assert manifest["chat_template"]["added_tokens"] == [] and manifest["train"]["stop_token"] == stop
    generation = json.loads((out / "generation_config.json").read_text())
    from transformers import AutoTokenizer

    stop_id = AutoTokenizer.from_pretrained(out).convert_tokens_to_ids(stop)
    eos = generation["eos_token_id"]
    assert (eos[0] if isinstance(eos, list) else eos) == stop_id
