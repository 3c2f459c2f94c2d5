"""Build a report directory: report.md, report.html and the PNGs they show.

    <out>/report.md  <out>/report.html  <out>/accuracy.png  <out>/lengths.png
    <out>/funnel.png (when a funnel is given)  <out>/training_<run>.png (when trainer logs exist)

With `compute` ({row: [stage dirs]}) a Compute table puts each model's pass@1 beside the generated
tokens, training tokens and wall time its stages spent (distill/report/compute.py); with `compare`
({label: [model, reference]}) a Comparisons table gives paired differences (distill/report/compare.py).
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from distill.report import plots
from distill.report.collect import ModelResult, load_funnel, load_model_results, load_training


def _pct(value: float | None, stderr: float | None = None) -> str:
    if value is None:
        return "–"
    return f"{100 * value:.1f} ± {100 * stderr:.1f}" if stderr is not None else f"{100 * value:.1f}"


def summary_rows(models: list[ModelResult]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the main table: one row per model, per benchmark `pass@1 ± se` and `cons@k`."""
    tasks = plots.tasks_of(models)
    header = ["model"]
    for task in tasks:
        k = max((m.results["tasks"][task]["k"] for m in models if task in m.results["tasks"]), default=0)
        header += [f"{task} pass@1", f"{task} cons@{k}"]
    rows = []
    for model in models:
        row = [model.name]
        for task in tasks:
            m = model.results["tasks"].get(task)
            row += [_pct(m["pass@1"], m.get("pass@1_stderr")), _pct(m["cons@k"])] if m else ["–", "–"]
        rows.append(row)
    return header, rows


def detail_rows(models: list[ModelResult]) -> tuple[list[str], list[list[str]]]:
    header = ["model", "benchmark", "n", "k", "pass@1 (%)", "cons@k (%)", "mean tokens", "mean chars", "no answer (%)"]
    rows = []
    for model in models:
        for task, m in model.results["tasks"].items():
            rows.append(
                [
                    model.name,
                    task,
                    str(m["n"]),
                    str(m["k"]),
                    _pct(m["pass@1"], m.get("pass@1_stderr")),
                    _pct(m["cons@k"]),
                    f"{m['mean_tokens']:.0f}" if m.get("mean_tokens") is not None else "–",
                    f"{m['mean_chars']:.0f}" if m.get("mean_chars") is not None else "–",
                    _pct(m.get("no_answer_rate")),
                ]
            )
    return header, rows


def funnel_rows(funnel: dict[str, Any]) -> list[list[str]]:
    """Read, rejected per reason in the filter's own order (the funnel's steps), malformed, kept."""
    rows = []
    if funnel.get("read") is not None:
        rows.append(["read", str(funnel["read"])])
    for reason, count in funnel.get("rejected", {}).items():
        rows.append([f"rejected: {reason}", str(count)])
    if funnel.get("malformed"):
        rows.append(["malformed", str(funnel["malformed"])])
    if funnel.get("kept") is not None:
        rows.append(["kept", str(funnel["kept"])])
    return rows


def md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def html_table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def compute_section(models: list[ModelResult], compute: dict[str, list[str]]) -> tuple[list[str], list[list[str]]]:
    """The compute table (distill/report/compute.py) with each row's pass@1 beside it."""
    from distill.report.compute import compute_rows, load_compute

    tasks = plots.tasks_of(models)
    accuracy = {}
    for model in models:
        accuracy[model.name] = [
            _pct(model.results["tasks"][t]["pass@1"]) if t in model.results["tasks"] else "–" for t in tasks
        ]
    return compute_rows(load_compute(compute), accuracy, tasks)


