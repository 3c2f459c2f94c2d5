"""distill generate RECIPE [--set KEY=VALUE] [--part i/N] [--merge] [--fresh] [--plan]: sample teacher traces."""

from __future__ import annotations

import argparse

from distill.cli.common import add_recipe_arguments, add_stage_argument, recipe_from_args

HELP = "sample reasoning traces from a teacher (vllm | openai server | hf), resumable and shardable"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_recipe_arguments(parser)
    add_stage_argument(parser)
    parser.add_argument(
        "--part", metavar="i/N", help="generate only part i of N (by a hash of the prompt id), e.g. 0/8"
    )
    parser.add_argument(
        "--merge", action="store_true", help="check that the parts together are complete; write merged.json"
    )
    parser.add_argument(
        "--plan",
        action="store_true",
        help="print the vLLM placement (weights + KV cache per GPU) from config.json and exit",
    )
    parser.add_argument(
        "--fresh",
        "--overwrite",
        dest="fresh",
        action="store_true",
        help="move the old output aside (to OUTPUT.old-TIMESTAMP) and start over",
    )
    from distill.stage_inputs import add_argument as add_partial_input_argument

    add_partial_input_argument(parser)


def run(args: argparse.Namespace) -> int:
    from distill.errors import DistillError
    from distill.generate import stage

    recipe, name = recipe_from_args(args), args.stage or "generate"
    if args.merge:
        if args.part or args.fresh:
            raise DistillError("--merge takes no --part or --fresh: it checks and indexes what the parts wrote")
        stage.run(recipe, name, merge=True)
        return 0
    lines = stage.placement(recipe, name, required=args.plan)
    if args.plan:
        print("\n".join(lines or [f"engine {recipe.section(name).engine}: no GPU placement to check"]))
        return 0
    stage.run(recipe, name, part=args.part, redo=args.fresh, allow_partial_input=args.allow_partial_input)
    return 0
