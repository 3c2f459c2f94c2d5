"""The report's PNGs (matplotlib, headless): accuracy per benchmark, response lengths, funnel, training."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from distill.errors import require


def _plt():
    matplotlib = require("matplotlib", "plot", "distill report plots")
    matplotlib.use("Agg")  # no display on servers and CI
    import matplotlib.pyplot as plt

    return plt


def tasks_of(models: list[Any]) -> list[str]:
    seen: list[str] = []
    for model in models:
        for task in model.results["tasks"]:
            if task not in seen:
                seen.append(task)
    return seen


def accuracy_plot(models: list[Any], path: Path) -> Path:
    """Grouped bars: pass@1 (with standard error) per benchmark and model; cons@k as a diamond."""
    plt = _plt()
    tasks = tasks_of(models)
    width = 0.8 / max(len(models), 1)
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(tasks) * max(1, len(models) / 2)), 4.5))
    for i, model in enumerate(models):
        xs, ys, errs, cons = [], [], [], []
        for j, task in enumerate(tasks):
            m = model.results["tasks"].get(task)
            if not m:
                continue
            xs.append(j - 0.4 + width * (i + 0.5))
            ys.append(100 * m["pass@1"])
            errs.append(100 * (m.get("pass@1_stderr") or 0))
            cons.append(100 * m["cons@k"])
        bars = ax.bar(xs, ys, width, yerr=errs, capsize=3, label=model.name)
        ax.scatter(xs, cons, marker="D", s=18, color="black", zorder=3)
        for bar in bars:
            ax.annotate(
                f"{bar.get_height():.1f}",
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                ha="center",
                va="bottom",
                fontsize=7,
                xytext=(0, 2),
                textcoords="offset points",
            )
    ax.scatter([], [], marker="D", s=18, color="black", label="cons@k")
    ax.set_xticks(range(len(tasks)), tasks)
    ax.set_ylabel("pass@1 (%) ± s.e.")
    ax.set_ylim(0, 105)
    ax.set_title("Accuracy per benchmark")
    ax.legend(fontsize=8, loc="upper right")
    return _save(fig, path)


def length_plot(models: list[Any], path: Path) -> Path:
    """Response length distributions per model, one panel per benchmark."""
    plt = _plt()
    tasks = tasks_of(models)
    fig, axes = plt.subplots(1, len(tasks), figsize=(max(5, 3.5 * len(tasks)), 4), squeeze=False)
    for ax, task in zip(axes[0], tasks):
        data = [(m.name, m.lengths.get(task, [])) for m in models]
        data = [(name, values) for name, values in data if values]
        if data:
            ax.boxplot([values for _, values in data], showmeans=True)
            ax.set_xticks(range(1, len(data) + 1), [name for name, _ in data], rotation=30, ha="right", fontsize=8)
        ax.set_title(task)
        unit = models[0].length_unit if models else "tokens"
        ax.set_ylabel(f"response length ({unit})")
    fig.suptitle("Response length per model")
    return _save(fig, path)


def funnel_plot(funnel: dict[str, Any], path: Path) -> Path:
    """Rows read, rejected per reason, kept: horizontal bars, top to bottom."""
    plt = _plt()
    labels, values = [], []
    if funnel.get("read") is not None:
        labels.append("read")
        values.append(funnel["read"])
    for reason, count in funnel.get("rejected", {}).items():
        labels.append(f"rejected: {reason}")
        values.append(count)
    if funnel.get("malformed"):
        labels.append("malformed")
        values.append(funnel["malformed"])
    if funnel.get("kept") is not None:
        labels.append("kept")
        values.append(funnel["kept"])
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(labels) + 1.2))
    ax.barh(
        range(len(labels)), values, color=["#4c72b0" if not lab.startswith("rejected") else "#c44e52" for lab in labels]
    )
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("rows")
    ax.set_title("Filter funnel")
    return _save(fig, path)


def training_plot(name: str, series: dict[str, list[tuple[float, float]]], path: Path) -> Path:
    """Loss and reward curves of one training run (TRL log_history)."""
    plt = _plt()
    fig, axes = plt.subplots(1, len(series), figsize=(4 * len(series), 3.2), squeeze=False)
    for ax, (key, points) in zip(axes[0], sorted(series.items())):
        ax.plot([p[0] for p in points], [p[1] for p in points], marker="." if len(points) < 50 else None)
        ax.set_title(key, fontsize=9)
        ax.set_xlabel("step")
    fig.suptitle(f"Training: {name}")
    return _save(fig, path)


def _save(fig, path: Path) -> Path:
    import matplotlib.pyplot as plt

    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
