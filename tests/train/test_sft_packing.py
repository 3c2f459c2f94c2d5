"""Packing is exact: a packed row (TRL's padding-free collator, position_ids reset per trace) gives the
same per-token loss as the same traces run one by one, for every attention backend distill may pick
on a CPU. If traces attended across their boundaries, the later traces' losses would differ."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")


def _examples(tokenizer, n=4):
    from distill.toy.tasks import make_problems

    from distill.train.sft.chat_template import check_template
    from distill.train.sft.data import _tokenize

    assert check_template(tokenizer, tokenizer.chat_template).ok
    eos = tokenizer.convert_tokens_to_ids("<|im_end|>")
    rows = []
    for p in make_problems("arithmetic", "train", n, difficulty=2):
        msgs = [{"role": "user", "content": p["problem"]}, {"role": "assistant", "content": p["solution"]}]
        out = _tokenize({"messages": msgs}, tokenizer, tokenizer.chat_template, 4096, eos)
        assert not out["reject"]
        rows.append({"input_ids": out["input_ids"], "labels": out["labels"]})
    return rows


def _token_losses(model, batch):
    import torch.nn.functional as F

    batch = dict(batch)
    labels = batch.pop("labels")
    # use_cache=False as in training (SFTTrainer sets it): transformers only reads packed position_ids
    # as document boundaries when there is no KV cache.
    logits = model(**batch, use_cache=False).logits.float()
    shift_logits, shift_labels = logits[:, :-1], labels[:, 1:]
    loss = F.cross_entropy(shift_logits.reshape(-1, shift_logits.size(-1)), shift_labels.reshape(-1),
                           ignore_index=-100, reduction="none")
    return loss[shift_labels.reshape(-1) != -100]


# flex_attention compiles once per shape: minutes on a shared 2-core CPU, so it runs with -m slow.
@pytest.mark.parametrize("attention", ["sdpa", "eager", pytest.param("flex_attention", marks=pytest.mark.slow)])
def test_packed_loss_equals_unpacked(tiny_qwen_dir, attention):
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl.trainer.sft_trainer import DataCollatorForLanguageModeling

    tokenizer = AutoTokenizer.from_pretrained(tiny_qwen_dir)
    rows = _examples(tokenizer)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(tiny_qwen_dir, attn_implementation=attention, dtype=torch.float32)
    model.eval()

    # One packed row exactly as SFTTrainer builds it with packing=True (bfd): a `seq_lengths` column.
    packed = [{"input_ids": sum((r["input_ids"] for r in rows), []), "labels": sum((r["labels"] for r in rows), []),
               "seq_lengths": [len(r["input_ids"]) for r in rows]}]
    collate = DataCollatorForLanguageModeling(pad_token_id=tokenizer.pad_token_id, padding_free=True)
    batch = collate(packed)
    assert "attention_mask" not in batch and batch["position_ids"][0, len(rows[0]["input_ids"])] == 0
    batch = {k: batch[k] for k in ("input_ids", "position_ids", "labels")}
    with torch.no_grad():
        packed_losses = _token_losses(model, batch)
        single = torch.cat([
            _token_losses(model, {"input_ids": torch.tensor([r["input_ids"]]), "labels": torch.tensor([r["labels"]])})
            for r in rows
        ])
        # The same rows padded into one batch with an attention mask (the unpacked trainer path).
        padded = DataCollatorForLanguageModeling(pad_token_id=tokenizer.pad_token_id)(
            [{"input_ids": r["input_ids"], "labels": r["labels"]} for r in rows])
        padded_losses = _token_losses(model, dict(padded))

    # The collator masks the first label of every trace; single runs never predict position 0 either.
    assert packed_losses.numel() == single.numel() == padded_losses.numel()
    torch.testing.assert_close(packed_losses, single, rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(packed_losses.mean(), padded_losses.mean(), rtol=1e-5, atol=1e-5)

    # Control: the same packed row WITHOUT position resets lets traces see each other and changes the loss.
    leaky = dict(batch, position_ids=torch.arange(batch["input_ids"].size(1))[None])
    with torch.no_grad():
        leaky_losses = _token_losses(model, leaky)
    assert not torch.allclose(leaky_losses, single, rtol=1e-4, atol=1e-4)
