"""The on-policy recipe keys (train_student method: on_policy), its budget matched to another
stage's manifest, the pipeline stage, and a teacher of another tokenizer refused in one line."""

import json

import pytest
import yaml

from distill.cli import main
from distill.errors import ConfigError, DistillError
from distill.recipe import recipe_from_dict

PROMPTS = {"kind": "toy", "name": "arithmetic", "limit": 4}


def student(**on_policy):
    section = {"method": "on_policy", "model": "m",
               "on_policy": {"teacher": "t", "prompts": PROMPTS, **on_policy}}
    return recipe_from_dict({"train_student": section}).train_student


def test_on_policy_section_is_required_and_only_read_with_its_method():
    with pytest.raises(ConfigError, match="method: on_policy needs an 'on_policy' section"):
        recipe_from_dict({"train_student": {"method": "on_policy", "model": "m"}})
    with pytest.raises(ConfigError, match="'on_policy' is read only with method: on_policy"):
        recipe_from_dict({"train_student": {"model": "m", "on_policy": {"teacher": "t", "prompts": PROMPTS}}})
    with pytest.raises(ConfigError, match="'teacher' is required"):
        student(teacher="")


def test_distillation_options_are_checked_against_trl():
    with pytest.raises(ConfigError, match=r"unknown key 'train_student\.on_policy\.distillation\.betta'; did you mean 'beta'"):
        student(distillation={"betta": 1.0}).validate(file="r.yaml", path="train_student")
    with pytest.raises(ConfigError, match="set by distill from train_student.on_policy.teacher"):
        student(distillation={"teacher_model_name_or_path": "x"}).validate(file="r.yaml", path="train_student")
    cfg = student(distillation={"beta": 1.0, "max_completion_length": 64})
    cfg.sft = {"learning_rate": 1.0}
    with pytest.raises(ConfigError, match="TRL options go under 'train_student.on_policy.distillation'"):
        cfg.validate(file="r.yaml", path="train_student")
    student(distillation={"beta": 0.5, "max_completion_length": 64}).validate(file="r.yaml", path="train_student")


def test_budget_matches_another_stages_generated_tokens(tmp_path):
    from distill.train.on_policy import resolve_budget

    (tmp_path / "manifest.json").write_text(json.dumps(
        {"stage": "train_baseline", "status": "ok", "counts": {"steps": 40, "generated_tokens": 98765}}))
    limits = resolve_budget(student(budget={"match_stage": str(tmp_path), "max_wall_hours": 1.5}).on_policy)
    assert limits == {"max_generated_tokens": 98765, "max_wall_hours": 1.5, "max_gpu_hours": None}
    (tmp_path / "manifest.json").write_text(json.dumps({"stage": "train_baseline", "status": "failed", "counts": {}}))
    with pytest.raises(DistillError, match="not a finished training manifest"):
        resolve_budget(student(budget={"match_stage": str(tmp_path)}).on_policy)
    with pytest.raises(DistillError, match="cannot read"):
        resolve_budget(student(budget={"match_stage": str(tmp_path / "nowhere")}).on_policy)
    with pytest.raises(ConfigError, match="only one of"):
        student(budget={"match_stage": str(tmp_path), "max_generated_tokens": 5})


def test_pipeline_runs_the_stage_with_train_student_in_its_own_directory():
    from distill.pipeline import plan, stage_command

    section = {"method": "on_policy", "model": "runs/x/train_student", "on_policy": {"teacher": "t", "prompts": PROMPTS}}
    recipe = recipe_from_dict({"output_dir": "runs/x", "train_on_policy": section})
    stage = recipe.stage("train_on_policy")
    assert stage.command == "train-student" and [p.stage.name for p in plan(recipe)] == ["train_on_policy"]
    assert stage_command(recipe, stage, [])[3:] == ["train-student", "<recipe>", "--stage", "train_on_policy"]
    assert str(recipe.stage_dir("train_on_policy")) == "runs/x/train_on_policy"
    assert recipe.section("train_on_policy").method == "on_policy"


