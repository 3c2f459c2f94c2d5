"""What distill's DistillationTrainer subclass relies on in TRL (written for TRL 1.16): it overrides
only the public Trainer methods compute_loss and log, and reads `completion_mask` (and `tool_mask`)
from the training batch to count the tokens the student sampled. On a TRL upgrade that changes
these, this file fails first; at run time a batch without the mask stops the run in one line."""

import inspect

import pytest
import torch

from distill.errors import DistillError


def test_the_overridden_trl_methods_keep_their_signatures():
    import trl

    assert list(inspect.signature(trl.DistillationTrainer.compute_loss).parameters) == [
        "self", "model", "inputs", "return_outputs", "num_items_in_batch"]
    assert list(inspect.signature(trl.DistillationTrainer.log).parameters) == ["self", "logs", "start_time"]
    # TRL builds the training batch with these keys (its own loss reads them too).
    source = inspect.getsource(trl.DistillationTrainer._generate_and_score_completions)
    assert '"completion_mask"' in source and '"tool_mask"' in source


def test_generated_tokens_counts_the_mask_and_leaves_tool_tokens_out():
    from distill.train.on_policy import generated_tokens

    mask = torch.tensor([[1, 1, 1, 0], [1, 1, 0, 0]])
    assert generated_tokens({"completion_mask": mask}) == 5
    assert generated_tokens({"completion_mask": mask, "tool_mask": torch.tensor([[1, 0, 1, 1], [1, 1, 1, 1]])}) == 4


def test_a_batch_without_the_mask_is_one_line_naming_the_trl_version():
    import trl

    from distill.train.on_policy import generated_tokens

    with pytest.raises(DistillError) as info:
        generated_tokens({"completion_ids": torch.ones(1, 2)})
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"TRL {trl.__version__}: ") and "written for TRL 1.16" in message
