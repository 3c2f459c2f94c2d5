"""R1's four-stage recipes (recipes/deepseek-r1/pipeline.yaml, recipes/toy/r1.yaml) validate, and every
stage of the GPU recipe fits the GPUs it names (placement from DeepSeek-V3's config.json)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RECIPES = ["recipes/deepseek-r1/pipeline.yaml", "recipes/toy/r1.yaml"]
# config.json fields of deepseek-ai/DeepSeek-V3-Base that the plans read (a trained checkpoint: bf16).
DEEPSEEK_V3 = {
    "architectures": ["DeepseekV3ForCausalLM"], "model_type": "deepseek_v3", "hidden_size": 7168,
    "num_hidden_layers": 61, "num_attention_heads": 128, "num_key_value_heads": 128, "intermediate_size": 18432,
    "moe_intermediate_size": 2048, "n_routed_experts": 256, "n_shared_experts": 1, "first_k_dense_replace": 3,
    "vocab_size": 129280, "q_lora_rank": 1536, "kv_lora_rank": 512, "qk_nope_head_dim": 128, "qk_rope_head_dim": 64,
    "v_head_dim": 128, "max_position_embeddings": 163840, "tie_word_embeddings": False,
}
QWEN_MATH_1_5B = {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": 1536,
                  "num_hidden_layers": 28, "num_attention_heads": 12, "num_key_value_heads": 2,
                  "intermediate_size": 8960, "vocab_size": 151936, "tie_word_embeddings": True}


@pytest.mark.parametrize("recipe", RECIPES)
def test_distill_validate_accepts_the_r1_recipes(recipe):
    result = subprocess.run([sys.executable, "-m", "distill", "validate", recipe], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("recipe", RECIPES)
def test_every_named_section_validates_in_its_commands_schema(recipe, tmp_path):
    from distill.recipe import load_recipe

    loaded = load_recipe(REPO / recipe, [f"output_dir={tmp_path}"])
    stages = loaded.stage_list()
    assert [s.name for s in stages][-2:] == ["eval", "report"]
    for spec in stages:
        section = loaded.section(spec.name)
        if hasattr(section, "validate"):
            section.validate(file=recipe, path=spec.section)
        assert "${" not in json.dumps(loaded.to_dict()[spec.section], default=str), f"{spec.name}: an unresolved reference"


def _config(directory: Path, config: dict) -> str:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.json").write_text(json.dumps(config))
    return str(directory)


def test_deepseek_r1_stages_fit_the_gpus_they_name(tmp_path):
    """Each stage's plan from DeepSeek-V3's shape: SFT and GRPO policies under ZeRO-3 over 128 H200s,
    rollouts and rejection sampling of the bf16 checkpoint over 16 GPUs."""
    from distill.placement import generate_placement, plan_grpo
    from distill.recipe import load_recipe
    from distill.train.sft.trainer import make_plan

    run = tmp_path / "run"
    base = _config(tmp_path / "base", DEEPSEEK_V3)
    for stage in ("cold_start", "reasoning_rl", "sft_800k"):
        _config(run / stage, DEEPSEEK_V3)
    overrides = [f"output_dir={run}", f"cold_start.model={base}", f"sft_800k.model={base}",
                 f"student_qwen_1_5b.model={_config(tmp_path / 'qwen', QWEN_MATH_1_5B)}"]
    recipe = load_recipe(REPO / RECIPES[0], overrides)
    for name in ("cold_start", "sft_800k", "student_qwen_1_5b"):
        cfg = recipe.section(name)
        plan = make_plan(cfg, json.loads((Path(cfg.model) / "config.json").read_text()))
        assert plan.fits, (name, plan.lines())
        if name != "student_qwen_1_5b":
            assert round(plan.shape.params / 1e9) == 671 and plan.strategy.world_size == 128
    for name in ("reasoning_rl", "rl_all"):
        cfg = recipe.section(name)
        placement = plan_grpo(DEEPSEEK_V3, cfg)
        assert placement.fits, (name, placement.lines())
        assert placement.rollout is not None and placement.rollout.fits
    cfg = recipe.section("rejection_sampling")
    placement = generate_placement(cfg)
    assert placement is not None and placement.fits and placement.gpus == 16
