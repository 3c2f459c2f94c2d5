"""Strict recipe loading: every way a recipe can be wrong names the file, the key and what was expected."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pytest

from distill.config import apply_overrides, from_dict, load_yaml
from distill.errors import ConfigError
from distill.recipe import load_recipe


@dataclass
class Sampling:
    temperature: float = 0.6
    n: int = 1
    engine: Literal["hf", "vllm", "openai"] = "hf"


@dataclass
class Section:
    model: str
    sampling: Sampling = field(default_factory=Sampling)
    stop: list[str] = field(default_factory=list)
    extra: dict[str, int] = field(default_factory=dict)
    limit: int | None = None


def build(data):
    return from_dict(Section, data, file="r.yaml")


def test_valid_section_builds_with_defaults_and_int_to_float():
    section = build({"model": "m", "sampling": {"temperature": 1, "n": 4}, "stop": ["a"], "limit": None})
    assert section.sampling.temperature == 1.0 and isinstance(section.sampling.temperature, float)
    assert section.sampling.n == 4 and section.stop == ["a"] and section.limit is None


def test_unknown_key_suggests_closest():
    with pytest.raises(ConfigError) as err:
        build({"model": "m", "sampling": {"temprature": 0.7}})
    message = str(err.value)
    assert "r.yaml" in message and "sampling.temprature" in message and "did you mean 'temperature'" in message


def test_unknown_key_without_close_match_lists_valid_keys():
    with pytest.raises(ConfigError, match="valid keys: .*model"):
        build({"model": "m", "zzzzzz": 1})


@pytest.mark.parametrize(
    "data, expected",
    [
        ({"model": "m", "sampling": {"n": "four"}}, "key 'sampling.n': expected an integer, got str 'four'"),
        ({"model": "m", "sampling": {"n": True}}, "key 'sampling.n': expected an integer"),
        ({"model": "m", "sampling": {"temperature": "hot"}}, "expected a number"),
        ({"model": 3}, "key 'model': expected a string, got int 3"),
        ({"model": "m", "stop": "x"}, "key 'stop': expected a list"),
        ({"model": "m", "stop": ["a", 2]}, r"key 'stop\[1\]': expected a string"),
        ({"model": "m", "extra": {"a": "b"}}, "key 'extra.a': expected an integer"),
        ({"model": "m", "sampling": {"engine": "vlm"}}, "expected one of 'hf', 'vllm', 'openai', got 'vlm'; did you mean 'vllm'"),
        ({"model": "m", "sampling": 5}, "key 'sampling': expected a mapping"),
        ({"model": "m", "limit": "ten"}, "key 'limit': expected an integer"),
    ],
)
def test_wrong_types_name_key_and_expectation(data, expected):
    with pytest.raises(ConfigError, match=expected):
        build(data)


def test_missing_required_value():
    with pytest.raises(ConfigError, match="missing required key 'model'"):
        build({})


def test_yaml_syntax_error_names_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("seed: 1\noutput_dir: [unclosed\nfoo: 2\n")
    with pytest.raises(ConfigError) as err:
        load_yaml(path)
    assert "bad.yaml" in str(err.value) and "line" in str(err.value) and "invalid YAML" in str(err.value)


def test_missing_file_and_non_mapping(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_yaml(tmp_path / "nope.yaml")
    path = tmp_path / "list.yaml"
    path.write_text("- 1\n- 2\n")
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_yaml(path)


def test_overrides_parse_yaml_values_and_create_sections():
    data = {"a": {"b": 1}}
    apply_overrides(data, ["a.b=3", "a.c=true", "d.e=hello", "f=[1, 2]", "g=0.5"])
    assert data == {"a": {"b": 3, "c": True}, "d": {"e": "hello"}, "f": [1, 2], "g": 0.5}


def test_override_errors():
    with pytest.raises(ConfigError, match="expected KEY=VALUE"):
        apply_overrides({}, ["novalue"])
    with pytest.raises(ConfigError, match="'a' is not a section"):
        apply_overrides({"a": 1}, ["a.b=2"])


def test_recipe_top_level_strictness_and_overrides(tmp_path):
    path = tmp_path / "recipe.yaml"
    path.write_text("seed: 3\noutput_dir: runs/x\n")
    recipe = load_recipe(path, ["seed=7"])
    assert recipe.seed == 7 and recipe.source_file == str(path)
    assert str(recipe.stage_dir("generate")) == "runs/x/generate"
    path.write_text("sed: 3\n")
    with pytest.raises(ConfigError, match="unknown key 'sed'; did you mean 'seed'"):
        load_recipe(path)


def test_section_fingerprint_changes_with_section_and_seed(tmp_path):
    path = tmp_path / "recipe.yaml"
    path.write_text("seed: 1\nreport: {}\n")
    base = load_recipe(path).section_fingerprint("report")
    assert load_recipe(path).section_fingerprint("report") == base
    assert load_recipe(path, ["seed=2"]).section_fingerprint("report") != base
