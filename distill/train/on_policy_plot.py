"""The end-of-run picture of an on-policy distillation run: the divergence to the teacher (TRL's
loss: the generalized JSD over the student's own samples) and the mean response length per step.
matplotlib is imported only when plotting (distill.train.step_metrics); a run without it skips the plot."""

from __future__ import annotations

from pathlib import Path

from distill.train.step_metrics import load_pyplot, read_step_rows

DIVERGENCE = "loss"
LENGTH = "completions/mean_length"


def read_metrics(path: str | Path) -> list[dict]:
    """Training-step rows of metrics.jsonl (a resumed run's repeated steps: the later row wins)."""
    return read_step_rows(path, lambda row: DIVERGENCE in row and LENGTH in row)


def plot_curves(metrics_path: str | Path, out_png: str | Path) -> Path | None:
    """Write the PNG; None when there is nothing to plot or matplotlib is missing."""
    rows = read_metrics(metrics_path)
    plt = load_pyplot() if rows else None
    if plt is None:
        return None
    steps = [r["step"] for r in rows]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    top.plot(steps, [r[DIVERGENCE] for r in rows], color="tab:red")
    top.set_ylabel("divergence to the teacher")
    top.set_title("On-policy distillation: divergence and response length")
    bottom.plot(steps, [r[LENGTH] for r in rows], color="tab:blue")
    bottom.set_ylabel("mean response length (tokens)")
    bottom.set_xlabel("step")
    fig.tight_layout()
    out_png = Path(out_png)
    fig.savefig(out_png, dpi=100)
    plt.close(fig)
    return out_png
