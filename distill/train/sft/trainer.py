"""`distill train-student`: SFT of a student on filtered traces with TRL's SFTTrainer.

What distill adds around SFTTrainer (everything else is TRL's, passed through from `sft:`):
- a chat template checked to keep `<think>` and to train the stop token (chat_template.py);
- labels on assistant tokens only, over-long traces dropped instead of truncated (data.py);
- packing with per-trace position_ids and the fastest attention that respects trace boundaries
  (model_loading.py), static packed shapes for flex_attention;
- a memory plan that decides gradient checkpointing (memory_plan.py);
- resume from the last checkpoint, a manifest, and a final model directory (weights, tokenizer with
  the training chat template, generation_config whose eos includes the stop token) that later
  stages load by path.
"""

from __future__ import annotations

import logging
import os
import sys
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from distill.errors import DistillError
from distill.train.sft.config import StudentConfig

if TYPE_CHECKING:  # the recipe module imports every stage's config: only the type checker needs it here
    from distill.recipe import Recipe

log = logging.getLogger(__name__)


def is_main_process() -> bool:
    return int(os.environ.get("RANK", "0")) == 0


def preflight(
    recipe: Recipe, cfg: StudentConfig, *, need_data: bool = True, name: str = "train_student"
) -> dict[str, Any]:
    """Every check that needs no weights: fails in one line before anything is trained or launched."""
    from distill.train.model_loading import read_model_config
    from distill.train.sft.data import check_dataset_exists, resolve_dataset
    from distill.train.sft.launch import check_accelerate_config

    cfg.validate(file=recipe.source_file, path=recipe.section_key(name))
    check_accelerate_config(cfg)
    config = read_model_config(cfg.model)
    if need_data:
        check_dataset_exists(resolve_dataset(cfg.dataset, recipe, name))
    return config


PLAN_SAMPLE_ROWS = 1000


def plan_run(recipe: Recipe, cfg: StudentConfig, out: Any = None, name: str = "train_student") -> None:
    """`--plan`: the memory plan, then every check a run makes before training; writes nothing.

    Raises DistillError on the first check that fails (after printing the plan and the checks passed).
    """
    from distill.train.sft.launch import check_launcher, needs_launch

    out = out or sys.stdout
    model_config = preflight(recipe, cfg, need_data=False, name=name)
    print("\n".join(make_plan(cfg, model_config).lines()), file=out)
    launcher = cfg.accelerate_config or ("none: one process" if cfg.world_size == 1 else "none: DDP")
    print(f"check accelerate config: ok ({launcher})", file=out)
    if needs_launch(cfg):
        check_launcher(cfg)
        print("check launcher: ok", file=out)
    if cfg.dataset:  # a dataset the recipe names must exist and hold conversations (else: a filter's output to come)
        from distill.formats.sft_rows import check_dataset

        print(f"check {check_dataset(cfg.dataset, cfg.messages_column)}", file=out)
    import datasets

    datasets.disable_progress_bars()  # the plan is a few lines of checks, not a progress log
    prepared = prepare_inputs(recipe, cfg, sample=PLAN_SAMPLE_ROWS, quiet=True, name=name)
    print(f"check template: ok ({prepared.choice.summary()})", file=out)
    c = prepared.counts
    rejected = ", ".join(f"{k[9:]} {v}" for k, v in c.items() if k.startswith("rejected_")) or "none"
    print(
        f"check data: ok ({c['kept']} of the first {c['read']} rows usable, {c['tokens']} tokens; "
        f"rejected: {rejected})",
        file=out,
    )


def make_plan(cfg: StudentConfig, model_config: dict[str, Any]) -> Any:
    from distill.train.memory_plan import plan_memory, strategy_from_accelerate

    # The plan describes the GPU run; on a CPU-only machine it still assumes bf16 on the GPU.
    dtype = cfg.dtype if cfg.dtype != "auto" else "bfloat16"
    strategy = strategy_from_accelerate(cfg.accelerate_config, cfg.world_size)
    batch = int(cfg.sft.get("per_device_train_batch_size", 8 if not cfg.packing else 1))
    return plan_memory(model_config, cfg, dtype=dtype, strategy=strategy, batch_size=batch)


