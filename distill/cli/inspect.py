"""distill inspect FILE [--format NAME]: what a data file will be read as, before anything runs.

distill inspect data/OpenR1-Math-220k/train-00000.parquet
distill inspect bespoke.jsonl --format sharegpt
"""

from __future__ import annotations

import argparse

HELP = "show the detected input format of a JSONL/Parquet file and one mapped record per stage that reads it"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="a JSONL/Parquet file or a folder of them")
    parser.add_argument(
        "--format", metavar="NAME", help="read it as this format instead of the detected one (see docs/data.md)"
    )
    parser.add_argument("--rows", type=int, default=1000, help="rows to scan for the counts (default 1000)")


def run(args: argparse.Namespace) -> int:
    from distill.formats.inspect import inspect_file

    print("\n".join(inspect_file(args.file, args.format, args.rows)))
    return 0
