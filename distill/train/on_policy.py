"""On-policy distillation for `distill train-student` with `method: on_policy`: the student samples
completions to the prompts and the teacher scores every token of them (generalized JSD; `beta: 1`
is the reverse KL of on-policy distillation), through TRL's DistillationTrainer.

    from distill.train.on_policy import run_on_policy
    summary = run_on_policy(recipe)          # the recipe's train_student section, method: on_policy

What it adds around TRL: prompts from distill.sources in GRPO's templates; the student's chat
template checked as for SFT (sft/chat_template.py) and a teacher refused unless it shares the student's
tokenizer; GRPO's compute budget (generated tokens, wall/GPU hours, or matched to another stage's
manifest) carried over a resume; metrics.jsonl, a progress line and the end-of-run plot (divergence
and response length per step); with `eval_holdout`, greedy accuracy on held-out prompts during
training (on_policy_holdout.py, on_policy_accuracy.py); the final model directory and a manifest
with the compute spent.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from distill.errors import DistillError, require
from distill.train.grpo.trainer import METRICS_FILE, PLOT_FILE, find_checkpoint
from distill.train.on_policy_config import OnPolicySection
from distill.train.sft.config import StudentConfig

if TYPE_CHECKING:  # the recipe module imports every stage's config: only the type checker needs it here
    from distill.recipe import Recipe

log = logging.getLogger("distill.train.on_policy")

STAGE = "train_student"  # the section the command reads unless given a stage name


def resolve_budget(section: OnPolicySection) -> dict[str, Any]:
    """BudgetCallback limits: GRPO's resolution (match_generate), then `match_stage` read from that
    stage's manifest (its counts.generated_tokens: what the RL baseline sampled, for instance)."""
    from distill.manifest import read_manifest_at
    from distill.train.grpo.config import BudgetConfig
    from distill.train.grpo.trainer import resolve_budget as grpo_budget

    budget = dataclasses.asdict(section.budget)
    source = budget.pop("match_stage")
    limits = grpo_budget(SimpleNamespace(budget=BudgetConfig(**budget)))  # type: ignore[arg-type]  # reads .budget only
    if source:
        path, manifest = read_manifest_at(source, "on_policy.budget.match_stage")
        tokens = (manifest.get("counts") or {}).get("generated_tokens")
        if manifest.get("status") != "ok" or not isinstance(tokens, int) or tokens <= 0:
            raise DistillError(
                f"on_policy.budget.match_stage: {path} is not a finished training manifest "
                f"with counts.generated_tokens (a train-baseline, train-teacher or on-policy run)"
            )
        limits["max_generated_tokens"] = tokens
    return limits


def check_same_tokenizer(student: Any, teacher: Any, teacher_name: str) -> None:
    """TRL's trainer compares the two next-token distributions id by id, so every student token must
    be the same id for the teacher (a teacher may have extra tokens above the student's)."""
    theirs = teacher.get_vocab()
    for token, index in sorted(student.get_vocab().items(), key=lambda item: item[1]):
        other = theirs.get(token)
        if other != index:
            where = f"id {other}" if other is not None else "absent"
            raise DistillError(
                f"on_policy.teacher {teacher_name}: its tokenizer differs from the student's (token {token!r} is "
                f"id {index} for the student, {where} for the teacher); TRL's DistillationTrainer needs a shared "
                f"vocabulary: use a teacher of the student's tokenizer family"
            )


def prepare_student_tokenizer(cfg: StudentConfig) -> tuple[Any, Any]:
    """The student's tokenizer with its chat template checked as for SFT, left padding for
    generation. Returns (tokenizer, chat template choice)."""
    from transformers import AutoTokenizer

    from distill.train.sft import chat_template as ct

    tokenizer = AutoTokenizer.from_pretrained(cfg.model)
    choice = ct.resolve_chat_template(tokenizer, cfg.chat_template)
    if choice.added_tokens:  # new tokens would need new embeddings the teacher does not have
        raise DistillError(
            f"train_student.model {cfg.model}: its chat template is unfit ({choice.replaced_because}) and distill's "
            f"would add tokens ({', '.join(choice.added_tokens)}) the teacher cannot score; run SFT first "
            f"(method: sft) so the student has a checked template"
        )
    ct.install(tokenizer, choice)
    eos = cfg.eos_token or choice.stop_token
    tokenizer.eos_token = eos
    tokenizer.pad_token = ct.choose_pad_token(tokenizer, eos)
    tokenizer.padding_side = "left"  # TRL generates from left-padded prompts
    return tokenizer, choice


