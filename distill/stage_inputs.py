"""A stage builds only on finished work: the manifest of each stage output it reads must say ok.

`check_inputs(paths, allow_partial=...)` is called by filter, train-student, train-teacher /
train-baseline, eval and report on what they read, before anything heavy is loaded. A path inside
a stage's output (the directory holding `manifest.json`, or a generate output's `generation.json`,
at most two levels up) must come from a run whose status is ok, and a generate output must be
merged (`merged.json`: every prompt x n present once). Anything else is refused in one line naming
the directory, its status and the command that finishes it. `--allow-partial-input` takes it as
it is on purpose; the reader's manifest then records each input with `"partial": true`.

Files of the user's own (no manifest above them) are accepted. Each checked input also gets an
identity (its stage run's fingerprint and end time, or a file's size and mtime) that the reader's
manifest keeps, so a rerun whose input changed is not taken for one that is already complete.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from distill.errors import DistillError
from distill.manifest import MANIFEST, read_json

GENERATION_FILE = "generation.json"  # distill.generate.fingerprint.FILE, not imported: it pulls in config
MERGED_FILE = "merged.json"
COMMANDS = {
    "generate": "distill generate",
    "filter": "distill filter",
    "train_student": "distill train-student",
    "train_teacher": "distill train-teacher",
    "train_baseline": "distill train-baseline",
    "eval": "distill eval",
    "report": "distill report",
    "toy": "distill toy setup",
}
FLAG = "--allow-partial-input"


def stage_dir_of(path: Path) -> Path | None:
    """The stage output directory `path` lies in (itself or up to two levels up), if any."""
    for candidate in [path, *list(path.parents)[:2]]:
        if (candidate / MANIFEST).is_file() or (candidate / GENERATION_FILE).is_file():
            return candidate
    return None


def _unfinished(directory: Path) -> tuple[str, str] | None:
    """(stage, status) when the stage output in `directory` is not finished, else None."""
    manifest_path = directory / MANIFEST
    if not manifest_path.is_file():  # a generate output whose parts were never merged
        return "generate", "not merged (parts only)" if (directory / "parts").is_dir() else "started, no manifest"
    manifest = read_json(manifest_path)
    if manifest is None:
        return "unknown", "unreadable manifest"
    stage = str(manifest.get("stage", "unknown"))
    if manifest.get("status") != "ok":
        return stage, str(manifest.get("status", "unknown"))
    if stage == "generate" and not (directory / MERGED_FILE).is_file():
        return stage, "ok but not merged (no merged.json)"
    return None


def _finish_hint(directory: Path, stage: str) -> str:
    own = (read_json(directory / MANIFEST) or {}).get("command")  # a named stage's manifest names its command
    command = f"distill {own}" if own else COMMANDS.get(stage, "the stage's command")
    named = f" --stage {stage}" if own and COMMANDS.get(stage) != command else ""
    recipe = directory / "recipe.resolved.yaml"
    if recipe.is_file():
        with_recipe = f"`{command} {recipe}{named}`"
    else:
        with_recipe = f"`{command}{named}` with the recipe that made it"
    if stage == "generate":
        with_recipe += " (after --part runs: each part, then --merge)"
    return with_recipe


def input_identity(path: Path, directory: Path | None, partial: bool) -> dict[str, Any]:
    if directory is not None:
        manifest = read_json(directory / MANIFEST) or {}
        identity = {
            "path": str(directory.resolve()),
            "stage": manifest.get("stage"),
            "status": manifest.get("status"),
            "fingerprint": manifest.get("fingerprint"),
            "ended": manifest.get("ended"),
        }
        merged = read_json(directory / MERGED_FILE)
        if merged is not None:
            identity["merged"] = merged.get("written")
        return {**identity, "partial": True} if partial else identity
    try:
        stat = path.stat()
    except OSError:  # a hub id or a path a later step reports on
        return {"path": str(path)}
    if path.is_dir():
        return {"path": str(path.resolve())}
    return {"path": str(path.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def check_inputs(
    paths: Iterable[str | Path], *, allow_partial: bool = False, reader: str = "this stage"
) -> list[dict[str, Any]]:
    """Refuse unfinished stage outputs among `paths`; return their identities for the manifest."""
    identities, seen = [], set()
    for raw in paths:
        path = Path(raw).expanduser()
        directory = stage_dir_of(path) if path.exists() else None
        partial = False
        if directory is not None and (problem := _unfinished(directory)) is not None:
            stage, status = problem
            if not allow_partial:
                raise DistillError(
                    f"{directory}: this {stage} output is {status}, so {reader} will not read it; finish it with "
                    f"{_finish_hint(directory, stage)}, or pass {FLAG} to take it as it is"
                )
            partial = True
        identity = input_identity(path, directory, partial)
        if identity["path"] not in seen:
            seen.add(identity["path"])
            identities.append(identity)
    return identities


def add_argument(parser) -> None:
    parser.add_argument(
        FLAG,
        dest="allow_partial_input",
        action="store_true",
        help="read a stage output that is not finished (killed, failed, not merged) on purpose; "
        "recorded in this stage's manifest",
    )
