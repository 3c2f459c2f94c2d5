"""`distill train-student` front door: --plan from config.json alone, one-line errors before any
training for a missing model / dataset / accelerate config or a bad TRL option, every shipped
recipe validates, and the multi-node launch command."""

from __future__ import annotations

import glob
import json
from pathlib import Path

import yaml

from distill.cli import main

REPO = Path(__file__).resolve().parents[2]
QWEN_MATH_7B = {  # config.json fields of Qwen/Qwen2.5-Math-7B that the plan reads
    "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": 3584, "num_hidden_layers": 28,
    "num_attention_heads": 28, "num_key_value_heads": 4, "intermediate_size": 18944, "vocab_size": 152064,
    "max_position_embeddings": 4096, "rope_theta": 10000.0, "tie_word_embeddings": False,
}


def recipe(tmp: Path, **section) -> Path:
    path = tmp / "recipe.yaml"
    path.write_text(yaml.safe_dump({"seed": 0, "output_dir": str(tmp / "run"), "train_student": section}))
    return path


def _config_only_model(tmp_path: Path, toy_tokenizer_dir: Path) -> Path:
    """Qwen2.5-Math-7B's config.json and a tokenizer: all --plan reads of a model (no weights)."""
    import shutil

    model = tmp_path / "qwen-math-7b"
    shutil.copytree(toy_tokenizer_dir, model)
    (model / "config.json").write_text(json.dumps(QWEN_MATH_7B))
    return model


