"""LoRA with tokens distill had to add (a base model whose vocabulary has no chat format): the new
rows are trainable instead of the run being refused, so the student can still learn its stop token."""

from __future__ import annotations

from types import SimpleNamespace


def test_lora_trains_the_embedding_rows_of_added_tokens(tiny_qwen_dir):
    import peft
    import torch
    from transformers import AutoModelForCausalLM

    from distill.train.model_loading import peft_config
    from distill.train.sft_config import LoraSection

    model = AutoModelForCausalLM.from_pretrained(tiny_qwen_dir, dtype=torch.float32)
    old = model.get_input_embeddings().weight.shape[0]
    model.resize_token_embeddings(old + 2)
    new_ids = [old, old + 1]
    tied = bool(model.config.tie_word_embeddings)
    config = peft_config(SimpleNamespace(lora=LoraSection(r=4)), trainable_tokens=new_ids, tied=tied)
    wrapped = peft.get_peft_model(model, config)
    trainable = [n for n, p in wrapped.named_parameters() if p.requires_grad]
    assert any("token_adapter" in n or "trainable_tokens" in n for n in trainable), trainable
    ids = torch.tensor([[1, 2, old, old + 1]])
    loss = wrapped(input_ids=ids, labels=ids).loss
    loss.backward()
    grads = [p.grad for n, p in wrapped.named_parameters() if p.requires_grad and ("trainable_tokens" in n)]
    assert grads and all(g is not None and g.abs().sum() > 0 for g in grads)
