"""Same seed, same numbers? A digest of a shortened toy demo, and a comparison of two digests.

The shortened demo is recipes/toy/pipeline.yaml with `--set` overrides (256 training problems, 4
warm-up epochs of the teacher (64 steps), a few GRPO steps, traces for 64 problems, 32 eval problems
x 2 samples; 373 s on a 2-core CPU at load ~12 with one thread, idle not measured). The digest
records, per stage, what decides whether two runs agree: the sha256 of every saved tensor (by name,
as saved), the final train loss / reward, the filter's kept and rejected counts, hashes of the
generated traces and the kept rows, and the eval scores. Findings: docs/benchmarks/toy.md,
"Reproducibility".

    # run the shortened demo with this tree's code into a fresh directory and write its digest
    python benchmarks/repro_digest.py run runs/repro_a --json runs/repro_a.json
    # the same with another checkout's code (git worktree add /tmp/old <commit>)
    python benchmarks/repro_digest.py run runs/repro_old --code /tmp/old --json runs/repro_old.json
    # only the stages up to one (the rest of the digest is then absent)
    python benchmarks/repro_digest.py run runs/repro_b --until warmup_teacher --json runs/repro_b.json
    # the demo as the recipe has it (no shortening), e.g. only its first stages
    python benchmarks/repro_digest.py run runs/repro_full --full --until toy --json runs/repro_full.json
    # digest a finished run directory (any output_dir of the toy pipeline, shortened or not)
    python benchmarks/repro_digest.py digest runs/toy --json runs/toy.json
    # first difference, stage by stage in pipeline order; exit 1 when they differ
    python benchmarks/repro_digest.py compare runs/repro_a.json runs/repro_b.json

`--threads N` sets OMP_NUM_THREADS / MKL_NUM_THREADS for the run (torch's intra-op thread count
follows it); the default is 1, the setting benchmarks/repro_reference.json was made with, and on a
loaded 2-core machine several times faster than torch's default of one thread per core. `--threads 0`
leaves the environment as it is.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RECIPE = "recipes/toy/pipeline.yaml"
STAGES = ["toy", "warmup_teacher", "train_teacher", "generate", "filter", "warmup_student", "train_student",
          "train_baseline", "eval"]

# The shortened demo: the same recipe, each stage a few steps, several epochs where the recipe has
# several (the warm-ups' data order per epoch is part of what must repeat).
SHORT = [
    "toy.train_size=256", "toy.test_size=32",
    "warmup_teacher.sft.num_train_epochs=4", "warmup_teacher.sft.logging_steps=16",
    "train_teacher.grpo.max_steps=4", "train_teacher.grpo.per_device_train_batch_size=16",
    "train_teacher.grpo.logging_steps=1",
    "generate.source.limit=64",
    "warmup_student.sft.max_steps=10",
    "train_student.sft.num_train_epochs=2",
    "train_baseline.grpo.max_steps=3", "train_baseline.grpo.per_device_train_batch_size=16",
    "train_baseline.grpo.logging_steps=1",
    "eval.toy_problems=32", "eval.samples=2",
]


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def weights_digest(model_dir: Path) -> dict[str, Any] | None:
    """sha256 per tensor of every *.safetensors file in `model_dir` (names sorted), and one over all."""
    files = sorted(model_dir.glob("*.safetensors"))
    if not files:
        return None
    import torch
    from safetensors import safe_open

    tensors: dict[str, str] = {}
    abs_sum = 0.0
    for file in files:
        with safe_open(str(file), framework="pt") as f:
            for name in sorted(f.keys()):
                t = f.get_tensor(name)
                tensors[name] = sha256_bytes(t.contiguous().view(-1).view(torch.uint8).numpy().tobytes())[:16]
                abs_sum += float(t.double().abs().sum())
    total = sha256_bytes(json.dumps(tensors, sort_keys=True).encode())[:16]
    # tensors first: a comparison names the first tensor that differs
    return {"tensors": tensors, "sha256": total, "abs_sum": round(abs_sum, 6)}


def read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def file_hash(path: Path) -> str | None:
    return sha256_bytes(path.read_bytes())[:16] if path.is_file() else None


def without_run_dir(text: str, run_dir: Path) -> str:
    """Records name the model by path (`teacher`): the run directory's own name must not count."""
    return text.replace(str(run_dir.resolve()), "<run>")


