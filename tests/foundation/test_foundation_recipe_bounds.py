"""Recipes that cannot hurt: a hostile or mistyped recipe ends in one line, fast, before any work.

YAML bombs (aliases, self-references, deep nesting, bad bytes, giant integers) are refused by the
bounded loader; values of the right type that make no sense (a batch of 0 prompts, temperature
1e308, a seed past 2^32-1, a name that climbs out of the output directory) by the range checks
each section runs when the recipe is loaded.
"""

from __future__ import annotations

import copy
import subprocess
import sys
import time
from pathlib import Path

import pytest

from distill.config import load_yaml
from distill.errors import ConfigError
from distill.recipe import load_recipe, recipe_from_dict

pytestmark = pytest.mark.timeout(60)
REPO = Path(__file__).resolve().parents[2]
TOY = REPO / "recipes" / "toy" / "pipeline.yaml"


def _laughs(levels: int = 12) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "seed: 0\n" + "\n".join(lines) + "\n"


BOMBS = {
    "billion_laughs": (_laughs(), "expands to more than"),
    "billion_laughs_in_a_section": (_laughs() + "generate:\n  teacher: t\n  source: {name: x}\n  sampling:\n    stop: *a11\n",
                                    "expands to more than"),
    "self_referencing_anchor": ("seed: 0\ngenerate: &g {teacher: t, source: *g}\n", "self-referencing anchor"),
    "self_referencing_list": ("x: &a [1, *a]\n", "self-referencing anchor"),
    "self_referencing_merge": ("x: &a {<<: *a}\n", "self-referencing anchor"),
    "deep_flow_nesting": ("seed: " + "[" * 10_000 + "]" * 10_000 + "\n", "nested deeper than"),
    "deep_block_nesting": ("seed:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 200)), "nested deeper than"),
    "huge_integer": ("seed: " + "9" * 5000 + "\n", "an integer of 5000 digits"),
    "huge_integer_in_a_section": ("seed: 0\ngenerate: {teacher: t, source: {name: x}, num_samples: " + "1" * 400 + "}\n",
                                  "an integer of 400 digits"),
    "impossible_date": ("seed: 2024-02-30\n", "invalid YAML value"),
}


@pytest.mark.parametrize("text, expected", BOMBS.values(), ids=BOMBS.keys())
def test_yaml_bombs_end_in_one_line_fast(tmp_path, text, expected):
    path = tmp_path / "bomb.yaml"
    path.write_text(text)
    started = time.monotonic()
    with pytest.raises(ConfigError) as err:
        load_recipe(path)
    assert time.monotonic() - started < 5
    message = str(err.value)
    assert expected in message and str(path) in message and "\n" not in message


def test_bad_utf8_names_the_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"seed: 0\noutput_dir: 'runs/\xff\xfe'\n")
    with pytest.raises(ConfigError, match=r"line 2: not UTF-8 \(byte 0xff"):
        load_recipe(path)


