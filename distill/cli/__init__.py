"""The `distill` command line: one module per command. Modules import only light things at the top;
a command imports torch, vLLM or TRL inside its `run`, so `distill --help` stays fast.

Each command module defines HELP (one line), add_arguments(parser) and run(args) -> exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from distill import __version__
from distill.errors import DistillError

# Pipeline order. A module that is not there yet is left out of the listing.
COMMANDS = [
    "generate",
    "filter",
    "verify",
    "train-teacher",
    "train-student",
    "train-baseline",
    "eval",
    "report",
    "run",
    "toy",
    "validate",
    "inspect",
]


def _load(command: str):
    name = "distill.cli." + command.replace("-", "_")
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return None
        raise


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="distill",
        description="Distill reasoning models from their traces: generate, filter, train, evaluate, compare.",
    )
    parser.add_argument("--version", action="version", version=f"distill {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        module = _load(command)
        if module is None:
            continue
        cmd = sub.add_parser(command, help=module.HELP, description=module.HELP)
        module.add_arguments(cmd)
        cmd.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 0
    try:
        return int(args._run(args) or 0)
    except DistillError as exc:
        print(f"distill {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except (OSError, RuntimeError) as exc:  # a full disk, a permission, a file gone: one line
        from distill.faults import describe

        line = describe(exc)
        if line is None:
            raise
        print(f"distill {args.command}: error: {line}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"distill {args.command}: interrupted; finished work is kept and a rerun continues", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
