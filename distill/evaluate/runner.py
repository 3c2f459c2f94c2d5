"""Run lm-eval for each model of an eval run and write its result directory.

lm-eval does the generation (its Python API: simple_evaluate with distill's tasks); distill turns
its logged samples into the per-sample log and the result files, scoring through the same hook the
tasks use. lm-eval's own aggregate is kept in results.json under `lm_eval` as a cross-check.
"""

from __future__ import annotations

import json
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
        print(
            f"distill eval: no tokenizer for {config.tokenizer or model} ({type(exc).__name__}); "
            f"response lengths in characters only",
            file=sys.stderr,
        )
        return None


def check_chat_template(config: EvalConfig, model: str, tokenizer) -> None:
    """Fail before loading the model, not deep inside lm-eval, when the template is asked for but absent.
    (local-chat-completions: the server applies its own template.)"""
    if (
        config.apply_chat_template
        and tokenizer is not None
        and config.backend != "local-chat-completions"
        and not getattr(tokenizer, "chat_template", None)
    ):
        raise DistillError(
            f"{model}: the tokenizer has no chat template; evaluate a base model with "
            f"--no-chat-template (eval.apply_chat_template: false)"
        )


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
    import lm_eval.evaluator

    # lm-eval asks `git describe` in the working directory and lets git's "fatal: not a git
    # repository" reach the console outside a checkout; distill's own probe is quiet.
    from distill.manifest import git_commit

    lm_eval.evaluator.get_git_commit_hash = git_commit
    tasks, manager = load_tasks(config, seed)
    tokenizer = load_tokenizer(config, model)
    check_chat_template(config, model, tokenizer)
    started = time.time()
    raw = lm_eval.simple_evaluate(
        model=config.backend,
        model_args=model_args(config, model),
        tasks=list(tasks.values()),
        batch_size=config.batch_size,
        limit=config.limit,
        log_samples=True,
        apply_chat_template=config.apply_chat_template,
        system_instruction=config.system_instruction,
        random_seed=seed,
        numpy_random_seed=seed,
        torch_random_seed=seed,
        fewshot_random_seed=seed,
        bootstrap_iters=1000,
        device=torch_device(config),
        task_manager=manager,
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
        "model": name,
        "model_path": model,
        "model_fingerprint": model_fingerprint(model),
        "backend": config.backend,
        "protocol": protocol(config, seed),
        "generation_seconds": round(wall, 2),
        "lm_eval": lm_eval_aggregate(raw),
        "lm_eval_version": raw.get("lm_eval_version"),
    }
    model_out = out_dir / model_dir_name(name)
    model_out.mkdir(parents=True, exist_ok=True)
    # lm-eval's full result (configs, versions), without the samples we already wrote
    write_json_atomic(model_out / "lm_eval_results.json", {k: v for k, v in raw.items() if k != "samples"})
    return write_results(model_out, rows, info)


def protocol(config: EvalConfig, seed: int) -> dict[str, Any]:
    """Everything that decides a model's numbers besides the model itself."""
    return {
        "tasks": list(config.tasks),
        "temperature": config.temperature,
        "top_p": config.top_p,
        "max_gen_toks": config.max_gen_toks,
        "k": {t: config.k_for(t) for t in config.tasks},
        "chat_template": config.apply_chat_template,
        "system_instruction": config.system_instruction,
        "limit": config.limit,
        "data": dict(config.data),
        "toy": [config.toy_problems, config.toy_difficulty],
        "seed": seed,
    }


def model_fingerprint(model: str) -> str | None:
    """Size and modification time of a local model's weight and config files; None for a hub id or a
    served model name, whose weights distill cannot see (their results are never reused)."""
    path = Path(model)
    if not path.is_dir():
        return None
    files = sorted(
        p
        for p in path.iterdir()
        if p.is_file()
        and (p.suffix in (".safetensors", ".bin", ".pt") or p.name in ("config.json", "adapter_config.json"))
    )
    if not files:
        return None
    import hashlib

    text = "\n".join(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def finished_result(config: EvalConfig, name: str, model: str, out_dir: Path, seed: int) -> dict[str, Any] | None:
    """The results of an earlier run of the same model under the same protocol, so that rerunning a
    stage after one model failed does not generate the others again."""
    file = out_dir / model_dir_name(name) / "results.json"
    if not file.is_file():
        return None
    try:
        old = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    fingerprint = model_fingerprint(model)
    same = (
        fingerprint is not None
        and old.get("model_fingerprint") == fingerprint
        and old.get("model_path") == model
        and old.get("backend") == config.backend
        and old.get("protocol") == json.loads(json.dumps(protocol(config, seed)))
    )
    return old if same else None


def write_run_table(out_dir: Path, results: list[dict[str, Any]]) -> None:
    (out_dir / "results.md").write_text(markdown_table(results) + "\n", encoding="utf-8")
