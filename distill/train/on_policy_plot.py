"""The end-of-run picture of an on-policy distillation run: the divergence to the teacher (TRL's
loss: the generalized JSD over the student's own samples), the mean response length per step and,
when `eval_holdout` is set, the greedy accuracy on the held-out prompts.
matplotlib is imported only when plotting (distill.train.step_metrics); a run without it skips the plot."""

from __future__ import annotations

from pathlib import Path

from distill.train.step_metrics import load_pyplot, read_step_rows

DIVERGENCE = "loss"
LENGTH = "completions/mean_length"
ACCURACY = "holdout/accuracy"


def read_metrics(path: str | Path) -> list[dict]:
    """Training-step rows of metrics.jsonl (a resumed run's repeated steps: the later row wins)."""
    return read_step_rows(path, lambda row: DIVERGENCE in row and LENGTH in row)


def read_holdout(path: str | Path) -> list[dict]:
    """Rows with the held-out accuracy (step 0, every `every_steps` steps, the last step)."""
    return read_step_rows(path, lambda row: ACCURACY in row)


def plot_curves(metrics_path: str | Path, out_png: str | Path) -> Path | None:
    """Write the PNG; None when there is nothing to plot or matplotlib is missing."""
    rows = read_metrics(metrics_path)
    plt = load_pyplot() if rows else None
    if plt is None:
        return None
    steps = [r["step"] for r in rows]
    holdout = read_holdout(metrics_path)
    fig, axes = plt.subplots(3 if holdout else 2, 1, figsize=(8, 8 if holdout else 6), sharex=True)
    top, middle = axes[0], axes[1]
    top.plot(steps, [r[DIVERGENCE] for r in rows], color="tab:red")
    top.set_ylabel("divergence to the teacher")
    top.set_title("On-policy distillation: divergence, response length" + (", held-out accuracy" if holdout else ""))
    middle.plot(steps, [r[LENGTH] for r in rows], color="tab:blue")
    middle.set_ylabel("response length (tokens)")
    if holdout:
        axes[2].plot(
            [r["step"] for r in holdout],
            [r[ACCURACY] for r in holdout],
            color="tab:green",
            marker="o",
            label=f"greedy, {int(holdout[-1]['holdout/scored'])} held-out prompts",
        )
        axes[2].set_ylabel("held-out accuracy")
        axes[2].set_ylim(-0.02, 1.02)
        axes[2].legend(loc="upper left")
    axes[-1].set_xlabel("step")
    fig.tight_layout()
    out_png = Path(out_png)
    fig.savefig(out_png, dpi=100)
    plt.close(fig)
    return out_png
