"""The end-of-run picture of a GRPO run: response length and reflection rate over steps (the length
growth and "aha moment" R1-Zero reported), with the reward components below. matplotlib is imported
only when plotting (distill.train.step_metrics), and a run without it just skips the plot."""

from __future__ import annotations

from pathlib import Path

from distill.train.step_metrics import load_pyplot, read_step_rows

LENGTH = "completions/mean_length"
REFLECTION = "rewards/reflection/mean"


def read_metrics(path: str | Path) -> list[dict]:
    """Rows of metrics.jsonl, one per step (a resumed run's repeated steps: the later row wins)."""
    return read_step_rows(path, lambda row: any(k.startswith("rewards/") for k in row))


def plot_training_curves(metrics_path: str | Path, out_png: str | Path) -> Path | None:
    """Write the PNG; None when there is nothing to plot or matplotlib is missing."""
    rows = read_metrics(metrics_path)
    plt = load_pyplot() if rows else None
    if plt is None:
        return None
    steps = [r["step"] for r in rows]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 7), sharex=True)
    top.plot(steps, [r.get(LENGTH) for r in rows], color="tab:blue", label="mean response length")
    top.set_ylabel("tokens")
    twin = top.twinx()
    twin.plot(steps, [r.get(REFLECTION) for r in rows], color="tab:red", label="reflection rate")
    twin.set_ylabel("share of completions reflecting")
    twin.set_ylim(0, 1)
    top.set_title("Response length and reflection rate")
    lines = top.get_lines() + twin.get_lines()
    top.legend(lines, [ln.get_label() for ln in lines], loc="upper left")
    names = sorted({k for r in rows for k in r if k.startswith("rewards/") and k.endswith("/mean")})
    for key in names:
        bottom.plot(steps, [r.get(key) for r in rows], label=key.split("/")[1])
    if any("reward" in r for r in rows):
        bottom.plot(steps, [r.get("reward") for r in rows], color="black", linewidth=2, label="total (weighted)")
    bottom.set_xlabel("step")
    bottom.set_ylabel("reward")
    bottom.legend(loc="best")
    fig.tight_layout()
    out_png = Path(out_png)
    fig.savefig(out_png, dpi=100)
    plt.close(fig)
    return out_png
