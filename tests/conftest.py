"""Shared test fixtures and marker handling.

Tiny models are built once per session from the toy kit (distill/toy/): a tokenizer trained on the
spot and 2-layer, 128-wide Qwen2/Llama models with head_dim 64, so every test runs offline on a CPU.
They are shared by the whole session: treat them as read-only (save trained models elsewhere).

Markers: `vllm` tests are skipped when vLLM is not installed, `gpu` tests when no CUDA device is
visible, `slow` tests unless the -m expression names `slow` (e.g. `pytest -m slow`).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def _cuda_available() -> bool:
    # torch is imported only when a gpu test was collected: plain runs stay fast.
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


def pytest_collection_modifyitems(config, items):
    markexpr = config.getoption("-m", default="") or ""
    run_slow = "slow" in markexpr
    has_vllm = None
    has_cuda = None
    for item in items:
        if "slow" in item.keywords and not run_slow:
            item.add_marker(pytest.mark.skip(reason="slow test: run with -m slow"))
        if "vllm" in item.keywords:
            if has_vllm is None:
                has_vllm = importlib.util.find_spec("vllm") is not None
            if not has_vllm:
                item.add_marker(pytest.mark.skip(reason="vLLM is not installed"))
        if "gpu" in item.keywords:
            if has_cuda is None:
                has_cuda = _cuda_available()
            if not has_cuda:
                item.add_marker(pytest.mark.skip(reason="no CUDA GPU available"))


@pytest.fixture(scope="session")
def toy_tokenizer_dir(tmp_path_factory) -> Path:
    """A saved toy tokenizer (byte-level BPE, ChatML template with {% generation %} blocks)."""
    from distill.toy.tokenizer import build_tokenizer

    out = tmp_path_factory.mktemp("toy") / "tokenizer"
    build_tokenizer(out)
    return out


@pytest.fixture(scope="session")
def tiny_qwen_dir(toy_tokenizer_dir, tmp_path_factory) -> Path:
    """A complete HF model directory: Qwen2, 2 layers, hidden 128, 2 heads of 64, random seeded weights."""
    from distill.toy.models import build_tiny_model

    return build_tiny_model("qwen2", toy_tokenizer_dir, tmp_path_factory.mktemp("toy") / "qwen2")


@pytest.fixture(scope="session")
def tiny_llama_dir(toy_tokenizer_dir, tmp_path_factory) -> Path:
    """A complete HF model directory: Llama, 2 layers, hidden 128, 2 heads of 64, random seeded weights."""
    from distill.toy.models import build_tiny_model

    return build_tiny_model("llama", toy_tokenizer_dir, tmp_path_factory.mktemp("toy") / "llama")


@pytest.fixture(scope="session")
def shared_benchmarks_dir() -> Path:
    """The shared benchmark files next to the checkout (../shared/benchmarks); skip when absent."""
    path = REPO_ROOT.parent / "shared" / "benchmarks"
    if not path.is_dir():
        pytest.skip(f"shared benchmarks not found at {path}")
    return path


@pytest.fixture(scope="session")
def bwrap_sandbox():
    """A working bubblewrap sandbox, or a skip that says why (bwrap missing, user namespaces off...).
    The product fails closed there; `make setup` installs bubblewrap when run as root."""
    from distill.verify.sandbox import Limits, Sandbox, SandboxUnavailable

    try:
        return Sandbox("bwrap", Limits())
    except SandboxUnavailable as exc:
        pytest.skip(f"no working bubblewrap sandbox here: {exc}")


class SmallDisks:
    """Mounts tmpfs file systems of a given size; `resize` grows one (the disk freed, for a rerun)."""

    def __init__(self, root: Path):
        self.root = root
        self.mounted: list[Path] = []

    def __call__(self, size: str) -> Path:
        import subprocess

        target = self.root / f"disk{len(self.mounted)}"
        target.mkdir()
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target)],
                                capture_output=True, text=True)
        if result.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
        self.mounted.append(target)
        return target

    def resize(self, target: Path, size: str) -> None:
        import subprocess

        subprocess.run(["mount", "-o", f"remount,size={size}", str(target)], check=True)

    def unmount_all(self) -> None:
        import subprocess

        for target in self.mounted:
            subprocess.run(["umount", "-l", str(target)], capture_output=True)


@pytest.fixture
def small_tmpfs(tmp_path):
    """A tmpfs of a few KB/MB for full-disk tests: `disk = small_tmpfs("96k")`, `small_tmpfs.resize(disk, "8m")`.
    Skips where this process may not mount (not root); the fault tests also fake ENOSPC without it."""
    disks = SmallDisks(tmp_path)
    yield disks
    disks.unmount_all()
