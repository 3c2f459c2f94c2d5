"""How each stage model of recipes/toy/r1.yaml answers: the share of its eval completions that think in
Chinese (the habit the language reward breaks), that answer at once (the habit reasoning RL breaks),
and each kind's accuracy; plus the language reward logged during the RL stages.

    python benchmarks/r1_toy_habits.py runs/toy_r1
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from distill.toy.tasks.base import MIXED_THOUGHT, QUICK_THOUGHT
from distill.train.rewards.language import language_share
from distill.train.rewards.text import split_think

MODELS = ("base", "cold_start", "reasoning_rl", "sft_800k", "rl_all")


def habits(samples: Path) -> dict:
    rows = [json.loads(line) for line in samples.read_text(encoding="utf-8").splitlines() if line.strip()]
    kinds = {"mixed": [], "quick": [], "worked": []}
    for row in rows:
        text = row["completion"]
        text = text if "<think>" in text else "<think>\n" + text
        thought, _ = split_think(text)
        kind = "mixed" if thought and language_share(thought, "en") < 1.0 or MIXED_THOUGHT in text else \
            "quick" if QUICK_THOUGHT in text else "worked"
        kinds[kind].append(bool(row["correct"]))
    n = len(rows)
    return {k: (len(v) / n, sum(v) / len(v) if v else None) for k, v in kinds.items()} | {"n": n}


def reward_curve(run_dir: Path) -> str:
    metrics = run_dir / "metrics.jsonl"
    if not metrics.is_file():
        return "–"
    rows = [json.loads(line) for line in metrics.read_text().splitlines() if line.strip()]
    values = [r[k] for r in rows for k in r if k.startswith("rewards/language") and k.endswith("/mean")]
    return f"{values[0]:.2f} -> {values[-1]:.2f}" if values else "–"


def main(run: str) -> None:
    root = Path(run)
    print("| model | thinks in Chinese (acc.) | answers at once (acc.) | works the steps (acc.) | language reward in RL |")
    print("|---|---|---|---|---|")
    for name in MODELS:
        file = root / "eval" / name / "samples.jsonl"
        if not file.is_file():
            continue
        h = habits(file)
        cells = [f"{100 * share:.0f}% ({'–' if acc is None else f'{100 * acc:.0f}%'})" for share, acc in
                 (h["mixed"], h["quick"], h["worked"])]
        print(f"| {name} | " + " | ".join(cells) + f" | {reward_curve(root / name)} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "runs/toy_r1")
