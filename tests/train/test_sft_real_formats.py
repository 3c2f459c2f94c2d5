"""`distill train-student` on tiny students with real families' tokenizer configurations: the
DeepSeek-R1-Distill release revision keeps its own format, BOS and vocabulary (no ChatML installed,
no resize); a base model with no chat format gets ChatML's two tokens, announced in one line,
recorded in the manifest; LoRA, which cannot train them under TRL's fused LM head, is refused before
anything is written."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from distill.cli import main

ROWS = [[{"role": "user", "content": f"What is {i} + 1?"},
         {"role": "assistant", "content": f"<think>\n{i} plus one\n</think>\n\nThe answer is {i + 1}."}] for i in range(6)]


def _student(tmp: Path, family: str) -> Path:
    from distill.toy.families import build_family_tokenizer
    from distill.toy.models import build_tiny_model

    build_family_tokenizer(family, tmp / "tokenizer")
    return build_tiny_model("qwen2", tmp / "tokenizer", tmp / "model")


def _train(tmp: Path, model: Path, capsys, **section) -> tuple[dict, str]:
    data = tmp / "traces.jsonl"
    data.write_text("".join(json.dumps({"messages": r}) + "\n" for r in ROWS))
    recipe = {"seed": 0, "output_dir": str(tmp / "run"), "train_student": {
        "model": str(model), "dataset": str(data), "max_length": 128,
        "sft": {"max_steps": 1, "per_device_train_batch_size": 2, "save_strategy": "no"}, **section}}
    path = tmp / "recipe.yaml"
    path.write_text(yaml.safe_dump(recipe))
    assert main(["train-student", str(path)]) == 0
    err = capsys.readouterr().err
    return json.loads((tmp / "run" / "train_student" / "manifest.json").read_text()), err


def test_deepseek_release_revision_keeps_its_format_bos_and_vocabulary(tmp_path, capsys):
    model = _student(tmp_path, "deepseek-r1-distill-release")
    manifest, err = _train(tmp_path, model, capsys)
    line = next(l for l in err.splitlines() if l.startswith("chat template:"))
    assert "distill DeepSeek format" in line and "vocabulary" not in line
    assert manifest["chat_template"]["source"] == "distill DeepSeek format"
    assert manifest["chat_template"]["added_tokens"] == [] and manifest["train"]["embeddings_resized"] is False
    assert manifest["train"]["stop_token"] == "<｜end▁of▁sentence｜>" and manifest["counts"]["kept"] == 6
    from transformers import AutoTokenizer

    saved = AutoTokenizer.from_pretrained(tmp_path / "run" / "train_student")
    prompt = saved.apply_chat_template(ROWS[0][:1], tokenize=False, add_generation_prompt=True)
    assert prompt.startswith("<｜begin▁of▁sentence｜><｜User｜>") and prompt.endswith("<｜Assistant｜>")


def test_added_chat_tokens_are_announced_and_recorded_and_lora_is_refused_first(tmp_path, capsys):
    model = _student(tmp_path, "bare")
    manifest, err = _train(tmp_path, model, capsys)
    line = next(l for l in err.splitlines() if l.startswith("chat template:"))
    assert "vocabulary +2 tokens (<|im_start|>, <|im_end|>), embeddings resized" in line
    assert manifest["chat_template"]["added_tokens"] == ["<|im_start|>", "<|im_end|>"]
    assert manifest["train"]["embeddings_resized"] is True and manifest["status"] == "ok"
    import shutil

    shutil.rmtree(tmp_path / "run")
    data = tmp_path / "traces.jsonl"
    recipe = {"seed": 0, "output_dir": str(tmp_path / "run"), "train_student": {
        "model": str(model), "dataset": str(data), "max_length": 128, "lora": {"r": 4}}}
    (tmp_path / "lora.yaml").write_text(yaml.safe_dump(recipe))
    assert main(["train-student", str(tmp_path / "lora.yaml")]) == 2
    assert "LoRA cannot train their output rows" in capsys.readouterr().err.strip().splitlines()[-1]
    assert not (tmp_path / "run" / "train_student").exists()
