"""Generation engines by name: `engine: vllm | openai | hf` in a recipe's `generate` section.

The table names each engine's class as `module:Class` and loads it only when asked, so neither
this module nor the engine interface (`engine.py`) imports an engine (each engine imports the
interface; nothing imports back). An engine builds itself from the section: `from_config`.
"""

from __future__ import annotations

from typing import Any

ENGINES = {
    "vllm": "distill.generate.vllm:VllmEngine",
    "openai": "distill.generate.openai:OpenAIEngine",
    "hf": "distill.generate.hf:HFEngine",
}


def engine_class(name: str) -> Any:
    from distill.core.dotted import load
    from distill.errors import DistillError

    if name not in ENGINES:
        raise DistillError(f"unknown generate.engine {name!r}; engines: {', '.join(ENGINES)}")
    return load(ENGINES[name])


def make_engine(cfg: Any, tokenizer: Any = None) -> Any:
    """The engine a GenerateConfig names (heavy libraries are imported by the engine, when built)."""
    return engine_class(cfg.engine).from_config(cfg, tokenizer)