def lines_hash(files: list[Path], run_dir: Path) -> str | None:
    """One hash over the lines of `files`, sorted (so shard boundaries and write order do not count)."""
    if not files:
        return None
    lines = sorted(without_run_dir(line, run_dir) for f in files
                   for line in f.read_text(encoding="utf-8").splitlines() if line.strip())
    return sha256_bytes("\n".join(lines).encode())[:16]


def last_metrics(path: Path) -> dict[str, Any]:
    """The last per-step row of a GRPO run's metrics.jsonl (the one with a reward)."""
    last: dict[str, Any] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else {}
            if "reward" in row:
                last = row
    return last


def digest_toy(d: Path) -> dict[str, Any]:
    files = {p.name: file_hash(p) for p in sorted(d.glob("*.jsonl"))}
    tok = d / "tokenizer"
    files.update({f"tokenizer/{p.name}": file_hash(p) for p in sorted(tok.glob("*")) if p.is_file()})
    return {"files": files, "teacher": weights_digest(d / "teacher"), "student": weights_digest(d / "student")}


def digest_sft(d: Path) -> dict[str, Any]:
    train = read_json(d / "manifest.json").get("train", {})
    return {"steps": train.get("global_steps"), "train_loss": train.get("train_loss"), "weights": weights_digest(d)}


def digest_grpo(d: Path) -> dict[str, Any]:
    row = last_metrics(d / "metrics.jsonl")
    keep = ("step", "loss", "reward", "rewards/accuracy/mean", "completions/mean_length", "entropy")
    return {"final": {k: row.get(k) for k in keep if k in row}, "weights": weights_digest(d)}


def digest_generate(d: Path) -> dict[str, Any]:
    shards = sorted((d / "shards").glob("*.jsonl"))
    rows = sum(1 for f in shards for line in f.read_text(encoding="utf-8").splitlines() if line.strip())
    return {"rows": rows, "traces": lines_hash(shards, d.parent)}


def parquet_rows_hash(files: list[Path], run_dir: Path) -> str | None:
    """One hash over the rows of Parquet `files` (id and messages: what training reads; columns added
    to the schema between versions do not count), sorted (order-free)."""
    if not files:
        return None
    import pyarrow.parquet as pq

    rows = sorted(without_run_dir(json.dumps([r.get("id"), r.get("messages")], default=str), run_dir)
                  for f in files for r in pq.read_table(f).to_pylist())
    return sha256_bytes("\n".join(rows).encode())[:16]


def digest_filter(d: Path) -> dict[str, Any]:
    counts = read_json(d / "manifest.json").get("counts", {})
    data = sorted((d / "data").rglob("*.parquet"))
    jsonl = sorted((d / "data").rglob("*.jsonl"))
    return {"counts": counts, "kept_rows": parquet_rows_hash(data, d.parent) or lines_hash(jsonl, d.parent)}


def digest_eval(d: Path) -> dict[str, Any]:
    scores = {}
    for result in sorted(d.glob("*/results.json")):
        tasks = read_json(result).get("tasks", {})
        scores[result.parent.name] = {t: {k: v.get(k) for k in ("pass@1", "cons@k", "mean_tokens")}
                                      for t, v in sorted(tasks.items())}
    return scores


DIGESTERS = {"toy": digest_toy, "warmup_teacher": digest_sft, "train_teacher": digest_grpo,
             "generate": digest_generate, "filter": digest_filter, "warmup_student": digest_sft,
             "train_student": digest_sft, "train_baseline": digest_grpo, "eval": digest_eval}


def machine() -> dict[str, Any]:
    """What else decides float results: the CPU and the kernels torch picks for it (AVX2 vs AVX512)."""
    import torch

    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), None) if Path("/proc/cpuinfo").is_file() else None
    return {"cpu": model, "cpus": os.cpu_count(), "torch_cpu_capability": torch.backends.cpu.get_cpu_capability()}


def digest_run(out: Path) -> dict[str, Any]:
    stages = {}
    for stage in STAGES:
        d = out / stage
        if (d / "manifest.json").is_file() or (stage == "toy" and d.is_dir()):
            stages[stage] = DIGESTERS[stage](d)
    commit = read_json(out / "toy" / "manifest.json").get("git_commit")
    packages = read_json(out / "warmup_teacher" / "manifest.json").get("packages", {})
    return {"run_dir": str(out), "git_commit": commit, "packages": packages, "machine": machine(), "stages": stages}


