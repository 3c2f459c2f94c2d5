"""Recipe section for distill filter (issue 4). Standard library only: recipes load without heavy imports."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FilterConfig:
    output_dir: str | None = None
