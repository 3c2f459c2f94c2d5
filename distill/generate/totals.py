"""Completeness and totals over the shards, and `distill generate --merge`.

The output is complete when every prompt x num_samples id has exactly one record. Error records
count as present (the run went on) but not as done: a rerun retries them. `merged.json` lists the
shards of a complete output with its totals; it is what says "this output is whole".
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from distill.errors import DistillError
from distill.generate import fingerprint
from distill.generate.shards import SHARD_RE, ShardStore, split_id
from distill.manifest import now_iso, read_manifest, write_json_atomic
from distill.sources import load_prompts_with_stats

if TYPE_CHECKING:  # the recipe module imports every stage's config: only the type checker needs it here
    from distill.recipe import Recipe

MERGED = "merged.json"


def totals(store: ShardStore, expected: set[str], part: int | None = None) -> dict[str, Any]:
    scan = store.scan()
    errored = {rid for s in scan.shards for rid in s.errors} - scan.done
    reasons: dict[str, int] = {}
    tokens = {"prompt_tokens": 0, "completion_tokens": 0}
    # scan() lists only names SHARD_RE matches
    shards = [
        s for s in scan.shards if part is None or ((m := SHARD_RE.match(s.path.name)) and int(m.group(1)) == part)
    ]
    for shard in shards:
        for key, value in shard.totals.get("finish_reasons", {}).items():
            reasons[key] = reasons.get(key, 0) + value
        for key in tokens:
            tokens[key] += int(shard.totals.get(key, 0))
    done = expected & scan.done
    return {
        "samples": len(done) + len(expected & errored),
        "samples_ok": len(done),
        "errors": len(expected & errored),
        "missing": len(expected - scan.done - errored),
        "duplicates": len([d for d in scan.duplicates if d in expected]),
        "outside_prompt_set": len(scan.done - expected) if part is None else 0,
        "finish_reasons": reasons,
        **tokens,
        "shards": len(shards),
        "_missing_ids": sorted(expected - scan.done - errored)[:5],
        "_duplicate_ids": sorted(set(scan.duplicates) & expected)[:5],
        "_shard_files": [s.path.name for s in shards],
    }


def complete_or_raise(out: Path, final: dict[str, Any], merged: bool) -> None:
    """Write merged.json for a whole output; otherwise say what is missing, in one line."""
    shard_files = final.pop("_shard_files")
    missing_ids, duplicate_ids = final.pop("_missing_ids"), final.pop("_duplicate_ids")
    if final["duplicates"]:
        raise DistillError(
            f"{out}: {final['duplicates']} sample ids have more than one record (e.g. {', '.join(duplicate_ids)}); "
            "two processes ran the same part? Regenerate with --fresh"
        )
    if final["missing"]:
        raise DistillError(
            f"{out}: incomplete: {final['missing']} of {final['samples'] + final['missing']} samples missing "
            f"(e.g. {', '.join(missing_ids)}); rerun the parts that own them (same command, same --part)"
        )
    if merged:
        write_json_atomic(
            out / MERGED,
            {
                "complete": True,
                "written": now_iso(),
                "shard_dir": "shards",
                "shards": shard_files,
                **{k: v for k, v in final.items()},
            },
        )


def run_merge(recipe: Recipe, log=None, name: str = "generate") -> dict[str, Any]:
    """Check that all parts together hold every prompt x n exactly once; write merged.json."""
    log = log or sys.stderr
    cfg = recipe.section(name)
    out = recipe.stage_dir(name)
    if not (out / fingerprint.FILE).is_file():
        raise DistillError(f"{out}: nothing generated yet (no {fingerprint.FILE}); run the parts first")
    prompts, source_stats = load_prompts_with_stats(cfg.source, recipe.seed)
    fingerprint.check_or_write(out, fingerprint.settings(cfg, recipe.seed))
    expected = {f"{p['id']}:{i}" for p in prompts for i in range(cfg.num_samples)}
    store = ShardStore(out)
    parts = _part_manifests(out)
    ended = [(read_manifest(out / "parts" / name) or {}).get("ended") for name in parts]
    from distill.stage_contract import open_stage

    with open_stage(
        recipe, name, "generate", key={"merge": dict(zip(parts, ended))}, redo_flag="--fresh (moves this output aside)"
    ) as run:
        if run.skipped:
            return (run.previous or {}).get("counts", {})
        final = totals(store, expected)
        run.counts.update(
            prompts=len(prompts),
            samples_expected=len(expected),
            skipped_empty_prompts=source_stats.empty,
            source=source_stats.as_dict(),
            parts=_part_manifests(out),
        )
        run.counts.update({k: v for k, v in final.items() if not k.startswith("_")})
        complete_or_raise(out, final, merged=True)
        print(
            f"generate --merge: {len(prompts)} prompts x {cfg.num_samples}: all {len(expected)} samples present once "
            f"in {final['shards']} shards ({final['errors']} error records); {out / MERGED} written",
            file=log,
        )
    return run.counts


def _part_manifests(out: Path) -> list[str]:
    parts = out / "parts"
    return sorted(p.name for p in parts.iterdir() if (p / "manifest.json").is_file()) if parts.is_dir() else []


__all__ = ["totals", "complete_or_raise", "run_merge", "split_id"]