def run_short(out: Path, code: Path, threads: int | None, until: str | None, extra: list[str],
              full: bool = False) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(code), PYTHONUNBUFFERED="1")
    if threads:
        env.update(OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    cmd = [sys.executable, "-m", "distill", "run", RECIPE, "--set", f"output_dir={out.resolve()}", "--force"]
    overrides = ([] if full else SHORT) + extra
    for item in overrides:
        cmd += ["--set", item]
    if until:
        for stage in STAGES[:STAGES.index(until) + 1]:
            cmd += ["--only", stage]
    started = time.time()
    log = out.parent / f"{out.name}.log"
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w", encoding="utf-8") as f:
        rc = subprocess.run(cmd, cwd=code, env=env, stdout=f, stderr=subprocess.STDOUT).returncode
    if rc != 0:
        sys.exit(f"repro_digest: the shortened demo failed (exit {rc}); see {log}")
    digest = digest_run(out)
    digest["settings"] = {"code": str(code), "OMP_NUM_THREADS": env.get("OMP_NUM_THREADS"),
                          "overrides": overrides, "until": until, "wall_s": round(time.time() - started, 1)}
    return digest


def first_difference(a: Any, b: Any, path: str = "") -> str | None:
    """The first path (in digest order) where `a` and `b` differ, with both values; None when equal."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            if key not in a or key not in b:
                return f"{path}.{key}: only in {'first' if key in a else 'second'}"
            found = first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    return None if a == b else f"{path}: {json.dumps(a)[:120]} != {json.dumps(b)[:120]}"


def compare(a: dict[str, Any], b: dict[str, Any]) -> int:
    """Print, per stage, same / differs (with the first difference); 1 when any present stage differs."""
    differs = 0
    for key in ("git_commit", "packages", "machine"):  # context, not a result: said, not counted
        if a.get(key) != b.get(key):
            print(f"note: {first_difference({key: a.get(key)}, {key: b.get(key)})}")
    threads = [x.get("settings", {}).get("OMP_NUM_THREADS") for x in (a, b)]
    if threads[0] != threads[1]:
        print(f"note: OMP_NUM_THREADS {threads[0]} vs {threads[1]}")
    for stage in STAGES:
        x, y = a["stages"].get(stage), b["stages"].get(stage)
        if x is None or y is None:
            if x is not None or y is not None:
                print(f"{stage}: only in {'first' if x is not None else 'second'}")
            continue
        found = first_difference(x, y, stage)
        differs |= found is not None
        print(f"{stage}: {'same' if found is None else 'DIFFERS at ' + found}")
    return int(differs)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="run the shortened demo into OUT and digest it")
    r.add_argument("out", type=Path)
    r.add_argument("--code", type=Path, default=ROOT, help="the checkout whose distill runs (default: this one)")
    r.add_argument("--threads", type=int, default=1,
                   help="OMP_NUM_THREADS / MKL_NUM_THREADS for the run (default 1; 0: the environment's)")
    r.add_argument("--until", choices=STAGES, help="run only the stages up to this one")
    r.add_argument("--full", action="store_true", help="the demo as the recipe has it (no shortening)")
    r.add_argument("--set", dest="extra", action="append", default=[], help="one more recipe override")
    r.add_argument("--json", type=Path, help="write the digest here")
    d = sub.add_parser("digest", help="digest a finished run directory")
    d.add_argument("out", type=Path)
    d.add_argument("--json", type=Path)
    c = sub.add_parser("compare", help="compare two digest files stage by stage")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = p.parse_args(argv)
    if args.cmd == "compare":
        return compare(json.loads(args.a.read_text()), json.loads(args.b.read_text()))
    if args.cmd == "run":
        digest = run_short(args.out, args.code.resolve(), args.threads, args.until, args.extra, args.full)
    else:
        digest = digest_run(args.out)
    text = json.dumps(digest, indent=1, sort_keys=False)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n", encoding="utf-8")
    summary = {s: (v.get("weights") or {}).get("sha256") if isinstance(v, dict) and "weights" in v else None
               for s, v in digest["stages"].items()}
    print(json.dumps({"stages_weights": summary, "eval": digest["stages"].get("eval")}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
