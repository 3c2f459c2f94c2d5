"""Recipe section for distill generate (issue 3). Standard library only: recipes load without heavy imports."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class GenerateConfig:
    output_dir: str | None = None