def load_teacher_parts(name: str) -> tuple[Any, Any]:
    """(tokenizer, config) of the teacher, without its weights: enough to refuse a mismatch early."""
    from transformers import AutoConfig, AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(name), AutoConfig.from_pretrained(name)
    except (OSError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DistillError(f"on_policy.teacher: cannot load {name} ({first})") from None


def load_student(cfg: StudentConfig, tokenizer: Any, teacher_vocab: int, *, attention: str, dtype: str) -> Any:
    """The student, its embedding padded to the teacher's when only the padding differs (Qwen2.5
    pads 0.5B-3B embeddings to 151,936 rows and 7B+ to 152,064 over the same tokenizer)."""
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(cfg.model, dtype=getattr(torch, dtype), attn_implementation=attention)
    own = model.get_input_embeddings().weight.shape[0]
    if own < teacher_vocab:
        log.info("student embedding padded from %d to the teacher's %d rows (same tokenizer)", own, teacher_vocab)
        model.resize_token_embeddings(teacher_vocab, mean_resizing=False)
    elif own > teacher_vocab:
        raise DistillError(
            f"on_policy.teacher: its vocabulary has {teacher_vocab} rows, fewer than the student's "
            f"{own}; TRL's DistillationTrainer needs the same vocabulary size"
        )
    model.generation_config.eos_token_id = _eos_ids(
        model.generation_config.eos_token_id, tokenizer.convert_tokens_to_ids(tokenizer.eos_token)
    )
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    return model


def _eos_ids(current: Any, stop_id: int) -> list[int]:
    ids = current if isinstance(current, list) else [current] if current is not None else []
    return [stop_id] + [i for i in ids if i != stop_id]


def distillation_args(section: OnPolicySection, out_dir: Path, seed: int, dtype: str, attention: str = "sdpa") -> Any:
    """trl.DistillationConfig: distill's defaults, then the recipe's `distillation` mapping, then the
    keys distill owns."""
    import trl

    options: dict[str, Any] = {
        "logging_steps": 1,  # divergence and length per step: the curves are the point
        "report_to": "none",
        "disable_tqdm": True,  # distill's progress line instead
        "save_strategy": "steps",
        "save_steps": 100,
        # The teacher as the student: TRL's default would load it in float32 with default attention.
        "teacher_model_init_kwargs": {"dtype": dtype, "attn_implementation": attention},
        **section.distillation,
    }
    if dtype == "float32":
        options["gradient_checkpointing"] = section.distillation.get("gradient_checkpointing", False)
    options.update(output_dir=str(out_dir), seed=seed, bf16=dtype == "bfloat16", fp16=dtype == "float16")
    try:
        return trl.DistillationConfig(**options)
    except (ValueError, TypeError) as exc:
        first = str(exc).strip().splitlines()[0]
        raise DistillError(
            f"train_student.on_policy.distillation: trl.DistillationConfig refused the options: {first}"
        ) from None


# The TRL release distill's trainer subclass was written against; a TRL whose batches lack what it
# reads stops the run in one line naming both versions (tests/train/test_on_policy_trl_contract.py
# fails first, on an upgrade).
TRL_WRITTEN_FOR = "1.16"


def trainer_class() -> type:
    """TRL's DistillationTrainer with two additions through public Trainer methods:
    compute_loss counts the completion tokens the student sampled (the budget's currency, as for
    GRPO; per process, BudgetCallback sums over processes), and log merges the held-out accuracy
    into the step's log (on_policy_accuracy.py)."""
    import trl

    class CountingDistillationTrainer(trl.DistillationTrainer):
        token_tracker = None
        holdout = None  # HoldoutAccuracyCallback when eval_holdout is set

        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            if self.model.training and self.token_tracker is not None:
                self.token_tracker.add(generated_tokens(inputs))
            return super().compute_loss(
                model, inputs, return_outputs=return_outputs, num_items_in_batch=num_items_in_batch
            )

        def log(self, logs, start_time=None):
            if self.holdout is not None:
                self.holdout.merge_into(logs, self.state.global_step)
            super().log(logs, start_time)

    return CountingDistillationTrainer


def generated_tokens(inputs: Any) -> int:
    """Completion tokens in one micro-batch of DistillationTrainer's (generated, then split) batch:
    each sampled completion is in exactly one micro-batch, right-padded, its mask 1 on its tokens
    (tool-call tokens, which the student did not sample, are 0 in tool_mask)."""
    mask = inputs.get("completion_mask") if isinstance(inputs, dict) else None
    if mask is None:
        import trl

        raise DistillError(
            f"TRL {trl.__version__}: DistillationTrainer's training batches have no 'completion_mask', "
            f"which distill's generated-token count reads (written for TRL {TRL_WRITTEN_FOR}); "
            f"install trl=={TRL_WRITTEN_FOR}.* or update distill/train/on_policy.py"
        )
    if inputs.get("tool_mask") is not None:
        mask = mask * inputs["tool_mask"]
    return int(mask.sum().item())


def build_trainer(
    cfg: StudentConfig, recipe: Recipe, out_dir: Path, dataset: Any, held_out: Any = None
) -> tuple[Any, Any, dict[str, Any]]:
    """(trainer, budget callback, facts for the manifest): everything wired, nothing trained yet.
    `held_out`: the eval_holdout rows (greedy accuracy during training; TRL's eval_dataset too)."""
    from transformers.trainer_callback import PrinterCallback

    from distill.train import model_loading as ml
    from distill.train.grpo.callbacks import BudgetCallback, MetricsCallback, ProgressCallback

    section = cfg.on_policy
    assert section is not None  # method: on_policy (StudentConfig requires the section)
    tokenizer, choice = prepare_student_tokenizer(cfg)
    teacher_tokenizer, teacher_config = load_teacher_parts(section.teacher)
    check_same_tokenizer(tokenizer, teacher_tokenizer, section.teacher)
    dtype = ml.resolve_dtype(cfg.dtype)
    attention = ml.resolve_attention(cfg.attention)
    attention = "sdpa" if attention == "flex_attention" else attention  # no packing here: flex buys nothing
    teacher_vocab = teacher_config.get_text_config().vocab_size
    budget = BudgetCallback(**resolve_budget(section))
    args = distillation_args(section, out_dir, recipe.seed, dtype, attention)
    student = load_student(cfg, tokenizer, teacher_vocab, attention=attention, dtype=dtype)
    if args.use_vllm:
        require("vllm", "vllm", "on-policy generation with on_policy.distillation.use_vllm: true")
        if args.vllm_mode == "colocate":
            from distill.train.vllm_cpu import live_linear_weights_on_cpu

            if live_linear_weights_on_cpu():  # as for GRPO: TRL's weight sync must reach vLLM's layers
                log.info("vLLM on CPU: linear layers read live weights so TRL's weight sync reaches them")
    holdout = holdout_callback(section, held_out, tokenizer, args.max_completion_length)
    callbacks = [
        budget,
        *([holdout] if holdout else []),
        MetricsCallback(out_dir / METRICS_FILE),
        ProgressCallback("on-policy", budget),
    ]
    cls = trainer_class()
    trainer = cls(
        model=student,
        teacher_model=section.teacher,
        args=args,
        train_dataset=dataset,
        eval_dataset=held_out,
        processing_class=tokenizer,
        peft_config=ml.peft_config(cfg),
        callbacks=callbacks,
    )
    trainer.token_tracker = budget.tracker
    if holdout is not None:
        trainer.holdout = holdout
        holdout.attach(trainer)
    trainer.remove_callback(PrinterCallback)  # with tqdm off, transformers prints every log dict
    facts = {
        "teacher": section.teacher,
        "chat_template": choice.source,
        "stop_token": tokenizer.eos_token,
        "pad_token": tokenizer.pad_token,
        "dtype": dtype,
        "beta": args.beta,
        "max_completion_length": args.max_completion_length,
    }
    return trainer, budget, facts


def holdout_callback(section: OnPolicySection, rows: Any, tokenizer: Any, max_completion_length: int) -> Any:
    if rows is None:
        return None
    from distill.train.on_policy_accuracy import HoldoutAccuracyCallback

    holdout = section.eval_holdout
    assert holdout is not None  # rows exist only when eval_holdout is set
    return HoldoutAccuracyCallback(
        rows,
        tokenizer,
        every_steps=holdout.every_steps,
        batch_size=holdout.batch_size,
        max_new_tokens=holdout.max_new_tokens or max_completion_length,
    )


def run_on_policy(
    recipe: Recipe,
    *,
    resume: bool | None = None,
    fresh: bool = False,
    allow_partial_input: bool = False,
    name: str = STAGE,
) -> dict[str, Any]:
    """Train, save the final model + tokenizer to the stage directory, plot; returns the summary.
    Under `accelerate launch` every process trains; the main one writes the manifest and plot.
    A finished run rerun with the same recipe and inputs does nothing (`fresh` trains again)."""
    from contextlib import nullcontext

    from transformers import set_seed

    from distill.train.grpo.data import build_dataset
    from distill.train.on_policy_holdout import split_prompts, write_holdout
    from distill.train.rerun import clear_checkpoints, open_stage
    from distill.train.sft.trainer import is_main_process, save_student

    cfg: StudentConfig = recipe.section(name)
    cfg.validate(file=recipe.source_file, path=recipe.section_key(name))
    assert cfg.on_policy is not None  # method: on_policy (StudentConfig requires the section)
    out_dir = recipe.stage_dir(name)
    wanted = cfg.resume if resume is None else resume
    checkpoint = None if fresh else find_checkpoint(out_dir, None if wanted == "auto" else wanted)
    set_seed(recipe.seed)
    main = is_main_process()
    # The student it starts from and the teacher, where they are stage outputs, must be finished.
    inputs = [p for p in (cfg.model, cfg.on_policy.teacher) if Path(p).exists()]
    ctx = (
        open_stage(recipe, name, inputs, fresh=fresh, allow_partial_input=allow_partial_input)
        if main
        else nullcontext()
    )
    with ctx as run:
        if run is not None and run.skipped:
            return {**(run.previous or {}).get("training", {}), "output_dir": str(out_dir), "skipped": True}
        if run is not None and fresh:
            clear_checkpoints(out_dir)
        if main and checkpoint is None and (out_dir / METRICS_FILE).exists():
            (out_dir / METRICS_FILE).unlink()  # a fresh run starts a fresh metrics file
        dataset, source_stats = build_dataset(cfg.on_policy, recipe.seed)
        dataset, held_out, holdout_counts = split_prompts(dataset, cfg.on_policy, recipe.seed)
        if held_out is not None and main:
            write_holdout(held_out, out_dir)
        trainer, budget, facts = build_trainer(cfg, recipe, out_dir, dataset, held_out)
        if checkpoint and main:
            print(f"on-policy: resuming from {checkpoint}", file=sys.stderr)
        trainer.train(resume_from_checkpoint=checkpoint)
        # As SFT saves: the weights (a LoRA adapter merged in, kept beside it), the tokenizer with its
        # checked chat template, a generation_config that stops on the stop token.
        save_student(trainer, cfg, out_dir, trainer.processing_class.eos_token)
        summary = _summary(trainer, budget, checkpoint, _plot(cfg.on_policy, out_dir) if main else None)
        if run is not None:
            if holdout_counts:
                run.counts["holdout"] = holdout_counts
            run.counts.update(
                prompts=source_stats,
                steps=summary["steps"],
                generated_tokens=summary["generated_tokens"],
                train_tokens=summary["train_tokens"],
            )
            run.extra.update(method="on_policy", training={**facts, **summary})
    if main:
        assert run is not None  # the main process opened the stage
        print(
            f"on-policy: {summary['steps']} steps, {summary['generated_tokens']} generated tokens, "
            f"{run.wall_seconds:.0f} s"
            + (f", stopped by budget ({budget.stopped_by})" if budget.stopped_by else "")
            + f"; model saved to {out_dir}",
            file=sys.stderr,
        )
    return {**summary, "output_dir": str(out_dir)}


def _plot(section: OnPolicySection, out_dir: Path) -> Path | None:
    from distill.train.on_policy_plot import plot_curves

    return plot_curves(out_dir / METRICS_FILE, out_dir / PLOT_FILE) if section.plot else None


def _summary(trainer: Any, budget: Any, checkpoint: str | None, plot: Path | None) -> dict[str, Any]:
    history = [h for h in trainer.state.log_history if "completions/mean_length" in h]
    first, last = (history[0], history[-1]) if history else ({}, {})
    return {
        "steps": trainer.state.global_step,
        "resumed_from": checkpoint,
        "stopped_by_budget": budget.stopped_by,
        **budget.spent(),
        # prompt + completion tokens through the student's forward and backward (and the teacher's forward)
        "train_tokens": int(trainer.state.num_input_tokens_seen),
        "first": {k: first.get(k) for k in ("loss", "completions/mean_length")},
        "final": {k: last.get(k) for k in ("loss", "completions/mean_length", "entropy")},
        "plot": str(plot) if plot else None,
        **_holdout_summary(trainer.holdout),
    }


def _holdout_summary(holdout: Any) -> dict[str, Any]:
    """First and last held-out accuracy, and what the greedy answers cost (not in the budget)."""
    if holdout is None or not holdout.history:
        return {}
    first, last = holdout.history[0], holdout.history[-1]
    return {
        "holdout": {
            "prompts": len(holdout.rows),
            "every_steps": holdout.every_steps,
            "first": first,
            "final": last,
            "generated_tokens": holdout.generated_tokens,
        }
    }