def test_a_teacher_with_another_tokenizer_is_refused_in_one_line(tiny_llama_dir, tmp_path, capsys):
    from distill.toy.models import build_tiny_model
    from distill.toy.tokenizer import build_tokenizer

    build_tokenizer(tmp_path / "other_tokenizer", vocab_size=400)
    teacher = build_tiny_model("qwen2", tmp_path / "other_tokenizer", tmp_path / "other_teacher")
    recipe = {"seed": 0, "output_dir": str(tmp_path / "run"), "train_student": {
        "method": "on_policy", "model": str(tiny_llama_dir),
        "on_policy": {"teacher": str(teacher), "prompts": PROMPTS, "distillation": {"max_steps": 1}}}}
    (tmp_path / "r.yaml").write_text(yaml.safe_dump(recipe))
    assert main(["train-student", str(tmp_path / "r.yaml")]) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("distill train-student: error: on_policy.teacher ") and "tokenizer differs" in err
    assert "needs a shared vocabulary" in err
    manifest = json.loads((tmp_path / "run" / "train_student" / "manifest.json").read_text())
    assert manifest["status"] == "failed"


def test_a_teacher_with_a_padded_embedding_of_the_same_tokenizer_is_matched(tiny_llama_dir, tiny_qwen_dir, tmp_path):
    """Qwen2.5 pads 7B+ embeddings to 152,064 rows and smaller ones to 151,936 over one tokenizer:
    the student's embedding is padded to the teacher's, and the run trains."""
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    teacher = AutoModelForCausalLM.from_pretrained(tiny_qwen_dir)
    rows = teacher.get_input_embeddings().weight.shape[0] + 64
    teacher.resize_token_embeddings(rows, mean_resizing=False)
    teacher.save_pretrained(tmp_path / "padded_teacher")
    AutoTokenizer.from_pretrained(tiny_qwen_dir).save_pretrained(tmp_path / "padded_teacher")
    recipe = {"seed": 0, "output_dir": str(tmp_path / "run"), "train_student": {
        "method": "on_policy", "model": str(tiny_llama_dir),
        "on_policy": {"teacher": str(tmp_path / "padded_teacher"), "prompts": PROMPTS, "plot": False,
                      "distillation": {"max_steps": 1, "per_device_train_batch_size": 2,
                                       "max_completion_length": 4, "save_strategy": "no"}}}}
    (tmp_path / "r.yaml").write_text(yaml.safe_dump(recipe))
    assert main(["train-student", str(tmp_path / "r.yaml")]) == 0
    assert AutoConfig.from_pretrained(tmp_path / "run" / "train_student").vocab_size == rows


def test_plan_is_refused_for_on_policy_in_one_line(tiny_llama_dir, tmp_path, capsys):
    recipe = {"train_student": {"method": "on_policy", "model": str(tiny_llama_dir),
                                "on_policy": {"teacher": str(tiny_llama_dir), "prompts": PROMPTS}}}
    (tmp_path / "r.yaml").write_text(yaml.safe_dump(recipe))
    assert main(["train-student", str(tmp_path / "r.yaml"), "--plan"]) == 2
    assert capsys.readouterr().err.strip() == ("distill train-student: error: --plan estimates SFT memory only; "
                                               "it has no plan for method: on_policy")


def test_lora_on_policy_saves_a_merged_student_and_its_adapter(tiny_llama_dir, tiny_qwen_dir, tmp_path):
    from transformers import AutoModelForCausalLM

    recipe = {"seed": 0, "output_dir": str(tmp_path / "run"), "train_student": {
        "method": "on_policy", "model": str(tiny_llama_dir), "lora": {"r": 4, "alpha": 8, "dropout": 0.0},
        "on_policy": {"teacher": str(tiny_qwen_dir), "prompts": PROMPTS, "plot": False,
                      "distillation": {"max_steps": 1, "per_device_train_batch_size": 2,
                                       "max_completion_length": 4, "save_strategy": "no"}}}}
    (tmp_path / "r.yaml").write_text(yaml.safe_dump(recipe))
    assert main(["train-student", str(tmp_path / "r.yaml")]) == 0
    out = tmp_path / "run" / "train_student"
    assert (out / "adapter" / "adapter_config.json").is_file()
    model = AutoModelForCausalLM.from_pretrained(out)  # a plain model: later stages load it by path
    assert not hasattr(model, "peft_config")
