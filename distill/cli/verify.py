"""distill verify FILE: verdicts for rows that carry `completion`, `answer`, `domain` (and `tests`).

Writes every row back with `correct`, `extracted` and `reason`; malformed rows go to
OUT.quarantine.jsonl with their reason; prints read = verified + malformed and a summary.
"""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "verify completions in a JSONL/Parquet file (math, choice, code, general) and write verdicts"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file", help="JSONL or Parquet file (or a directory of them) with completion, answer, domain[, tests]"
    )
    parser.add_argument("--out", help="output JSONL (default: FILE's name with .verified.jsonl)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--timeout", type=float, default=None, help="seconds per math check / per code test")
    parser.add_argument(
        "--sandbox",
        choices=["bwrap", "none"],
        default=None,
        help="code sandbox; 'none' runs untrusted code UNSANDBOXED (unsafe)",
    )
    parser.add_argument("--letters", default=None, help="choice letters, e.g. ABCDE (default ABCD)")


def _options(args: argparse.Namespace) -> dict:
    # Options go to every verifier, so only pass ones the user set, and only where they apply.
    from distill.verify.batch import per_domain

    return per_domain(timeout=args.timeout, sandbox=args.sandbox, letters=args.letters)


def run(args: argparse.Namespace) -> int:
    from distill.errors import DistillError
    from distill.progress import Progress
    from distill.verify.batch import count_rows, quarantine_path, verify_file

    source = Path(args.file)
    if args.workers < 1:
        raise DistillError(f"--workers {args.workers}: expected 1 or more")
    out = Path(args.out) if args.out else source.with_name(source.stem + ".verified.jsonl")
    if out.resolve() == source.resolve():
        raise DistillError(f"--out {out} is the input file; choose another path")
    total = count_rows(source)
    with Progress(total=total, desc="verify", unit="rows") as bar:
        counts = verify_file(source, out, workers=args.workers, options=_options(args), progress=bar)
    print(counts.summary())
    print(
        f"wrote {out} ({counts.verified} rows)"
        + (f" and {quarantine_path(out)} ({counts.malformed} malformed)" if counts.malformed else "")
    )
    return 0