def last_checkpoint(out_dir: Path) -> str | None:
    from distill.train.rerun import last_complete_checkpoint

    return last_complete_checkpoint(out_dir)  # one cut short while saving is skipped


def _cuda() -> bool:
    from distill.train.model_loading import cuda_available

    return cuda_available()


def build_sft_args(
    cfg: StudentConfig,
    recipe: Recipe,
    out_dir: Path,
    *,
    eos: str,
    attention: str,
    dtype: str,
    liger: bool,
    checkpointing: bool,
) -> Any:
    from trl import SFTConfig

    options: dict[str, Any] = {
        # Defaults distill prefers over TRL's; any of them can be overridden under `sft:`.
        "report_to": "none",
        "logging_steps": 10,
        "save_strategy": "steps",
        "save_steps": 500,
        "save_total_limit": 2,
        "per_device_train_batch_size": 1 if cfg.packing else 8,
        "disable_tqdm": True,  # distill.progress reports steps, rate and ETA instead
        "ddp_find_unused_parameters": False,  # dense decoders use every parameter each step
        **cfg.sft,
    }
    if "use_cpu" not in cfg.sft and int(os.environ.get("WORLD_SIZE", "1")) > 1 and not _cuda():
        options["use_cpu"] = True  # CPU-only multi-process run: DDP over gloo instead of n independent runs
    options.update(
        output_dir=str(out_dir),
        max_length=cfg.max_length,
        packing=cfg.packing,
        padding_free=cfg.packing,
        eos_token=eos,
        seed=recipe.seed,
        bf16=dtype == "bfloat16",
        fp16=dtype == "float16",
        use_liger_kernel=liger,
        gradient_checkpointing=checkpointing,
        assistant_only_loss=False,
    )
    if cfg.packing and attention == "flex_attention" and "pad_to_multiple_of" not in cfg.sft:
        # flex_attention compiles per shape: pad every packed batch to the same length.
        options["pad_to_multiple_of"] = options["per_device_train_batch_size"] * cfg.max_length
    if dtype == "float32" and "bf16" not in cfg.sft:
        options["bf16"] = False
    try:
        return SFTConfig(**options)
    except (ValueError, TypeError) as exc:  # TRL/transformers' own checks on the values
        first = str(exc).strip().splitlines()[0]
        raise DistillError(f"train_student.sft: trl.SFTConfig refused the options: {first}") from None


@dataclass
class Prepared:
    """What the checks before training produce: the tokenizer with its checked template, the data."""

    tokenizer: Any
    choice: Any
    eos: str
    dataset: Any
    counts: dict[str, Any]
    rejects: list[dict[str, Any]] = field(default_factory=list)


