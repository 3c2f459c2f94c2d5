"""An eval result directory: per-sample log, results.json, results.md, and rescoring them.

    <out>/<model>/samples.jsonl   one row per completion: prompt, completion, extracted answer, verdict
    <out>/<model>/results.json    per task: n, k, pass@1 ± stderr, cons@k, mean response length
    <out>/<model>/results.md      the same as a Markdown table
    <out>/results.md              all models of the run side by side

`rescore(dir)` reads samples.jsonl, asks the current verifier again and rewrites all three files;
nothing is generated again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from distill.errors import DistillError
from distill.evaluate.metrics import all_task_metrics
from distill.evaluate.scoring import verdicts_for
from distill.manifest import now_iso, write_json_atomic
from distill.records import read_rows, write_jsonl

SAMPLES = "samples.jsonl"
RESULTS = "results.json"
TABLE = "results.md"


def sample_rows(
    task: str, logged: Iterable[dict[str, Any]], count_tokens=None, max_gen_toks: int | None = None, progress=None
) -> list[dict]:
    """One row per completion from lm-eval's logged samples (log_samples=True), scored."""
    rows = []
    for example in logged:
        doc = example["doc"]
        completions = list(example["filtered_resps"][0])
        prompt = example["arguments"][0][0] if example.get("arguments") else None
        verdicts = verdicts_for(completions, str(doc["answer"]), doc["domain"], doc.get("tests"))
        for index, (text, verdict) in enumerate(zip(completions, verdicts)):
            # Re-tokenized text, so approximate; a completion cannot be longer than max_gen_toks.
            tokens = count_tokens(text) if count_tokens else None
            if tokens is not None and max_gen_toks:
                tokens = min(tokens, max_gen_toks)
            rows.append(
                {
                    "task": task,
                    "doc_id": example["doc_id"],
                    "problem_id": doc.get("id"),
                    "sample_index": index,
                    "answer": str(doc["answer"]),
                    "domain": doc["domain"],
                    "prompt": prompt if index == 0 else None,
                    "completion": text,
                    "extracted": verdict.extracted,
                    "correct": bool(verdict.correct),
                    "reason": verdict.reason,
                    "completion_chars": len(text),
                    "completion_tokens": tokens,
                    "truncated": (tokens >= max_gen_toks) if tokens is not None and max_gen_toks else None,
                }
            )
        if progress is not None:
            progress.update(len(completions))
    return rows


def write_results(model_dir: Path, rows: list[dict], info: dict[str, Any]) -> dict[str, Any]:
    """samples.jsonl + results.json + results.md for one model; returns the results."""
    write_jsonl(model_dir / SAMPLES, rows)
    results = {**info, "tasks": all_task_metrics(rows), "scored_at": now_iso()}
    write_json_atomic(model_dir / RESULTS, results)
    (model_dir / TABLE).write_text(markdown_table([results]) + "\n", encoding="utf-8")
    return results


def load_results(path: str | Path) -> dict[str, Any]:
    file = Path(path) / RESULTS if Path(path).is_dir() else Path(path)
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DistillError(f"{file}: no eval results here (run distill eval first)") from None
    except json.JSONDecodeError as exc:
        raise DistillError(f"{file}: not valid JSON ({exc.msg} at line {exc.lineno})") from None


def result_dirs(path: str | Path) -> list[Path]:
    """A model result dir, or a run dir holding one per model."""
    path = Path(path)
    if (path / RESULTS).is_file():
        return [path]
    found = sorted(p.parent for p in path.glob(f"*/{RESULTS}"))
    if not found:
        raise DistillError(f"{path}: no {RESULTS} here or in its subdirectories")
    return found


def read_samples(model_dir: Path) -> list[dict]:
    rows = []
    for row in read_rows(model_dir / SAMPLES):
        if row.data is None:
            raise DistillError(f"{row.source}:{row.line}: malformed sample row ({row.error})")
        for key in ("task", "doc_id", "sample_index", "answer", "domain", "completion"):
            if key not in row.data:
                raise DistillError(f"{row.source}:{row.line}: sample row has no '{key}'")
        rows.append(row.data)
    return rows


def rescore(model_dir: Path, progress=None) -> tuple[dict[str, Any], int]:
    """Re-verify every saved completion; returns (new results, number of verdicts that changed)."""
    old = load_results(model_dir)
    rows = read_samples(model_dir)
    changed = 0
    for row in rows:
        verdict = verdicts_for([row["completion"]], str(row["answer"]), row["domain"], row.get("tests"))[0]
        if bool(verdict.correct) != bool(row.get("correct")) or verdict.extracted != row.get("extracted"):
            changed += 1
        row.update(extracted=verdict.extracted, correct=bool(verdict.correct), reason=verdict.reason)
        if progress:
            progress.update(1)
    info = {k: v for k, v in old.items() if k not in ("tasks", "scored_at")}
    # lm-eval's own aggregate came from the old verdicts; keep it only as history
    info.pop("lm_eval", None)
    info["rescored"] = {"at": now_iso(), "changed_verdicts": changed, "samples": len(rows)}
    return write_results(model_dir, rows, info), changed


def _fmt(value: float | None, stderr: float | None = None) -> str:
    if value is None:
        return "–"
    text = f"{100 * value:.1f}"
    return f"{text} ± {100 * stderr:.1f}" if stderr is not None else text


def markdown_table(results: list[dict[str, Any]]) -> str:
    """Models × tasks: pass@1 ± stderr and cons@k (percent), plus n, k and mean response tokens."""
    lines = [
        "| model | task | n | k | pass@1 (%) | cons@k (%) | mean tokens | mean chars |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        for task, m in result["tasks"].items():
            tokens = f"{m['mean_tokens']:.0f}" if m.get("mean_tokens") is not None else "–"
            chars = f"{m['mean_chars']:.0f}" if m.get("mean_chars") is not None else "–"
            lines.append(
                f"| {result['model']} | {task} | {m['n']} | {m['k']} | {_fmt(m['pass@1'], m.get('pass@1_stderr'))} "
                f"| {_fmt(m['cons@k'])} | {tokens} | {chars} |"
            )
    return "\n".join(lines)
