"""Recipe section for distill train-teacher / train-baseline (issue 6). Standard library only: recipes load without heavy imports."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class GRPOStageConfig:
    output_dir: str | None = None
