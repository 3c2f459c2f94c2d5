"""Generation backends: vLLM asked for but missing is one clear line before any model loads;
the section's checks (rewards, pass-through GRPO options) fail at load/validate time."""

import sys

import pytest
import yaml

from distill.cli import main
from distill.errors import ConfigError, MissingExtraError
from distill.recipe import load_recipe


def recipe_file(tmp_path, **section):
    data = {"output_dir": str(tmp_path / "run"), "train_teacher": {
        "model": str(tmp_path / "no-model-needed"), "prompts": {"kind": "toy", "name": "arithmetic", "limit": 4},
        **section}}
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_missing_vllm_is_one_line_naming_the_extra(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "vllm", None)  # import vllm now raises ImportError
    path = recipe_file(tmp_path, backend="vllm")
    from distill.train.grpo.trainer import check_backend

    with pytest.raises(MissingExtraError, match=r"needs vllm, which is not installed: pip install 'distill\[vllm\]'"):
        check_backend(load_recipe(path).train_teacher)
    assert main(["train-teacher", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("distill train-teacher: error: GRPO generation with backend: vllm") and "\n" not in err
    assert not (tmp_path / "run").exists()  # nothing started


def test_transformers_backend_needs_no_vllm(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "vllm", None)
    from distill.train.grpo.trainer import check_backend

    check_backend(load_recipe(recipe_file(tmp_path, backend="transformers")).train_teacher)


def test_grpo_options_are_checked_against_trl(tmp_path, capsys):
    assert main(["validate", str(recipe_file(tmp_path, grpo={"num_generation": 8}))]) == 1
    assert "unknown key 'train_teacher.grpo.num_generation'; did you mean 'num_generations'?" in capsys.readouterr().err
    assert main(["validate", str(recipe_file(tmp_path, grpo={"use_vllm": True}))]) == 1
    assert "'train_teacher.grpo.use_vllm' is set by distill" in capsys.readouterr().err
    assert main(["validate", str(recipe_file(tmp_path, grpo={"beta": "high"}))]) == 1
    err = capsys.readouterr().err  # the range check at load names the section and the key
    assert "'train_teacher'" in err and "grpo.beta must be a finite number" in err


@pytest.mark.parametrize("section,message", [
    ({"rewards": {"acuracy": 1.0}}, "unknown reward 'acuracy' in rewards; did you mean 'accuracy'?"),
    ({"rewards": {"reflection": 0.0}}, "at least one reward needs a non-zero weight"),
    ({"backend": "vlm"}, "did you mean 'vllm'?"),
    ({"prompt_template": "no placeholder"}, "prompt_template must contain '{problem}'"),
])
def test_section_errors(tmp_path, section, message):
    with pytest.raises(ConfigError, match=message.replace("?", r"\?").replace("{", r"\{").replace("}", r"\}")):
        load_recipe(recipe_file(tmp_path, **section))


def test_every_shipped_grpo_recipe_validates(capsys):
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "recipes"
    paths = sorted(str(p) for p in [*root.glob("teacher/*.yaml"), *root.glob("baselines/*.yaml")])
    assert len(paths) >= 8
    assert main(["validate", *paths]) == 0, capsys.readouterr().err
    for path in paths:  # each recipe opens with the command that runs it
        first = Path(path).read_text().splitlines()[0]
        assert first.startswith("# distill ") and first.endswith(Path(path).relative_to(root.parent).as_posix())


def test_missing_logger_in_report_to_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tensorboard", None)
    monkeypatch.setitem(sys.modules, "tensorboardX", None)
    path = recipe_file(tmp_path, grpo={"report_to": ["tensorboard"]})
    assert main(["train-teacher", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == ("distill train-teacher: error: grpo.report_to: tensorboard is not installed: "
                   "pip install tensorboard (or drop it from report_to)")