def build_report(
    results: dict[str, str],
    out_dir: str | Path,
    *,
    title: str = "distill report",
    funnel: str | None = None,
    training: dict[str, str] | None = None,
    compute: dict[str, list[str]] | None = None,
    compare: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """Write the report; returns {"markdown": path, "html": path, "plots": [paths], "models": n}."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    models = load_model_results(results)
    sections: list[tuple[str, str, Any]] = []  # (heading, kind, payload): kind table|image|text
    sections.append(("Results", "table", summary_rows(models)))
    sections.append(
        (
            "",
            "text",
            "pass@1: mean accuracy over k samples per problem, ± its standard error over "
            "problems; cons@k: accuracy of the majority-vote answer over the k samples (percent).",
        )
    )
    if compute:
        sections.append(("Compute", "table", compute_section(models, compute)))
        sections.append(
            (
                "",
                "text",
                "Compute per model: the stages that made it, summed from their manifests. "
                "Generated tokens: tokens sampled (a teacher's traces, GRPO or on-policy rollouts); "
                "training tokens: tokens through a trainer's forward and backward; ≥: a stage did not "
                "record that figure.",
            )
        )
    if compare:
        from distill.report.compare import compare_rows

        sections.append(("Comparisons", "table", compare_rows(models, compare, plots.tasks_of(models))))
        sections.append(
            (
                "",
                "text",
                "Difference: the model's pass@1 minus the reference's over the problems both "
                "answered, ± its paired standard error over problems (percentage points).",
            )
        )
    sections.append(("Accuracy per benchmark", "image", plots.accuracy_plot(models, out / "accuracy.png")))
    sections.append(("Details", "table", detail_rows(models)))
    sections.append(("Response length", "image", plots.length_plot(models, out / "lengths.png")))
    written = [out / "accuracy.png", out / "lengths.png"]
    funnel_data = load_funnel(funnel)
    if funnel_data:
        sections.append(("Filter funnel", "text", f"Source: {funnel_data.get('source', funnel)}"))
        if funnel_data.get("note"):
            sections.append(("", "text", funnel_data["note"]))
        rows = funnel_rows(funnel_data)
        if rows:
            sections.append(("", "table", (["step", "rows"], rows)))
            written.append(plots.funnel_plot(funnel_data, out / "funnel.png"))
            sections.append(("", "image", written[-1]))
    for name, series in load_training(training or {}).items():
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
        written.append(plots.training_plot(name, series, out / f"training_{safe}.png"))
        sections.append((f"Training: {name}", "image", written[-1]))
    sources = [
        [m.name, str(m.path), str(m.results.get("model_path", "")), str(m.results.get("backend", ""))] for m in models
    ]
    sections.append(("Sources", "table", (["model", "result dir", "model path", "backend"], sources)))
    md_path, html_path = out / "report.md", out / "report.html"
    md_path.write_text(render_markdown(title, sections), encoding="utf-8")
    html_path.write_text(render_html(title, sections), encoding="utf-8")
    return {"markdown": md_path, "html": html_path, "plots": written, "models": len(models)}


def render_markdown(title: str, sections: list[tuple[str, str, Any]]) -> str:
    parts = [f"# {title}"]
    for heading, kind, payload in sections:
        if heading:
            parts.append(f"## {heading}")
        if kind == "table":
            parts.append(md_table(*payload))
        elif kind == "image":
            parts.append(f"![{heading or payload.stem}]({payload.name})")
        else:
            parts.append(str(payload))
    return "\n\n".join(parts) + "\n"


STYLE = (
    "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
    "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
    "td:first-child,th:first-child{text-align:left}img{max-width:100%}"
)


def render_html(title: str, sections: list[tuple[str, str, Any]]) -> str:
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
    ]
    for heading, kind, payload in sections:
        if heading:
            parts.append(f"<h2>{html.escape(heading)}</h2>")
        if kind == "table":
            parts.append(html_table(*payload))
        elif kind == "image":
            parts.append(f"<img src='{html.escape(payload.name)}' alt='{html.escape(heading or payload.stem)}'>")
        else:
            parts.append(f"<p>{html.escape(str(payload))}</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
