"""Recipe section for distill eval (issue 7). Standard library only: recipes load without heavy imports."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class EvalConfig:
    output_dir: str | None = None
