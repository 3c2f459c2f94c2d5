"""The conformance cases of benchmarks/verify_cases, loaded through the benchmark's own module."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def conformance():
    spec = importlib.util.spec_from_file_location("verify_conformance", ROOT / "benchmarks" / "verify_conformance.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


CASES = conformance().load_all()
