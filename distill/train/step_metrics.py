"""What the training plots share: the per-step rows of a run's metrics.jsonl, and matplotlib when
it is installed (a run without it just skips its plot)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any


def read_step_rows(path: str | Path, keep: Callable[[dict], bool]) -> list[dict]:
    """The rows `keep` accepts, one per step in step order (a resumed run's repeated steps: the
    later row wins); none when the file is missing."""
    path = Path(path)
    if not path.is_file():
        return []
    by_step: dict[int, dict] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            if keep(row):
                by_step[int(row["step"])] = row
    return [by_step[s] for s in sorted(by_step)]


def load_pyplot() -> Any | None:
    """matplotlib.pyplot on the Agg backend, or None where matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    return plt
