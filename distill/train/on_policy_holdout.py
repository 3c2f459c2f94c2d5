"""The held-out slice of an on-policy run (`on_policy.eval_holdout`): which prompts the student is
scored on during training and never trains on.

    train, held_out, counts = split_prompts(dataset, section, seed)

`eval_holdout.prompts: N` takes N of the training prompts (a seeded pick) out of training; a source
there reads its own prompts, and any training prompt that renders to the same prompt is taken out of
training, so a held-out prompt is never trained on either way.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from distill.errors import DistillError
from distill.train.on_policy_config import OnPolicySection

HOLDOUT_FILE = "holdout_prompts.jsonl"  # in the stage directory: the held-out rows, for audit


def split_prompts(dataset: Any, section: OnPolicySection, seed: int) -> tuple[Any, Any | None, dict[str, Any]]:
    """(training rows, held-out rows or None, counts for the manifest)."""
    holdout = section.eval_holdout
    if holdout is None:
        return dataset, None, {}
    if isinstance(holdout.prompts, int):
        return _hold_out_count(dataset, holdout.prompts, seed)
    return _hold_out_source(dataset, section, seed)


def _hold_out_count(dataset: Any, n: int, seed: int) -> tuple[Any, Any, dict[str, Any]]:
    if n >= len(dataset):
        raise DistillError(
            f"on_policy.eval_holdout.prompts: holding out {n} of the {len(dataset)} training "
            f"prompts leaves none to train on"
        )
    order = random.Random(seed).sample(range(len(dataset)), len(dataset))
    held, kept = sorted(order[:n]), sorted(order[n:])
    counts = {"from": "training prompts", "held_out": n, "removed_from_training": n, "training": len(kept)}
    return dataset.select(kept), dataset.select(held), counts


def _hold_out_source(dataset: Any, section: OnPolicySection, seed: int) -> tuple[Any, Any, dict[str, Any]]:
    import datasets

    from distill.sources import load_prompts_with_stats
    from distill.train.grpo.data import to_rows

    assert section.eval_holdout is not None  # called only when eval_holdout is set
    source = section.eval_holdout.prompts
    prompts, stats = load_prompts_with_stats(source, seed=seed)
    if not prompts:
        raise DistillError(f"on_policy.eval_holdout.prompts {source.name!r}: no usable prompts ({stats.as_dict()})")
    held = datasets.Dataset.from_list(to_rows(prompts, section))
    # Rendered with the same template, equal prompts mean equal problems.
    seen = {_key(p) for p in held["prompt"]}
    kept = [i for i, p in enumerate(dataset["prompt"]) if _key(p) not in seen]
    if not kept:
        raise DistillError(
            f"on_policy.eval_holdout.prompts {source.name!r}: every training prompt is among the "
            f"held-out ones; none is left to train on"
        )
    counts = {
        "from": source.name,
        "read": stats.as_dict(),
        "held_out": len(held),
        "removed_from_training": len(dataset) - len(kept),
        "training": len(kept),
    }
    return dataset.select(kept), held, counts


def _key(prompt: Any) -> str:
    return json.dumps(prompt, sort_keys=True).strip()


def write_holdout(rows: Any, out_dir: Path) -> Path:
    """The held-out rows (id, answer, domain, tests, prompt) beside the model, so a reader can check them."""
    path = Path(out_dir) / HOLDOUT_FILE
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps({k: row[k] for k in ("id", "answer", "domain", "tests", "prompt")}) + "\n")
    return path
