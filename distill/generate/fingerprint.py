"""What determines the traces, written to `<out>/generation.json` and checked on every rerun.

Teacher, tokenizer, num_samples, sampling (seed resolved), prompting and the prompt source (minus
`limit`, so a larger limit extends a run) decide the result; engines and throughput settings don't.
A rerun whose settings differ refuses to append to the old output and names what changed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from distill.config import to_dict
from distill.errors import DistillError
from distill.manifest import write_json_atomic

FILE = "generation.json"


def settings(cfg: Any, seed: int) -> dict[str, Any]:
    sampling = to_dict(cfg.sampling)
    sampling["seed"] = cfg.sampling.seed if cfg.sampling.seed is not None else seed
    source = cfg.source.identity()
    source["seed"] = cfg.source.seed if cfg.source.seed is not None else seed
    return {
        "teacher": cfg.teacher,
        "tokenizer": cfg.tokenizer or cfg.teacher,
        "num_samples": cfg.num_samples,
        "sampling": sampling,
        "prompting": to_dict(cfg.prompting),
        "source": source,
    }


def fingerprint(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def differences(old: Any, new: Any, path: str = "") -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        found = []
        for key in sorted(set(old) | set(new)):
            found += differences(old.get(key), new.get(key), f"{path}.{key}" if path else key)
        return found
    return [] if old == new else [f"{path}: {json.dumps(old)} -> {json.dumps(new)}"]


def check_or_write(out_dir: Path, data: dict[str, Any]) -> None:
    """First run: record the settings. Later runs: refuse if anything that shapes the traces changed."""
    path = Path(out_dir) / FILE
    if path.is_file():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))["settings"]
        except (OSError, json.JSONDecodeError, KeyError):
            raise DistillError(f"{path}: unreadable; move the output aside or rerun with --fresh") from None
        changed = differences(old, data)
        if changed:
            shown = "; ".join(changed[:4]) + (f"; and {len(changed) - 4} more" if len(changed) > 4 else "")
            raise DistillError(
                f"{out_dir} holds traces generated with other settings ({shown}); "
                "rerun with --fresh to move the old output aside and start over"
            )
        return
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    write_json_atomic(path, {"fingerprint": fingerprint(data), "settings": data})
