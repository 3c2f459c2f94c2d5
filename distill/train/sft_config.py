"""Recipe section for distill train-student (issue 5). Standard library only: recipes load without heavy imports."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class StudentConfig:
    output_dir: str | None = None