def prepare_inputs(
    recipe: Recipe, cfg: StudentConfig, *, sample: int | None = None, quiet: bool = False, name: str = "train_student"
) -> Prepared:
    """Tokenizer, chat template and tokenized data: every check that needs no weights and writes nothing.

    `sample`: tokenize only the first rows (what `--plan` does); the run itself checks every row.
    """
    from transformers import AutoTokenizer

    from distill.train.sft import chat_template as ct
    from distill.train.sft.data import load_rows, prepare_sft_dataset, resolve_dataset, to_messages

    try:
        tokenizer = AutoTokenizer.from_pretrained(cfg.model)
    except (OSError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DistillError(f"train_student.model: cannot load the tokenizer of {cfg.model} ({first})") from None
    choice = ct.resolve_chat_template(tokenizer, cfg.chat_template, cfg.system_prompt)
    ct.install(tokenizer, choice)
    eos = cfg.eos_token or choice.stop_token
    if eos not in tokenizer.get_vocab():
        raise DistillError(f"train_student.eos_token: {eos!r} is not in the tokenizer's vocabulary")
    tokenizer.eos_token = eos
    tokenizer.pad_token = ct.choose_pad_token(tokenizer, eos)
    if is_main_process() and not quiet:
        print(f"{choice.summary()}; pad token {tokenizer.pad_token}", file=sys.stderr)

    rows = to_messages(load_rows(resolve_dataset(cfg.dataset, recipe, name), cfg.dataset_split), cfg.messages_column)
    if sample is not None and len(rows) > sample:
        rows = rows.select(range(sample))
    dataset, counts = prepare_sft_dataset(
        rows,
        tokenizer,
        choice.template,
        max_length=cfg.max_length,
        eos_id=tokenizer.convert_tokens_to_ids(eos),
        num_proc=cfg.sft.get("dataset_num_proc"),
        system_text=choice.system_text,
    )
    rejects = counts.pop("rejects", [])
    if choice.added_tokens and cfg.lora is not None:
        # TRL's fused LM head multiplies by lm_head.weight directly: PEFT's trainable rows for new
        # tokens (trainable_token_indices) never reach the loss, so the new stop token stays untrained.
        raise DistillError(
            f"train_student.lora: the model's vocabulary has no chat format, so distill adds "
            f"{', '.join(choice.added_tokens)}; LoRA cannot train their output rows under TRL's fused "
            "LM head. Fine-tune fully, or give a chat_template whose tokens the model has"
        )
    return Prepared(tokenizer, choice, eos, dataset, counts, rejects)


def run_sft(
    recipe: Recipe,
    *,
    resume: bool | None = None,
    progress: bool = True,
    callbacks: list | None = None,
    fresh: bool = False,
    allow_partial_input: bool = False,
    name: str = "train_student",
) -> dict[str, Any]:
    """Train the student of `recipe` (stage `name`) in this process (one of several under accelerate launch).

    Every check (recipe, model, accelerate config, template, data) runs before the run directory
    gets its manifest.json / recipe.resolved.yaml: a run that cannot start leaves nothing behind.
    A run that finished before with the same recipe and dataset does nothing (`fresh` trains again).
    """
    from distill.train.rerun import clear_checkpoints, open_stage, remove_incomplete_checkpoints
    from distill.train.sft.data import resolve_dataset, write_rejects

    cfg: StudentConfig = recipe.section(name)
    model_config = preflight(recipe, cfg, name=name)
    out_dir = recipe.stage_dir(name)
    checkpoint = None if fresh else _resume_point(cfg, out_dir, resume)  # `--resume` without one fails here, early
    plan = make_plan(cfg, model_config)
    if is_main_process():
        print("\n".join(plan.lines()), file=sys.stderr)
    prepared = prepare_inputs(recipe, cfg, name=name)
    ctx = (
        open_stage(
            recipe,
            name,
            [resolve_dataset(cfg.dataset, recipe, name)],
            fresh=fresh,
            allow_partial_input=allow_partial_input,
        )
        if is_main_process()
        else nullcontext()
    )
    with ctx as run:
        if run is not None and run.skipped:
            previous = run.previous or {}
            return {
                "counts": previous.get("counts", {}),
                "train": previous.get("train", {}),
                "output_dir": str(out_dir),
                "skipped": True,
            }
        if run is not None:
            clear_checkpoints(out_dir) if fresh else remove_incomplete_checkpoints(out_dir)
            if prepared.rejects:
                write_rejects(out_dir / "rejected.jsonl", prepared.rejects)
        result = _train(
            recipe, cfg, out_dir, plan, prepared, checkpoint=checkpoint, progress=progress, callbacks=callbacks or []
        )
        if run is not None:
            run.counts.update(result["counts"])
            run.extra["train"] = result["train"]
            run.extra["chat_template"] = prepared.choice.record()
        return result


def _train(
    recipe: Recipe,
    cfg: StudentConfig,
    out_dir: Path,
    plan: Any,
    prepared: Prepared,
    *,
    checkpoint: str | None,
    progress: bool,
    callbacks: list,
) -> dict:
    from trl import SFTTrainer

    from distill.train import model_loading as ml
    from distill.train.sft.progress import ProgressCallback

    tokenizer, choice, eos, dataset, counts = (
        prepared.tokenizer,
        prepared.choice,
        prepared.eos,
        prepared.dataset,
        prepared.counts,
    )
    attention = ml.resolve_attention(cfg.attention)
    dtype = ml.resolve_dtype(cfg.dtype)
    liger = ml.resolve_liger(cfg.liger)
    # SFTConfig before the model: under DeepSpeed ZeRO-3 creating it switches on zero.Init, so each
    # rank loads only its shard instead of the whole model (8 full 70B copies would not fit in RAM).
    args = build_sft_args(
        cfg,
        recipe,
        out_dir,
        eos=eos,
        attention=attention,
        dtype=dtype,
        liger=liger,
        checkpointing=plan.gradient_checkpointing,
    )
    model = ml.load_model(cfg, attention=attention, dtype=dtype)
    if choice.added_tokens:
        model.resize_token_embeddings(len(tokenizer))
    trainer = SFTTrainer(
        model=model,
        args=args,
        train_dataset=dataset,
        processing_class=tokenizer,
        peft_config=ml.peft_config(cfg),
        callbacks=([ProgressCallback(counts["tokens"])] if progress else []) + callbacks,
    )
    if checkpoint and is_main_process():
        print(f"resuming from {checkpoint}", file=sys.stderr)
    output = trainer.train(resume_from_checkpoint=checkpoint)
    save_student(trainer, cfg, out_dir, eos)
    train = {
        "attention": attention,
        "dtype": dtype,
        "liger": liger,
        "gradient_checkpointing": plan.gradient_checkpointing,
        "chat_template": choice.source,
        "stop_token": eos,
        "pad_token": tokenizer.pad_token,
        "added_tokens": list(choice.added_tokens),
        "embeddings_resized": bool(choice.added_tokens),
        "resumed_from": checkpoint,
        "global_steps": trainer.state.global_step,
        "processes": trainer.accelerator.num_processes,
        "train_loss": output.training_loss,
        "train_runtime_s": output.metrics.get("train_runtime"),
        # tokens through forward and backward, all processes (TRL's own count): the report's compute
        "train_tokens": int(getattr(trainer, "_total_train_tokens", 0) or 0) or None,
    }
    return {"counts": counts, "train": train, "output_dir": str(out_dir)}


def _resume_point(cfg: StudentConfig, out_dir: Path, resume: bool | None) -> str | None:
    wanted = cfg.resume if resume is None else resume
    checkpoint = last_checkpoint(out_dir) if wanted else None
    if wanted is True and checkpoint is None:
        raise DistillError(f"--resume: no checkpoint-* directory in {out_dir}")
    return checkpoint


def _merge_from_disk(base_model: str, adapter_dir: Path, dtype: Any) -> Any:
    """Under several processes (DDP, ZeRO-3, FSDP) the live model is wrapped or sharded: rank 0
    merges the saved adapter into a fresh copy of the base instead (CPU memory: one full model)."""
    import peft
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(base_model, dtype=dtype)
    return peft.PeftModel.from_pretrained(base, str(adapter_dir)).merge_and_unload()


def save_student(trainer: Any, cfg: StudentConfig, out_dir: Path, eos: str) -> None:
    """Final weights + tokenizer (training chat template) + generation_config that stops on `eos`."""
    model = trainer.model
    tokenizer = trainer.processing_class
    eos_id = tokenizer.convert_tokens_to_ids(eos)
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    gen = base.generation_config
    ids = (
        gen.eos_token_id
        if isinstance(gen.eos_token_id, list)
        else [gen.eos_token_id]
        if gen.eos_token_id is not None
        else []
    )
    gen.eos_token_id = [eos_id] + [i for i in ids if i != eos_id]
    gen.pad_token_id = tokenizer.pad_token_id
    if cfg.lora is not None and not cfg.lora.qlora:
        # Later stages load a plain model by path: merge the adapter, keep the adapter beside it.
        trainer.save_model(str(out_dir / "adapter"))  # every process: gathers sharded adapter weights
        if trainer.accelerator.num_processes == 1:
            merged = model.merge_and_unload()
        elif trainer.is_world_process_zero():
            merged = _merge_from_disk(cfg.model, out_dir / "adapter", base.dtype)
        else:
            return
        merged.generation_config = gen
        merged.save_pretrained(str(out_dir))
        tokenizer.save_pretrained(str(out_dir))
        return
    trainer.save_model(str(out_dir))
    if trainer.is_world_process_zero():
        tokenizer.save_pretrained(str(out_dir))
