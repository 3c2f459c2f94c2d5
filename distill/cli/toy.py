"""distill toy: the embedded tiny-model kit and toy tasks (offline, seconds on a CPU).

distill toy build OUT_DIR [--arch qwen2 llama]        tokenizer + tiny models
distill toy tasks --task arithmetic --split train --n 200 --out FILE.jsonl
distill toy setup RECIPE                              the `toy` stage of a recipe
"""

from __future__ import annotations

import argparse
import time

HELP = "build the tiny tokenizer/models and write toy task problems (offline, seconds)"
ARCHS = ("qwen2", "llama")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from distill.cli.common import add_recipe_arguments, add_stage_argument
    from distill.toy.tasks import SPLITS, TASKS

    sub = parser.add_subparsers(dest="toy_command", metavar="SUBCOMMAND", required=True)

    build = sub.add_parser("build", help="train the toy tokenizer and build tiny models into OUT_DIR")
    build.add_argument("out_dir", help="directory for tokenizer/ and one directory per model")
    build.add_argument(
        "--arch",
        nargs="+",
        choices=ARCHS,
        default=list(ARCHS),
        help="architectures to build, each into OUT_DIR/<arch> (default: both)",
    )
    build.add_argument("--hidden-size", type=int, default=128, help="num_heads x 64 (default 128)")
    build.add_argument("--num-layers", type=int, default=2)
    build.add_argument("--num-heads", type=int, default=2)
    build.add_argument("--intermediate-size", type=int, default=256)
    build.add_argument("--vocab-size", type=int, default=512, help="BPE vocabulary size (default 512)")
    build.add_argument("--seed", type=int, default=0)

    tasks = sub.add_parser("tasks", help="write toy task problems as JSONL prompt records")
    tasks.add_argument("--task", choices=sorted(TASKS), default="arithmetic")
    tasks.add_argument("--split", choices=SPLITS, default="train")
    tasks.add_argument("--n", type=int, default=200, help="how many problems (default 200)")
    tasks.add_argument("--seed", type=int, default=0)
    tasks.add_argument("--difficulty", type=int, default=1, help="1 (easy, the demo's) and up")
    tasks.add_argument("--out", required=True, help="output JSONL file")

    setup = sub.add_parser("setup", help="run a recipe's `toy` section: tokenizer, models, task files")
    add_recipe_arguments(setup)
    add_stage_argument(setup)
    setup.add_argument("--force", action="store_true", help="build again even if this toy setup is complete")


def run(args: argparse.Namespace) -> int:
    return {"build": _build, "tasks": _tasks, "setup": _setup}[args.toy_command](args)


def _build(args: argparse.Namespace) -> int:
    from distill.toy.kit import build_kit

    t0 = time.time()
    spec = dict(
        hidden_size=args.hidden_size,
        num_layers=args.num_layers,
        num_heads=args.num_heads,
        intermediate_size=args.intermediate_size,
    )
    paths = build_kit(
        args.out_dir, {arch: {"arch": arch, **spec} for arch in args.arch}, vocab_size=args.vocab_size, seed=args.seed
    )
    for name, path in paths.items():
        print(f"  {name:10} {path}")
    print(f"toy build: tokenizer and {len(paths) - 1} model(s) in {time.time() - t0:.1f} s")
    return 0


def _tasks(args: argparse.Namespace) -> int:
    from distill.toy.tasks import write_problems

    path = write_problems(args.out, args.task, args.split, args.n, seed=args.seed, difficulty=args.difficulty)
    print(
        f"toy tasks: {args.n} {args.task} {args.split} problems "
        f"(difficulty {args.difficulty}, seed {args.seed}) -> {path}"
    )
    return 0


def _setup(args: argparse.Namespace) -> int:
    from distill.cli.common import recipe_from_args
    from distill.toy import stage

    result = stage.run(recipe_from_args(args), args.stage or "toy", redo=args.force)
    if result["skipped"]:
        return 0
    section = result["section"]
    print(
        f"toy setup: tokenizer, {len(section.models)} model(s) ({', '.join(section.models)}), "
        f"{section.train_size} train + {section.test_size} test {section.task} problems "
        f"in {result['wall_seconds']:.1f} s -> {result['out']}"
    )
    return 0
