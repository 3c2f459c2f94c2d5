"""GRPO gradient checkpointing: off when the step fits (TRL's own default is on), on when it does not,
and whatever the recipe says when it says it."""

from __future__ import annotations

from distill.train.grpo.memory import needs_checkpointing

QWEN_1_5B = {"model_type": "qwen2", "hidden_size": 1536, "num_hidden_layers": 28, "num_attention_heads": 12,
             "num_key_value_heads": 2, "intermediate_size": 8960, "vocab_size": 151936, "tie_word_embeddings": True}
QWEN_32B = {"model_type": "qwen2", "hidden_size": 5120, "num_hidden_layers": 64, "num_attention_heads": 40,
            "num_key_value_heads": 8, "intermediate_size": 27648, "vocab_size": 152064, "tie_word_embeddings": False}


def test_off_on_a_cpu_where_there_is_no_device_memory_to_save():
    assert needs_checkpointing(QWEN_32B, {}, max_completion_length=4096, device_gib=None) is False


def test_off_for_a_small_model_whose_step_fits_and_on_for_one_that_does_not():
    grpo = {"per_device_train_batch_size": 4}
    assert needs_checkpointing(QWEN_1_5B, grpo, max_completion_length=1024, device_gib=80.0) is False
    assert needs_checkpointing(QWEN_32B, grpo, max_completion_length=1024, device_gib=80.0) is True


def test_colocated_vllm_share_counts_against_training_memory():
    grpo = {"per_device_train_batch_size": 4}  # ~32 GiB without checkpointing
    fits_alone = not needs_checkpointing(QWEN_1_5B, grpo, max_completion_length=1024, device_gib=80.0)
    with_vllm = needs_checkpointing(QWEN_1_5B, grpo, max_completion_length=1024, device_gib=80.0,
                                    colocated_vllm_fraction=0.7)
    assert fits_alone and with_vllm


def test_unknown_model_shape_keeps_trls_default():
    assert needs_checkpointing(None, {}, max_completion_length=256, device_gib=80.0) is True


def test_grpo_args_use_the_decision_unless_the_recipe_sets_it(tiny_qwen_dir, tmp_path):
    from distill.recipe import recipe_from_dict
    from distill.train.grpo.trainer import grpo_args

    def args_for(grpo):
        recipe = recipe_from_dict({"seed": 0, "output_dir": str(tmp_path), "train_baseline": {
            "model": str(tiny_qwen_dir), "prompts": {"kind": "toy", "name": "arithmetic", "limit": 4}, "grpo": grpo}})
        return grpo_args(recipe.train_baseline, tmp_path / "out", 0, [1.0, 0.2, 0.0])

    assert args_for({}).gradient_checkpointing is False  # CPU: the step always fits
    assert args_for({"gradient_checkpointing": True}).gradient_checkpointing is True
