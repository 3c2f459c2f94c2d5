"""`distill generate`: prompts -> n traces each, resumable, one part of N.

1. Load the prompts (distill.sources) and take this part's share (distill.generate.partition).
2. Check the settings against `generation.json` (distill.generate.fingerprint): a changed recipe
   never appends to old traces.
3. Scan the shards; every (prompt_id, sample_index) with a non-error record is done. Error records
   of our prompts are removed so they are retried.
4. Generate what is missing, writing a shard every `chunk_size` finished prompts.
5. Account for everything in the manifest and end with a summary.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from distill.core.trace import trace_id
from distill.errors import DistillError
from distill.generate import fingerprint
from distill.generate.engine import Completion, Request, Sampling, request_seed
from distill.generate.partition import parse_part, select
from distill.generate.prompting import THINK_PREFIX, build_prompt, load_tokenizer, user_turn
from distill.generate.registry import make_engine
from distill.generate.shards import ShardStore
from distill.generate.totals import complete_or_raise, totals
from distill.manifest import StageRun
from distill.progress import Progress
from distill.sources import load_prompts_with_stats
from distill.stage_lock import OutputLock

if TYPE_CHECKING:  # the recipe module imports every stage's config: only the type checker needs it here
    from distill.recipe import Recipe


def trace_record(prompt: dict, index: int, completion: Completion, prefix: str, teacher: str) -> dict[str, Any]:
    failed = completion.finish_reason == "error"
    record = {
        "id": trace_id(prompt["id"], index),
        "prompt_id": prompt["id"],
        "problem": prompt["problem"],
        "answer": prompt["answer"],
        "domain": prompt["domain"],
        "completion": "" if failed else prefix + completion.text,
        "finish_reason": completion.finish_reason,
        "completion_tokens": completion.completion_tokens,
        "prompt_tokens": completion.prompt_tokens,
        "sample_index": index,
        "teacher": teacher,
    }
    if "tests" in prompt:
        record["tests"] = prompt["tests"]
    if failed:
        record["error"] = completion.error or "unknown error"
    return record


def move_aside(out_dir: Path) -> Path | None:
    """--fresh: the old output is moved, not deleted, so nothing is lost by a slip of the finger."""
    if not out_dir.exists():
        return None
    target = out_dir.with_name(f"{out_dir.name}.old-{time.strftime('%Y%m%d-%H%M%S')}")
    shutil.move(str(out_dir), str(target))
    return target


def sampling_of(cfg: Any, seed: int) -> Sampling:
    s = cfg.sampling
    return Sampling(
        n=cfg.num_samples,
        temperature=s.temperature,
        top_p=s.top_p,
        top_k=s.top_k,
        max_new_tokens=s.max_new_tokens,
        stop=list(s.stop),
        seed=s.seed if s.seed is not None else seed,
    )


def run_generate(
    recipe: Recipe,
    part: str | None = None,
    fresh: bool = False,
    log=None,
    allow_partial_input: bool = False,
    name: str = "generate",
) -> dict[str, Any]:
    from distill.stage_contract import open_stage

    log = log or sys.stderr
    cfg = recipe.section(name)
    out = recipe.stage_dir(name)
    index, count = parse_part(part)
    if fresh:
        if count > 1:
            raise DistillError(
                "--fresh with --part would move away the other parts' work; "
                "move the output directory aside once, then start the parts"
            )
        if out.exists():
            with OutputLock(out):  # never move an output another process is writing
                moved = move_aside(out)
            print(f"generate: moved the old output to {moved}", file=log)
    prompts, source_stats = load_prompts_with_stats(cfg.source, recipe.seed)
    fingerprint.check_or_write(out, fingerprint.settings(cfg, recipe.seed))  # refuses before anything is touched
    mine = select(prompts, index, count)
    run_dir = out if count == 1 else out / "parts" / f"part-{index:05d}-of-{count:05d}"
    store = ShardStore(out)
    n = cfg.num_samples
    # What it reads: a local prompt file or directory, a teacher trained by an earlier stage.
    source_paths = [
        p for p in ([cfg.source.name] if cfg.source.kind in ("files", "hf") else []) + [cfg.teacher] if Path(p).exists()
    ]
    # One writer per output: a whole run locks the output; a part locks its own directory and
    # shares the output's lock with the other parts (their shards never collide: one part, one prefix).
    with open_stage(
        recipe,
        name,
        "generate",
        source_paths,
        out_dir=run_dir,
        key={"part": f"{index}/{count}"},
        shared_locks=(out,) if count > 1 else (),
        redo_flag="--fresh (moves this output aside)",
        allow_partial_input=allow_partial_input,
    ) as run:
        if run.skipped:
            return (run.previous or {}).get("counts", {})
        run.extra.update(
            part=f"{index}/{count}",
            generation_fingerprint=fingerprint.fingerprint(fingerprint.settings(cfg, recipe.seed)),
        )
        store.remove_partial(index)
        scan = store.scan()
        mine_ids = {p["id"] for p in mine}
        retried = store.drop_errors(scan, lambda pid: pid in mine_ids)
        todo = [(p, [i for i in range(n) if f"{p['id']}:{i}" not in scan.done]) for p in mine]
        todo = [(p, missing) for p, missing in todo if missing]
        counts = run.counts
        counts.update(
            prompts=len(mine),
            prompts_in_source=len(prompts),
            samples_expected=len(mine) * n,
            samples_done_before=len(mine) * n - sum(len(m) for _, m in todo),
            errors_retried=retried,
            source=source_stats.as_dict(),
            skipped_empty_prompts=source_stats.empty,
        )
        this_run = _generate(cfg, recipe.seed, todo, store, index, run, log) if todo else _empty_run()
        counts["this_run"] = this_run
        final = totals(store, {f"{p['id']}:{i}" for p in mine for i in range(n)}, part=None if count == 1 else index)
        private = {k: final.pop(k) for k in list(final) if k.startswith("_")}
        counts.update(final)
        _summary(log, out, len(mine), n, counts, this_run)
        if count == 1:
            complete_or_raise(out, {**final, **private}, merged=True)
    return counts


def _empty_run() -> dict[str, Any]:
    return {
        "samples": 0,
        "finish_reasons": {},
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "errors": 0,
        "wall_seconds": 0.0,
        "samples_per_second": 0.0,
        "tokens_per_second": 0.0,
    }


def _requests(cfg: Any, todo: list, tokenizer: Any, seed: int | None) -> tuple[list[Request], list[str]]:
    requests, prefixes = [], []
    chat_endpoint = cfg.engine == "openai" and cfg.openai.endpoint == "chat"
    for prompt, missing in todo:
        rseed = request_seed(seed, prompt["id"], None if len(missing) == cfg.num_samples else tuple(missing))
        if chat_endpoint:
            requests.append(_chat_request(cfg, prompt, len(missing), rseed))
            prefixes.append(THINK_PREFIX if cfg.prompting.force_think else "")
            continue
        built = build_prompt(prompt["problem"], prompt["domain"], cfg.prompting, tokenizer)
        requests.append(Request(built.text, len(missing), rseed))
        prefixes.append(built.prefix)
    return requests, prefixes


def _chat_request(cfg: Any, prompt: dict, n: int, seed: int) -> Request:
    p = cfg.prompting
    content = user_turn(prompt["problem"], p.templates.get(prompt["domain"], "{problem}"))
    messages = [{"role": "system", "content": p.system_prompt}] if p.system_prompt is not None else []
    messages.append({"role": "user", "content": content})
    if p.force_think:  # the server continues this assistant turn (continue_final_message)
        messages.append({"role": "assistant", "content": THINK_PREFIX})
    return Request(content, n, seed, messages=messages)


def _load_engine(cfg: Any):
    if cfg.engine == "vllm":  # vLLM loads the tokenizer with the model
        engine = make_engine(cfg)
        return engine, engine.tokenizer
    # A server applying its own chat template, or a raw prompt, needs no local tokenizer.
    templated_here = cfg.prompting.chat_template and not (cfg.engine == "openai" and cfg.openai.endpoint == "chat")
    tokenizer = load_tokenizer(cfg.tokenizer or cfg.teacher) if templated_here or cfg.engine == "hf" else None
    return make_engine(cfg, tokenizer=tokenizer), tokenizer


def _generate(cfg: Any, seed: int, todo: list, store: ShardStore, part: int, run: StageRun, log) -> dict[str, Any]:
    sampling = sampling_of(cfg, seed)
    engine, tokenizer = _load_engine(cfg)
    requests, prefixes = _requests(cfg, todo, tokenizer, sampling.seed)
    stats: dict[str, Any] = {
        "samples": 0,
        "finish_reasons": {},
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "errors": 0,
    }
    buffer: list[dict] = []
    buffered_prompts = 0
    chunk = store.next_chunk(part)
    t0 = time.monotonic()
    total = sum(r.n for r in requests)
    try:
        with Progress(total=total, desc=f"generate[{engine.name}]", unit="samples", stream=log) as bar:
            for i, completions in engine.stream(requests, sampling, cfg.chunk_size):
                prompt, missing = todo[i]
                for sample_index, completion in zip(missing, completions):
                    buffer.append(trace_record(prompt, sample_index, completion, prefixes[i], cfg.teacher))
                    _account(stats, completion)
                stats["prompt_tokens"] += completions[0].prompt_tokens if completions else 0
                buffered_prompts += 1
                bar.update(len(completions), tokens=sum(c.completion_tokens for c in completions))
                if buffered_prompts >= cfg.chunk_size:
                    store.write(part, chunk, buffer)
                    chunk, buffer, buffered_prompts = chunk + 1, [], 0
    finally:
        # Finished prompts are kept even when the run is interrupted (Ctrl-C, an engine crash).
        if buffer:
            store.write(part, chunk, buffer)
        wall = time.monotonic() - t0  # before close: an engine's shutdown is not generation time
        engine.close()
        stats.update(
            wall_seconds=round(wall, 3),
            samples_per_second=round(stats["samples"] / wall, 3) if wall else 0.0,
            tokens_per_second=round(stats["completion_tokens"] / wall, 1) if wall else 0.0,
        )
        if getattr(engine, "usage", None):
            stats["server_usage"] = dict(engine.usage)
        run.counts["this_run"] = stats
    return stats


def _account(stats: dict, completion: Completion) -> None:
    stats["samples"] += 1
    reasons = stats["finish_reasons"]
    reasons[completion.finish_reason] = reasons.get(completion.finish_reason, 0) + 1
    stats["completion_tokens"] += completion.completion_tokens
    if completion.finish_reason == "error":
        stats["errors"] += 1


def _summary(log, out: Path, prompts: int, n: int, counts: dict, this_run: dict) -> None:
    reasons = ", ".join(f"{k} {v}" for k, v in sorted(counts["finish_reasons"].items())) or "none"
    print(
        f"generate: {prompts} prompts x {n} = {prompts * n} samples; {counts['samples_done_before']} were done, "
        f"{this_run['samples']} generated in {this_run['wall_seconds']:.1f}s "
        f"({this_run['samples_per_second']:.1f} samples/s, "
        f"{this_run['tokens_per_second']:.0f} tokens/s); finish reasons: {reasons}; "
        f"skipped empty prompts: {counts['skipped_empty_prompts']}; traces in {out / 'shards'}",
        file=log,
    )
    if counts["errors"]:
        print(
            f"generate: {counts['errors']} samples failed (error records, see their 'error' field); "
            "rerun the same command to retry them",
            file=log,
        )
    if counts["missing"]:
        print(f"generate: {counts['missing']} samples still missing", file=log)