def test_an_oversized_file_is_refused_unread(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("seed: 0\n" + "# padding\n" * 500_000)
    with pytest.raises(ConfigError, match="a recipe is at most"):
        load_yaml(path)


def test_aliases_within_the_bound_still_work(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text("stops: &s ['</s>', '<|im_end|>']\nmore: [*s, *s]\n")
    assert load_yaml(path) == {"stops": ["</s>", "<|im_end|>"], "more": [["</s>", "<|im_end|>"]] * 2}


def test_a_bomb_in_a_set_override_is_refused_too():
    with pytest.raises(ConfigError, match="self-referencing anchor"):
        load_recipe(TOY, ["generate.sampling.stop=&a [*a]"])


def test_validate_and_a_stage_end_a_bomb_in_one_line(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(_laughs())
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    for command in (["validate", str(path)], ["generate", str(path)]):
        started = time.monotonic()
        out = subprocess.run([sys.executable, "-m", "distill", *command], capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
        assert out.returncode != 0 and "Traceback" not in out.stderr, out.stderr[-2000:]
        assert len(out.stderr.strip().splitlines()) == 1 and "expands to more than" in out.stderr
        assert time.monotonic() - started < 30


# --- values of the right type that make no sense ------------------------------------------------

RANGES = {
    "hf_batch_size_0": ("generate.hf.batch_size=0", "hf.batch_size must be an integer >= 1"),
    "temperature_1e308": ("generate.sampling.temperature=1.0e+308", "sampling.temperature must be in [0, 100]"),
    "temperature_nan": ("generate.sampling.temperature=.nan", "sampling.temperature must be in [0, 100]"),
    "top_p_1.5": ("generate.sampling.top_p=1.5", "sampling.top_p must be in (0, 1]"),
    "num_samples_0": ("generate.num_samples=0", "num_samples must be >= 1"),
    "sampling_seed_negative": ("generate.sampling.seed=-1", "sampling.seed must be an integer in 0..4294967295"),
    "seed_past_32_bits": ("seed=4294967296", "seed must be an integer in 0..4294967295"),
    "seed_negative": ("seed=-5", "seed must be an integer in 0..4294967295"),
    "max_steps_negative": ("train_student.sft.max_steps=-1000000000", "sft.max_steps must be an integer >= 1"),
    "learning_rate_0": ("train_student.sft.learning_rate=0", "sft.learning_rate must be in (0, 1]"),
    "grpo_learning_rate_inf": ("train_teacher.grpo.learning_rate=.inf", "grpo.learning_rate must be in (0, 1]"),
    "grpo_seed_past_32_bits": ("train_teacher.grpo.seed=99999999999", "grpo.seed must be an integer in 0..4294967295"),
    "grpo_num_generations_0": ("train_teacher.grpo.num_generations=0", "grpo.num_generations must be an integer >= 1"),
    "openai_max_retries_negative": ("generate.openai.max_retries=-1", "openai.max_retries must be an integer >= 0"),
    "openai_timeout_0": ("generate.openai.timeout=0", "openai.timeout must be in (0, 604800]"),
    "openai_timeout_negative": ("generate.openai.timeout=-1", "openai.timeout must be in (0, 604800]"),
    "openai_concurrency_0": ("generate.openai.concurrency=0", "openai.concurrency must be an integer >= 1"),
    "vllm_memory_share": ("generate.vllm.gpu_memory_utilization=2", "vllm.gpu_memory_utilization must be in (0, 1]"),
    "dedup_bands_0": ("filter.dedup.bands=0", "dedup.bands must be an integer >= 1"),
    "toy_train_size_0": ("toy.train_size=0", "train_size must be an integer >= 1"),
    "toy_quick_answers": ("toy.quick_answers=1.5", "quick_answers must be in [0, 1]"),
    "eval_temperature": ("eval.temperature=1.0e+308", "temperature must be in [0, 100]"),
    "eval_parallel_0": ("eval.data_parallel_size=0", "data_parallel_size must be an integer >= 1"),
}


@pytest.mark.parametrize("override, expected", RANGES.values(), ids=RANGES.keys())
def test_nonsense_values_end_in_one_line(override, expected):
    with pytest.raises(ConfigError) as err:
        load_recipe(TOY, [override])
    message = str(err.value)
    assert expected in message and str(TOY) in message and "\n" not in message


def _toy_data() -> dict:
    from distill.recipe import interpolate

    data = load_yaml(TOY)
    return interpolate(data, {"output_dir": data["output_dir"]})


ESCAPES = {
    "toy_model_name": (lambda d: d["toy"]["models"].update({"../../../../escaped": {}}), "models name must be a plain name"),
    "toy_model_dotdot": (lambda d: d["toy"]["models"].update({"..": {}}), "models name must be a plain name"),
    "toy_task": (lambda d: d["toy"].update(task="../../../../x"), "task must be a plain name"),
    "eval_model_name": (lambda d: d["eval"].update(models={"..": "runs/x"}), "models name must be a plain name"),
    "toy_source_name": (lambda d: d["generate"].update(source={"kind": "toy", "name": "../../../../"}), "source.name must be a plain name"),
    "filter_source_name": (lambda d: d["filter"].update(sources=[{"path": "x.jsonl", "name": "../../../../"}]), "name must be a plain name"),
}


@pytest.mark.parametrize("mutate, expected", ESCAPES.values(), ids=ESCAPES.keys())
def test_names_that_become_paths_cannot_climb_out(mutate, expected):
    data = _toy_data()
    mutate(data)
    with pytest.raises(ConfigError) as err:
        recipe_from_dict(copy.deepcopy(data), file="toy.yaml")
    assert expected in str(err.value) and "\n" not in str(err.value)


def test_a_file_source_may_name_any_path_but_outputs_stay_in_the_output_dir():
    # a `files` source is read from where the user says; it decides no output path
    data = _toy_data()
    data["generate"]["source"] = {"kind": "files", "name": "../../../../"}
    recipe = recipe_from_dict(data, file="toy.yaml")
    out = Path(recipe.output_dir).resolve()
    assert recipe.stage_dir("generate").resolve().is_relative_to(out)


def test_the_shipped_values_stay_valid():
    recipe = load_recipe(TOY)
    assert recipe.generate.hf.batch_size >= 1 and 0 <= recipe.seed < 2**32
