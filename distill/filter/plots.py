"""Funnel figures (PNG): rejections by reason, completion length before/after, yield per domain and
per source. matplotlib is the optional `plot` extra; without it the plots are skipped with a notice."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

from distill.filter.ledger import KEPT, MALFORMED, Ledger


def _bar(plt, path: Path, labels: list[str], values: list[float], title: str, ylabel: str) -> None:
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.bar(labels, values, color="#4878a8")
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.tick_params(axis="x", rotation=30)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write(out_dir: Path, ledger: Ledger, funnel: dict[str, Any]) -> list[str]:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(
            "distill filter: plots skipped: matplotlib is not installed (pip install 'distill[plot]')", file=sys.stderr
        )
        return []
    figures = out_dir / "figures"
    figures.mkdir(exist_ok=True)
    by_reason = {k: v for k, v in funnel["rejected_by_reason"].items() if v} | (
        {"malformed": funnel["malformed"]} if funnel["malformed"] else {}
    )
    _bar(plt, figures / "rejections.png", list(by_reason), list(by_reason.values()), "Rejected rows by reason", "rows")
    codes = np.frombuffer(ledger.code, dtype=np.int8)
    tokens = np.frombuffer(ledger.tokens, dtype=np.int64)
    fig, ax = plt.subplots(figsize=(7, 3.5))
    before, after = tokens[codes != MALFORMED], tokens[codes == KEPT]
    bins = np.linspace(0, max(int(before.max()) if len(before) else 1, 1), 50)
    ax.hist(before, bins=bins, alpha=0.6, label=f"read ({len(before)})")
    ax.hist(after, bins=bins, alpha=0.6, label=f"kept ({len(after)})")
    ax.set_title("Completion length")
    ax.set_xlabel("completion tokens")
    ax.legend()
    fig.tight_layout()
    fig.savefig(figures / "lengths.png", dpi=100)
    plt.close(fig)
    for key, name in (("per_domain", "domain"), ("per_source", "source")):
        data = funnel[key]
        _bar(
            plt,
            figures / f"yield_{name}.png",
            list(data),
            [100 * v["yield"] for v in data.values()],
            f"Yield per {name}",
            "% kept",
        )
    return ["figures/rejections.png", "figures/lengths.png", "figures/yield_domain.png", "figures/yield_source.png"]
