"""GRPO for `distill train-teacher` (R1-Zero style) and `distill train-baseline` (RL directly on a
small model): TRL's GRPOTrainer, configured from the recipe's section.

    from distill.train.grpo.trainer import run_grpo_stage
    summary = run_grpo_stage(recipe, "train_baseline")

What it adds around TRL: prompts from distill.sources in the recipe's template; the reward registry
(distill.train.rewards) with the shared verifiers; the vLLM/transformers choice; a compute budget;
reflection-rate logging, metrics.jsonl and the end-of-run plot; automatic resume; a manifest.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from distill.errors import DistillError, require
from distill.train.grpo.config import GRPOStageConfig

if TYPE_CHECKING:  # the recipe module imports every stage's config: only the type checker needs it here
    from distill.recipe import Recipe

log = logging.getLogger("distill.train.grpo")

METRICS_FILE = "metrics.jsonl"
PLOT_FILE = "training_curves.png"


def check_backend(section: GRPOStageConfig) -> None:
    """vLLM asked for but not installed: one line naming the fix, before any model is loaded."""
    if section.backend == "vllm":
        require("vllm", "vllm", "GRPO generation with backend: vllm (or set backend: transformers)")


# report_to name -> modules that provide it (any one will do), as transformers looks for them.
REPORTERS = {
    "tensorboard": ("tensorboard", "tensorboardX"),
    "wandb": ("wandb",),
    "mlflow": ("mlflow",),
    "trackio": ("trackio",),
    "comet_ml": ("comet_ml",),
}


def check_reporters(section: GRPOStageConfig) -> None:
    """grpo.report_to naming a logger that is not installed: one line, before the model loads
    (transformers would raise deep inside the trainer's constructor)."""
    import importlib

    wanted = section.grpo.get("report_to") or []
    for name in [wanted] if isinstance(wanted, str) else wanted:
        modules = REPORTERS.get(name)
        if not modules:
            continue
        for module in modules:
            try:
                importlib.import_module(module)
                break
            except ImportError:
                continue
        else:
            raise DistillError(
                f"grpo.report_to: {name} is not installed: pip install {modules[0]} (or drop it from report_to)"
            )


def find_checkpoint(out_dir: Path, resume: bool | str | None) -> str | None:
    """None: continue from the last checkpoint in out_dir if there is one. True: the same, but one
    must exist. False: start fresh. A path: that checkpoint."""
    from distill.train.rerun import last_complete_checkpoint

    if resume is False:
        return None
    if isinstance(resume, str):
        if not Path(resume).is_dir():
            raise DistillError(f"--resume {resume}: no such checkpoint directory")
        return resume
    last = last_complete_checkpoint(out_dir)  # one cut short while saving is skipped
    if resume is True and last is None:
        raise DistillError(f"--resume: no checkpoint-* directory in {out_dir}")
    return last


def resolve_budget(section: GRPOStageConfig) -> dict[str, Any]:
    """The BudgetCallback limits; `match_generate` read from that run's manifest."""
    from distill.manifest import read_manifest_at

    budget = dataclasses.asdict(section.budget)
    source = budget.pop("match_generate")
    if source:
        path, manifest = read_manifest_at(source, "budget.match_generate")
        tokens = (manifest.get("counts") or {}).get("completion_tokens")
        kind = manifest.get("command") or manifest.get("stage")  # a named stage's manifest names its command
        if kind != "generate" or not isinstance(tokens, int) or tokens <= 0:
            raise DistillError(
                f"budget.match_generate: {path} is not a finished `distill generate` manifest "
                f"with counts.completion_tokens"
            )
        budget["max_generated_tokens"] = tokens
    return budget


def grpo_args(section: GRPOStageConfig, out_dir: Path, seed: int, reward_weights: list[float]):
    """trl.GRPOConfig from the section: distill's keys, then the recipe's `grpo` mapping."""
    import torch
    import trl

    options: dict[str, Any] = {
        "logging_steps": 1,  # reflection rate and length per step: the curves are the point
        "report_to": "none",  # TensorBoard / W&B only when the recipe asks (grpo.report_to)
        "disable_tqdm": True,  # distill's Progress line instead
        "save_strategy": "steps",
        "save_steps": 100,
    }
    if not torch.cuda.is_available():
        options["bf16"] = False  # TRL defaults to bf16, which a CPU runs slowly or not at all
    if "gradient_checkpointing" not in section.grpo:
        from distill.train.grpo.memory import default_checkpointing

        # TRL's default is on; off when the step fits (recomputation costs ~1/3 of the training compute)
        options["gradient_checkpointing"] = default_checkpointing(
            section.model,
            section.grpo,
            max_completion_length=_max_completion_length(section),
            vllm_colocate=section.backend == "vllm" and section.vllm_mode == "colocate",
        )
    options.update(section.grpo)
    options.update(
        output_dir=str(out_dir),
        seed=seed,
        reward_weights=reward_weights,
        use_vllm=section.backend == "vllm",
        vllm_mode=section.vllm_mode,
    )
    try:
        return trl.GRPOConfig(**options)
    except (ValueError, TypeError) as exc:
        raise DistillError(f"grpo options rejected by trl.GRPOConfig: {exc}") from None


def _max_completion_length(section: GRPOStageConfig) -> int:
    import trl

    default = next(f.default for f in dataclasses.fields(trl.GRPOConfig) if f.name == "max_completion_length")
    return int(section.grpo.get("max_completion_length", default))


def build_trainer(section: GRPOStageConfig, out_dir: Path, seed: int, dataset, stage: str):
    """(trainer, budget callback): everything wired, nothing trained yet."""
    import trl
    from transformers.trainer_callback import PrinterCallback

    from distill.train.grpo.callbacks import BudgetCallback, MetricsCallback, ProgressCallback
    from distill.train.rewards import RewardContext, build_rewards

    budget = BudgetCallback(**resolve_budget(section))
    ctx = RewardContext(
        max_completion_length=_max_completion_length(section),
        overlong_buffer=section.overlong_buffer,
        language=section.language,
        on_tokens=budget.tracker.add,
    )
    funcs, weights = build_rewards(section.rewards, ctx)
    args = grpo_args(section, out_dir, seed, weights)
    peft_config = None
    if section.lora is not None:
        import peft

        peft_config = peft.LoraConfig(**section.lora)
    callbacks = [budget, MetricsCallback(out_dir / METRICS_FILE), ProgressCallback(stage, budget)]
    if section.backend == "vllm" and section.vllm_mode == "colocate":
        from distill.train.vllm_cpu import live_linear_weights_on_cpu

        if live_linear_weights_on_cpu():
            log.info("vLLM on CPU: linear layers read live weights so TRL's weight sync reaches them")
    trainer = trl.GRPOTrainer(
        model=section.model,
        reward_funcs=funcs,
        args=args,
        train_dataset=dataset,
        callbacks=callbacks,
        peft_config=peft_config,
    )
    # With tqdm off, transformers prints every log dict; metrics.jsonl and the progress line say it.
    trainer.remove_callback(PrinterCallback)
    return trainer, budget


def stage_inputs(section: GRPOStageConfig) -> list[str]:
    """Stage outputs a GRPO run reads: a prompt file or directory, and a generate run to match."""
    prompts = section.prompts
    paths = (
        [prompts.name]
        if prompts is not None and prompts.kind in ("files", "hf") and Path(prompts.name).exists()
        else []
    )
    return paths + ([section.budget.match_generate] if section.budget.match_generate else [])


def run_grpo_stage(
    recipe: Recipe, stage: str, resume: bool | str | None = None, allow_partial_input: bool = False
) -> dict[str, Any]:
    """Train, save the final model + tokenizer to the stage directory, plot; returns the summary.
    A run that finished before with the same recipe and inputs does nothing (resume=False trains again)."""
    section: GRPOStageConfig = recipe.section(stage)
    check_backend(section)  # first: a missing vLLM is reported before TRL's slow import
    check_reporters(section)
    from distill.train.rerun import clear_checkpoints, open_stage, remove_incomplete_checkpoints

    out_dir = recipe.stage_dir(stage)
    stage_run = open_stage(
        recipe, stage, stage_inputs(section), fresh=resume is False, allow_partial_input=allow_partial_input
    )
    if resume is not False and stage_run.already_complete():  # before TRL is imported: a second
        return (stage_run.previous or {}).get("training", {})
    section.validate(file=recipe.source_file, path=recipe.section_key(stage))
    checkpoint = find_checkpoint(out_dir, resume)
    with stage_run as run:
        if run.skipped:  # finished by another process meanwhile
            return (run.previous or {}).get("training", {})
        from transformers import set_seed

        from distill.train.grpo.data import build_dataset
        from distill.train.grpo.plot import plot_training_curves

        set_seed(recipe.seed)
        clear_checkpoints(out_dir) if resume is False else remove_incomplete_checkpoints(out_dir)
        if checkpoint is None and (out_dir / METRICS_FILE).exists():
            (out_dir / METRICS_FILE).unlink()  # a fresh run starts a fresh metrics file
        dataset, source_stats = build_dataset(section, recipe.seed)
        run.counts["prompts"] = source_stats
        trainer, budget = build_trainer(section, out_dir, recipe.seed, dataset, stage)
        if checkpoint:
            print(f"{stage}: resuming from {checkpoint}")
        trainer.train(resume_from_checkpoint=checkpoint)
        trainer.save_model(str(out_dir))  # the model and its tokenizer (processing_class)
        plot = plot_training_curves(out_dir / METRICS_FILE, out_dir / PLOT_FILE) if section.plot else None
        summary = _summary(trainer, budget, checkpoint, plot)
        run.counts.update(
            steps=summary["steps"], generated_tokens=summary["generated_tokens"], train_tokens=summary["train_tokens"]
        )
        run.extra["training"] = summary
    print(
        f"{stage}: {summary['steps']} steps, {summary['generated_tokens']} generated tokens, "
        f"{run.wall_seconds:.0f} s"
        + (f", stopped by budget ({budget.stopped_by})" if budget.stopped_by else "")
        + f"; model saved to {out_dir}"
    )
    return summary


def _summary(trainer, budget, checkpoint: str | None, plot: Path | None) -> dict[str, Any]:
    history = [h for h in trainer.state.log_history if any(k.startswith("rewards/") for k in h)]
    last = history[-1] if history else {}
    return {
        "steps": trainer.state.global_step,
        "resumed_from": checkpoint,
        "stopped_by_budget": budget.stopped_by,
        **budget.spent(),
        "train_tokens": int(trainer.state.num_input_tokens_seen),  # prompt + completion tokens trained on
        "final": {
            k: v for k, v in last.items() if k.startswith("rewards/") or k in ("reward", "completions/mean_length")
        },
        "plot": str(plot) if plot else None,
    }
