"""Trainer progress through distill.progress.Progress: steps with rate and ETA, loss, tokens/s."""

from __future__ import annotations

from typing import Any

from transformers import TrainerCallback


class ProgressCallback(TrainerCallback):
    """One Progress bar over optimizer steps on the main process; ends with a summary line."""

    def __init__(self, dataset_tokens: int):
        self.dataset_tokens = dataset_tokens
        self.bar: Any = None
        self.loss: float | None = None

    def on_train_begin(self, args, state, control, **kwargs):
        if state.is_world_process_zero:
            from distill.progress import Progress

            self.bar = Progress(total=state.max_steps, desc="train-student", unit="steps", initial=state.global_step)
            self.bar.__enter__()

    def on_step_end(self, args, state, control, **kwargs):
        if self.bar is not None:
            self.bar.update(1)

    def on_log(self, args, state, control, logs=None, **kwargs):
        if self.bar is not None and logs and "loss" in logs:
            self.loss = float(logs["loss"])
            self.bar.desc = f"train-student (loss {self.loss:.4f})"

    def on_train_end(self, args, state, control, **kwargs):
        if self.bar is not None:
            self.bar.close()
            self.bar = None
