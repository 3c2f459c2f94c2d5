"""Run lm-eval for each model of an eval run and write its result directory.

lm-eval does the generation (its Python API: simple_evaluate with distill's tasks); distill turns
its logged samples into the per-sample log and the result files, scoring through the same hook the
tasks use. lm-eval's own aggregate is kept in results.json under `lm_eval` as a cross-check.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path
from typing import Any

from distill.errors import DistillError, require
from distill.evaluate.backends import model_args
from distill.evaluate.config import EvalConfig
from distill.evaluate.results import markdown_table, sample_rows, write_results
from distill.evaluate.tasks import load_tasks
from distill.manifest import write_json_atomic
from distill.progress import Progress


def model_dir_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "model"


def load_tokenizer(config: EvalConfig, model: str):
    """The model's tokenizer (for length counts and the chat-template check), or None if it cannot be loaded."""
    try:
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(config.tokenizer or model)
    except Exception as exc:  # a served model id with no local tokenizer: lengths in chars only
        print(f"distill eval: no tokenizer for {config.tokenizer or model} ({type(exc).__name__}); "
              f"response lengths in characters only", file=sys.stderr)
        return None


def check_chat_template(config: EvalConfig, model: str, tokenizer) -> None:
    """Fail before loading the model, not deep inside lm-eval, when the template is asked for but absent.
    (local-chat-completions: the server applies its own template.)"""
    if config.apply_chat_template and tokenizer is not None and config.backend != "local-chat-completions" \
            and not getattr(tokenizer, "chat_template", None):
        raise DistillError(f"{model}: the tokenizer has no chat template; evaluate a base model with "
                           f"--no-chat-template (eval.apply_chat_template: false)")


def token_counter(tokenizer):
    if tokenizer is None:
        return None
    return lambda text: len(tokenizer(text, add_special_tokens=False)["input_ids"])


def torch_device(config: EvalConfig) -> str | None:
    """lm-eval's hf backend assumes cuda; pick cpu on a machine without a GPU."""
    if config.backend != "hf":
        return None
    if config.device:
        return config.device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def lm_eval_aggregate(results: dict[str, Any]) -> dict[str, Any]:
    """lm-eval's own numbers per task (keys like 'pass@1,samples'), for the cross-check."""
    out = {}
    for task, values in results.get("results", {}).items():
        out[task] = {k: v for k, v in values.items() if isinstance(v, (int, float)) and k != "alias"}
    return out


def evaluate_model(config: EvalConfig, name: str, model: str, out_dir: Path, seed: int) -> dict[str, Any]:
    require("lm_eval", "eval", "distill eval")
    import lm_eval

    tasks, manager = load_tasks(config, seed)
    tokenizer = load_tokenizer(config, model)
    check_chat_template(config, model, tokenizer)
    started = time.time()
    raw = lm_eval.simple_evaluate(
        model=config.backend, model_args=model_args(config, model), tasks=list(tasks.values()),
        batch_size=config.batch_size, limit=config.limit, log_samples=True,
        apply_chat_template=config.apply_chat_template, system_instruction=config.system_instruction,
        random_seed=seed, numpy_random_seed=seed, torch_random_seed=seed, fewshot_random_seed=seed,
        bootstrap_iters=1000, device=torch_device(config), task_manager=manager,
    )
    if raw is None:  # not rank 0 of a multi-process run: rank 0 writes the results
        return {}
    wall = time.time() - started
    count = token_counter(tokenizer)
    rows = []
    total = sum(len(ex["filtered_resps"][0]) for task in tasks for ex in raw["samples"].get(task, []))
    with Progress(total, f"score {name}", "samples") as bar:
        for task in tasks:
            rows += sample_rows(task, raw["samples"].get(task, []), count, config.max_gen_toks, bar)
    if not rows:
        raise DistillError(f"{name}: lm-eval returned no samples")
    info = {
        "model": name, "model_path": model, "backend": config.backend,
        "protocol": {"temperature": config.temperature, "top_p": config.top_p, "max_gen_toks": config.max_gen_toks,
                     "k": {t: config.k_for(t) for t in tasks}, "chat_template": config.apply_chat_template,
                     "limit": config.limit, "data": dict(config.data), "seed": seed},
        "generation_seconds": round(wall, 2),
        "lm_eval": lm_eval_aggregate(raw),
        "lm_eval_version": raw.get("lm_eval_version"),
    }
    model_out = out_dir / model_dir_name(name)
    model_out.mkdir(parents=True, exist_ok=True)
    # lm-eval's full result (configs, versions), without the samples we already wrote
    write_json_atomic(model_out / "lm_eval_results.json", {k: v for k, v in raw.items() if k != "samples"})
    return write_results(model_out, rows, info)


def write_run_table(out_dir: Path, results: list[dict[str, Any]]) -> None:
    (out_dir / "results.md").write_text(markdown_table(results) + "\n", encoding="utf-8")
