"""distill eval [RECIPE] --model PATH --tasks math500,aime24: score models on the R1 benchmarks with lm-eval.

distill eval --model runs/toy/train_student --tasks toy_arithmetic --samples 4 --max-gen-toks 256
distill eval recipes/eval/r1_benchmarks.yaml --data math500=/work/shared/benchmarks/math500.jsonl
distill eval --rescore runs/eval      # score the saved completions again, no generation
"""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "evaluate models with lm-eval under R1's protocol (pass@1, cons@k); --rescore re-scores saved samples"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from distill.cli.common import add_set_argument

    parser.add_argument("recipe", nargs="?", help="recipe YAML with an `eval` section (optional)")
    add_set_argument(parser)
    parser.add_argument(
        "--model",
        action="append",
        default=[],
        metavar="[NAME=]PATH",
        help="model to evaluate (repeatable); NAME defaults to the directory name",
    )
    parser.add_argument(
        "--tasks", help="comma-separated: math500,aime24,aime25,gpqa_diamond,toy_arithmetic,toy_countdown"
    )
    parser.add_argument("--backend", choices=["hf", "vllm", "local-completions", "local-chat-completions"])
    parser.add_argument("--samples", type=int, metavar="K", help="completions per problem (pass@1 over K, cons@K)")
    parser.add_argument("--limit", type=int, metavar="N", help="first N problems of each task (smoke runs)")
    parser.add_argument("--max-gen-toks", type=int, metavar="N", help="generated tokens per completion (R1: 32768)")
    parser.add_argument("--temperature", type=float)
    parser.add_argument("--top-p", type=float)
    parser.add_argument(
        "--data",
        action="append",
        default=[],
        metavar="TASK=FILE",
        help="local JSONL/Parquet for a task instead of the hub (repeatable)",
    )
    parser.add_argument(
        "--base-url", help="OpenAI-compatible server for local-* backends, e.g. http://127.0.0.1:8000/v1"
    )
    parser.add_argument("--tensor-parallel-size", type=int)
    parser.add_argument("--data-parallel-size", type=int)
    parser.add_argument("--batch-size", help="lm-eval batch size (an integer or 'auto')")
    parser.add_argument("--no-chat-template", action="store_true", help="prompt with raw text (base models)")
    parser.add_argument("--out", help="output directory (default: the recipe's eval stage dir)")
    parser.add_argument("--rescore", metavar="RUN_DIR", help="re-score saved per-sample logs with the current verifier")
    parser.add_argument(
        "--force",
        action="store_true",
        help="generate again even for models whose results under the same protocol exist",
    )
    from distill.cli.common import add_stage_argument
    from distill.stage_inputs import add_argument as add_partial_input_argument

    add_stage_argument(parser)
    add_partial_input_argument(parser)


def _pairs(items: list[str], flag: str) -> dict[str, str]:
    from distill.errors import DistillError

    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            raise DistillError(f"{flag} {item!r}: expected NAME=VALUE")
        out[key.strip()] = value.strip()
    return out


def _models(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        name, sep, path = item.partition("=")
        if not sep:
            path = item
            name = Path(item.rstrip("/")).name or item
        out[name] = path
    return out


def build_recipe(args: argparse.Namespace):
    """The recipe (or an empty one) with the command-line flags applied to the stage's section, validated strictly."""
    from distill.config import apply_overrides, load_yaml
    from distill.recipe import recipe_from_dict, section_key_in

    data = load_yaml(args.recipe) if args.recipe else {}
    apply_overrides(data, args.overrides)
    key = section_key_in(data, args.stage or "eval", args.recipe or "<command line>")
    section = data.setdefault(key, {}) or {}
    data[key] = section
    flags = {
        "tasks": [t.strip() for t in args.tasks.split(",") if t.strip()] if args.tasks else None,
        "backend": args.backend,
        "samples": args.samples,
        "limit": args.limit,
        "max_gen_toks": args.max_gen_toks,
        "temperature": args.temperature,
        "top_p": args.top_p,
        "base_url": args.base_url,
        "tensor_parallel_size": args.tensor_parallel_size,
        "data_parallel_size": args.data_parallel_size,
        "output_dir": args.out,
    }
    section.update({k: v for k, v in flags.items() if v is not None})
    if args.batch_size:
        section["batch_size"] = int(args.batch_size) if args.batch_size.isdigit() else args.batch_size
    if args.no_chat_template:
        section["apply_chat_template"] = False
    if args.model:
        section["models"] = _models(args.model)
    if args.data:
        section["data"] = {**(section.get("data") or {}), **_pairs(args.data, "--data")}
    return recipe_from_dict(data, file=args.recipe or "<command line>")


def run(args: argparse.Namespace) -> int:
    if args.rescore:
        return run_rescore(Path(args.rescore))
    from distill.evaluate import stage

    result = stage.run(
        build_recipe(args), args.stage or "eval", redo=args.force, allow_partial_input=args.allow_partial_input
    )
    if result["skipped"]:
        return 0
    print((result["out"] / "results.md").read_text(encoding="utf-8"))
    print(f"distill eval: results in {result['out']}")
    return 0


def run_rescore(run_dir: Path) -> int:
    from distill.evaluate.results import read_samples, rescore, result_dirs
    from distill.evaluate.runner import write_run_table
    from distill.progress import Progress

    dirs = result_dirs(run_dir)
    total = sum(len(read_samples(d)) for d in dirs)
    results, changed = [], 0
    with Progress(total, "rescore", "samples") as bar:
        for model_dir in dirs:
            result, n = rescore(model_dir, bar)
            results.append(result)
            changed += n
    if dirs != [run_dir]:
        write_run_table(run_dir, results)
    from distill.evaluate.results import markdown_table

    print(markdown_table(results))
    print(f"distill eval --rescore: {total} samples in {len(dirs)} result dirs, {changed} verdicts changed")
    return 0
