"""Accuracy on the held-out slice during an on-policy run (`on_policy.eval_holdout`).

Before the first step, every `every_steps` steps and at the last step, the student answers the
held-out prompts greedily (transformers' generate on the model being trained, whatever backend
samples for training) and distill's verifier scores the answers through GRPO's accuracy reward, so
"correct" means what it means for the filter, GRPO and eval. The numbers ride in the trainer's own
log at that step (`holdout/accuracy`, `holdout/scored`, `holdout/mean_length`), so they reach
metrics.jsonl, TrainerState.log_history and every `report_to` logger.

Why not TRL's eval loop: DistillationTrainer's evaluation samples at the training temperature and
returns only the loss (no completions reach `compute_metrics`), so it can give the divergence on the
held-out prompts (`eval_loss`, with `distillation.eval_strategy`) but not their accuracy.
"""

from __future__ import annotations

from typing import Any

from transformers import TrainerCallback

from distill.train.grpo.callbacks import _global_sum

ACCURACY = "holdout/accuracy"


class HoldoutAccuracyCallback(TrainerCallback):
    def __init__(self, rows: Any, tokenizer: Any, *, every_steps: int, max_new_tokens: int, batch_size: int):
        self.rows = list(rows)
        self.tokenizer = tokenizer
        self.every_steps = every_steps
        self.max_new_tokens = max_new_tokens
        self.batch_size = batch_size
        self.trainer: Any = None  # set by attach(): the step-0 result is logged through it
        self.pending: tuple[int, dict[str, float]] | None = None
        self.history: list[dict[str, float]] = []  # {"step", "holdout/accuracy", ...} per evaluation
        self.generated_tokens = 0  # greedy held-out answers, all processes: not training compute

    def attach(self, trainer: Any) -> None:
        self.trainer = trainer

    # -- trainer events ----------------------------------------------------------------------
    def on_train_begin(self, args, state, control, model=None, **kwargs):
        if state.global_step == 0 and self.trainer is not None:  # the starting point of the curve
            self.pending = (0, self.evaluate(model, 0))
            self.trainer.log({})  # merged by merge_into: a row at step 0
        return control

    def on_step_end(self, args, state, control, model=None, **kwargs):
        # should_training_stop is already set when this is the last step (max_steps, or the budget).
        if state.global_step % self.every_steps == 0 or control.should_training_stop:
            self.pending = (state.global_step, self.evaluate(model, state.global_step))
            control.should_log = True  # so the numbers are logged at this very step
        return control

    def merge_into(self, logs: dict[str, float], step: int) -> None:
        """Called by the trainer's log(): the pending result joins that step's training log."""
        if self.pending is not None and self.pending[0] == step and not any(k.startswith("eval_") for k in logs):
            logs.update(self.pending[1])
            self.pending = None

    # -- evaluation --------------------------------------------------------------------------
    def evaluate(self, model: Any, step: int) -> dict[str, float]:
        """Greedy answers to this process's share of the rows, scored, summed over processes."""
        import torch.distributed as dist

        distributed = dist.is_available() and dist.is_initialized()
        rank, world = (dist.get_rank(), dist.get_world_size()) if distributed else (0, 1)
        correct, scored, tokens = score_rows(
            model,
            self.tokenizer,
            self.rows[rank::world],
            max_new_tokens=self.max_new_tokens,
            batch_size=self.batch_size,
        )
        correct_sum, scored_sum, tokens_sum = (_global_sum(v) for v in (correct, scored, tokens))
        self.generated_tokens += int(tokens_sum)
        result = {
            ACCURACY: correct_sum / scored_sum if scored_sum else 0.0,
            "holdout/scored": scored_sum,
            "holdout/mean_length": tokens_sum / len(self.rows),
        }
        self.history.append({"step": step, **result})
        return result


def render(tokenizer: Any, prompt: Any) -> tuple[list[int], str]:
    """(prompt ids, prompt text) as TRL's trainer tokenizes a prompt for generation."""
    if isinstance(prompt, list):  # a conversation: the (checked) chat template with the generation prompt
        text = tokenizer.apply_chat_template(prompt, add_generation_prompt=True, tokenize=False)
        ids = tokenizer.apply_chat_template(prompt, add_generation_prompt=True, tokenize=True, return_dict=True)
        return list(ids["input_ids"]), text
    return tokenizer(text=prompt)["input_ids"], prompt


def score_rows(
    model: Any, tokenizer: Any, rows: list[dict], *, max_new_tokens: int, batch_size: int
) -> tuple[int, int, int]:
    """(correct, scored, completion tokens) of greedy answers; unscorable rows are not counted."""
    import torch
    from transformers import GenerationConfig

    from distill.train.rewards.accuracy import accuracy_reward

    eos = model.generation_config.eos_token_id
    eos_ids = set(eos if isinstance(eos, list) else [eos])
    config = GenerationConfig(
        do_sample=False,
        max_new_tokens=max_new_tokens,
        eos_token_id=eos,
        pad_token_id=tokenizer.pad_token_id,
        use_cache=True,
    )
    was_training = model.training
    model.eval()
    correct = scored = tokens = 0
    try:
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            rendered = [render(tokenizer, row["prompt"]) for row in batch]
            enc = tokenizer.pad({"input_ids": [ids for ids, _ in rendered]}, return_tensors="pt").to(model.device)
            with torch.no_grad():
                out = model.generate(**enc, generation_config=config)
            texts = []
            for ids in out[:, enc["input_ids"].shape[1] :].tolist():
                cut = next((i for i, t in enumerate(ids) if t in eos_ids), len(ids))
                tokens += min(cut + 1, len(ids))  # the stop token is generated too
                texts.append(tokenizer.decode(ids[:cut], skip_special_tokens=True))
            scores = accuracy_reward(
                [text for _, text in rendered],
                texts,
                answer=[r["answer"] for r in batch],
                domain=[r["domain"] for r in batch],
                tests=[r["tests"] for r in batch],
            )
            correct += sum(1 for s in scores if s == 1.0)
            scored += sum(1 for s in scores if s is not None)
    finally:
        model.train(was_training)
    return correct, scored, tokens