def _traces(tmp_path: Path, rows: list | None = None) -> Path:
    data = tmp_path / "traces.jsonl"
    rows = rows or [[{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": f"<think>\nr{i}\n</think>\n\na"}]
                    for i in range(5)]
    data.write_text("".join(json.dumps({"messages": r}) + "\n" for r in rows))
    return data


def test_plan_prints_memory_and_runs_every_check_writing_nothing(tmp_path, toy_tokenizer_dir, capsys):
    from distill.train.model_loading import has_module

    model, data = _config_only_model(tmp_path, toy_tokenizer_dir), _traces(tmp_path)
    path = recipe(tmp_path, model=str(model), dataset=str(data), max_length=32768,
                  accelerate_config=str(REPO / "recipes/accelerate/zero3.yaml"), num_processes=8)
    code = main(["train-student", str(path), "--plan"])
    captured = capsys.readouterr()
    assert "7.62B params, full fine-tune, zero3 over 8 process(es)" in captured.out
    assert "gradient checkpointing on" in captured.out and "WARNING" not in captured.out
    if not has_module("deepspeed"):  # the run would fail to launch here: so does the plan, in one line
        assert code == 2 and "deepspeed" in captured.err
    assert not (tmp_path / "run").exists()  # nothing trained, nothing written
    # The same student replicated on every GPU (DDP) does not fit: the plan says so, and checks pass.
    path = recipe(tmp_path, model=str(model), dataset=str(data), max_length=32768, num_processes=8)
    assert main(["train-student", str(path), "--plan"]) == 0
    out = capsys.readouterr().out
    assert "WARNING: does not fit" in out
    assert "check template: ok (chat template: model; stop token <|im_end|>" in out
    assert "check data: ok (5 of the first 5 rows usable" in out
    # LoRA shrinks the optimizer to the adapters.
    path = recipe(tmp_path, model=str(model), dataset=str(data), max_length=32768, lora={"r": 16})
    assert main(["train-student", str(path), "--plan"]) == 0
    assert "LoRA" in capsys.readouterr().out
    assert not (tmp_path / "run").exists()


def test_plan_fails_where_the_run_would_and_writes_nothing(tmp_path, toy_tokenizer_dir, capsys):
    model, data = _config_only_model(tmp_path, toy_tokenizer_dir), _traces(tmp_path)
    bad = tmp_path / "strips.jinja"  # keeps only the text after </think>, as DeepSeek-R1-Distill's does
    bad.write_text("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'].split('</think>')[-1] }}"
                   "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
    err = _fails(recipe(tmp_path, model=str(model), dataset=str(data), chat_template=str(bad)), capsys, "--plan")
    assert "strips <think>" in err
    unusable = _traces(tmp_path, [[{"role": "user", "content": "only a question"}]])
    err = _fails(recipe(tmp_path, model=str(model), dataset=str(unusable)), capsys, "--plan")
    assert "none of the first 1 rows is a conversation" in err  # the dataset check, before tokenizing
    err = _fails(recipe(tmp_path, model=str(model), dataset=str(data), accelerate_config=str(data)), capsys, "--plan")
    assert "not an accelerate config" in err
    assert not (tmp_path / "run").exists()


def test_a_run_whose_data_is_unusable_leaves_no_manifest(tmp_path, tiny_qwen_dir, capsys):
    unusable = _traces(tmp_path, [[{"role": "user", "content": "only a question"}]])
    assert main(["train-student", str(recipe(tmp_path, model=str(tiny_qwen_dir), dataset=str(unusable)))]) == 2
    assert "none of 1 rows is a conversation" in capsys.readouterr().err.strip().splitlines()[-1]
    assert not (tmp_path / "run" / "train_student").exists()  # no manifest.json, no recipe.resolved.yaml


def _fails(path: Path, capsys, *extra: str) -> str:
    assert main(["train-student", str(path), *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


def test_missing_inputs_fail_in_one_line_before_training(tmp_path, tiny_qwen_dir, capsys):
    data = tmp_path / "traces.jsonl"
    data.write_text('{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}\n')
    err = _fails(recipe(tmp_path, model=str(tmp_path / "no-such-model"), dataset=str(data)), capsys)
    assert "train_student.model" in err and "not found" in err
    err = _fails(recipe(tmp_path, model=str(tiny_qwen_dir)), capsys)  # default: the filter stage's output
    assert f"{tmp_path / 'run' / 'filter' / 'data'} not found" in err and "distill filter" in err
    err = _fails(recipe(tmp_path, model=str(tiny_qwen_dir), dataset=str(data), accelerate_config="nope.yaml"), capsys)
    assert "train_student.accelerate_config: nope.yaml not found" in err
    err = _fails(recipe(tmp_path, model=str(tiny_qwen_dir), dataset=str(data), sft={"learning_rat": 1e-5}), capsys)
    assert "did you mean 'learning_rate'" in err
    err = _fails(recipe(tmp_path, model=str(tiny_qwen_dir), dataset=str(data), sft={"max_length": 10}), capsys)
    assert "train_student.max_length" in err
    err = _fails(recipe(tmp_path, model=str(tiny_qwen_dir), dataset=str(data)), capsys, "--resume")
    assert "--resume: no checkpoint-* directory" in err
    # A filter that kept nothing writes a zero-row shard: one line, not an Arrow traceback.
    import pyarrow as pa
    import pyarrow.parquet as pq

    empty = tmp_path / "filtered" / "data"
    empty.mkdir(parents=True)
    pq.write_table(pa.table({"messages": pa.array([], pa.string())}), empty / "train-00000-of-00001.parquet")
    err = _fails(recipe(tmp_path, model=str(tiny_qwen_dir), dataset=str(empty)), capsys)
    assert "has no rows" in err and "funnel.md" in err
    assert not (tmp_path / "run" / "train_student").exists()


def test_every_shipped_recipe_validates(capsys):
    paths = sorted(glob.glob(str(REPO / "recipes/students/*.yaml")))
    assert len(paths) >= 7
    assert main(["validate", *paths]) == 0, capsys.readouterr().err
    for path in paths:
        first = Path(path).read_text().splitlines()[0]
        assert first.startswith("# distill "), path  # each recipe opens with its command


def test_multinode_launch_command():
    from distill.recipe import load_recipe
    from distill.train.sft.launch import launch_command

    path = str(REPO / "recipes/students/llama-3.3-70b-instruct.yaml")
    cfg = load_recipe(path, ["train_student.machine_rank=3", "train_student.main_process_ip=10.0.0.1"]).train_student
    cmd = launch_command(cfg, path, ["train_student.machine_rank=3"])
    joined = " ".join(cmd)
    assert "--config_file recipes/accelerate/zero3_multinode.yaml" in joined
    assert "--num_processes 64 --num_machines 8 --machine_rank 3" in joined
    assert "--main_process_ip 10.0.0.1 --main_process_port 29500" in joined
    assert joined.endswith(f"-m distill.train.sft.entry {path} --set train_student.machine_rank=3")


def test_attention_choice_and_static_flex_shapes(tmp_path):
    import pytest

    from distill.errors import DistillError
    from distill.recipe import recipe_from_dict
    from distill.train import model_loading as ml
    from distill.train.sft.trainer import build_sft_args

    has_flash = ml.has_module("flash_attn")
    assert ml.resolve_attention("auto", cuda=False) == "sdpa"
    assert ml.resolve_attention("auto", cuda=True) == ("flash_attention_2" if has_flash else "flex_attention")
    assert ml.resolve_attention("eager", cuda=True) == "eager"
    if not has_flash:
        with pytest.raises(DistillError, match="distill\\[flash\\]"):
            ml.resolve_attention("flash_attention_2", cuda=True)
    assert ml.resolve_liger("auto", cuda=False) is False
    assert ml.resolve_dtype("auto", cuda=False) == "float32"
    # flex_attention recompiles per shape: every packed batch is padded to batch x max_length.
    r = recipe_from_dict({"output_dir": str(tmp_path), "train_student": {
        "model": "m", "max_length": 256, "sft": {"per_device_train_batch_size": 3}}})
    args = build_sft_args(r.train_student, r, tmp_path, eos="<|im_end|>", attention="flex_attention",
                          dtype="float32", liger=False, checkpointing=False)
    assert args.pad_to_multiple_of == 768 and args.padding_free and args.packing and not args.gradient_checkpointing
    assert args.eos_token == "<|im_end|>" and not args.assistant_only_loss  # labels come pre-built
