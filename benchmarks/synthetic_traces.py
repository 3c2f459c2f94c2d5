"""Synthetic R1-like teacher traces for benchmarking and testing `distill filter`.

    python benchmarks/synthetic_traces.py --n 800000 --out /tmp/traces --files 16

Trace records (shared/DESIGN.md) with R1-like lengths (lognormal, mean ~12,000 characters, tail
clipped at 100,000) and a realistic mix: mostly correct samples, wrong answers, truncated
(finish_reason=length), language mixing (Chinese sentences in an English thought), degenerate
loops, broken format, exact duplicates, a few eval-set problems (contamination) and malformed lines.
Domains: math, choice (A-D) and general chat. Deterministic for a given seed.

`realistic=True` (the default of `write` and of bench_filter.py) makes the data look like
NuminaMath-derived R1 sets: math references in the forms real ones take, correct samples boxed in
other but equivalent forms (answer_forms.py), and large near-duplicate clusters: a share of the
prompts are variants of a few templates (re-spaced, re-cased, one number changed), thousands per
template, whose completions are near-copies of one solution. `realistic=False` gives the older,
easier data (boxed integers, distinct problems).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # answer_forms, beside this file, however this one was found
import answer_forms  # noqa: E402

WORDS = ("we need to find the value of so let us consider first note that since this means then "
         "therefore the sum product equation root integer prime factor divides remainder modulo "
         "case check again wait maybe compute substitute gives hence triangle angle side area "
         "circle radius probability number of ways count each term sequence function").split()
CHINESE = ["所以我们需要重新计算这个值。", "等一下，这里可能有错误。", "因此答案应该是正确的。", "让我再检查一遍这个步骤。"]
# Share of samples of each kind (the rest are correct).
MIX = {"wrong": 0.15, "truncated": 0.07, "mixed_language": 0.03, "loop": 0.03, "bad_format": 0.02, "duplicate": 0.01}
MEAN_CHARS, MAX_CHARS = 12_000, 100_000
CLUSTER_SHARE = 0.3  # realistic: share of prompts that are variants of a cluster template
CLUSTERS = 12  # templates: at 800K traces (200K prompts) ~5,000 variants each


class Cluster:
    """A template problem with its answer and one solution; variants are near-copies of both."""

    def __init__(self, gen: "Generator"):
        rng = gen.rng
        self.words = " ".join(gen.sentences[rng.randrange(len(gen.sentences))] for _ in range(4)).split(" ")
        self.answer = answer_forms.pick(rng)
        self.thought = gen._thought(gen._length()).split(". ")

    def problem(self, rng: random.Random) -> str:
        words = list(self.words)
        roll = rng.random()
        if roll < 0.5:  # re-spaced or re-cased: the same shingles
            text = "  ".join(words) if rng.random() < 0.5 else " ".join(words).upper()
        else:  # one or two numbers changed: similar, not always above the threshold
            for _ in range(1 if roll < 0.8 else 2):
                words[rng.randrange(len(words))] = str(rng.randint(0, 10_000))
            text = " ".join(words)
        return text + " Find the answer."

    def completion(self, gen: "Generator") -> str:
        parts = list(self.thought)
        for _ in range(max(1, len(parts) // _swap_every(gen.rng))):
            parts[gen.rng.randrange(len(parts))] = gen.sentences[gen.rng.randrange(len(gen.sentences))]
        return ". ".join(parts)


def _swap_every(rng: random.Random) -> int:
    """Replace 1 in 40 to 1 in 8 of the sentences of a cluster's solution."""
    return rng.choice((8, 15, 40))


class Generator:
    def __init__(self, seed: int = 0, samples_per_prompt: int = 4, eval_problems: list[str] | None = None, realistic: bool = True):
        self.rng = random.Random(seed)
        self.k = samples_per_prompt
        self.eval_problems = eval_problems or []
        self.realistic = realistic
        # A pool of varied sentences: texts differ (no accidental duplicates) and compress like prose.
        self.sentences = [self._sentence() for _ in range(20_000)]
        self.clusters = [Cluster(self) for _ in range(CLUSTERS)] if realistic else []
        self.last_completion = ""

    def _sentence(self) -> str:
        rng = self.rng
        words = rng.choices(WORDS, k=rng.randint(6, 18))
        if rng.random() < 0.5:
            words.insert(rng.randrange(len(words)), f"${rng.randint(2, 999)} \\cdot x_{{{rng.randint(1, 9)}}} + {rng.randint(1, 99)}$")
        words.insert(rng.randrange(len(words)), str(rng.randint(0, 10_000)))
        return " ".join(words).capitalize() + "."

    def _length(self) -> int:
        # lognormal with sigma 0.8 has mean = median * e^(0.32); pick the median for a 12K mean
        return min(int(self.rng.lognormvariate(8.9, 0.8)), MAX_CHARS)

    def _thought(self, chars: int) -> str:
        count = max(1, chars // 75)  # sentences average ~75 characters
        return " ".join(self.rng.choices(self.sentences, k=count))

    def prompt(self, p: int) -> dict:
        rng = self.rng
        roll = rng.random()
        domain = "math" if roll < 0.8 else "choice" if roll < 0.9 else "general"
        form, cluster = None, None
        if domain == "math" and self.eval_problems and rng.random() < 0.005:
            problem = rng.choice(self.eval_problems)  # a contaminated prompt
        elif domain == "math" and self.clusters and rng.random() < CLUSTER_SHARE:
            cluster = rng.choice(self.clusters)
            problem, form = cluster.problem(rng), cluster.answer
        else:
            problem = " ".join(self.sentences[rng.randrange(len(self.sentences))] for _ in range(3)) + " Find the answer."
        if domain == "math" and self.realistic and form is None:
            form = answer_forms.pick(rng)
        answer = (form.reference if form else str(rng.randint(0, 999))) if domain == "math" else rng.choice("ABCD") if domain == "choice" else ""
        return {"prompt_id": f"syn-{p:07d}", "problem": problem, "answer": answer, "domain": domain,
                "_form": form, "_cluster": cluster}

    def sample(self, prompt: dict, s: int) -> dict:
        rng = self.rng
        kind = "correct"
        roll, acc = rng.random(), 0.0
        for name, share in MIX.items():
            acc += share
            if roll < acc:
                kind = name
                break
        form, cluster = prompt["_form"], prompt["_cluster"]
        chars = self._length()
        thought = cluster.completion(self) if cluster is not None else self._thought(chars)
        chars = min(chars, len(thought))
        answer = prompt["answer"]
        if form is not None:
            answer = rng.choice(form.wrong if kind == "wrong" else form.equivalents)
        elif kind == "wrong" and prompt["domain"] != "general":
            answer = str(int(answer) + rng.randint(1, 5)) if prompt["domain"] == "math" else "ABCD"[("ABCD".index(answer) + 1) % 4]
        final = f"The answer is $\\boxed{{{answer}}}$." if prompt["domain"] != "general" else "Here is a helpful answer. " + self._thought(400)
        finish = "stop"
        if kind == "mixed_language":
            parts = thought.split(". ")
            for _ in range(max(3, len(parts) // 8)):
                parts.insert(rng.randrange(len(parts)), rng.choice(CHINESE) * 3)
            thought = ". ".join(parts)
        if kind == "loop":
            line = self.sentences[rng.randrange(len(self.sentences))]
            thought = thought[: chars // 2] + ("\n" + line) * max(60, 4000 // len(line))
        completion = f"<think>\n{thought}\n</think>\n\n{final}"
        if kind == "truncated":
            completion, finish = f"<think>\n{thought}", "length"
        if kind == "bad_format":
            completion = f"{thought}\n\n{final}"
        if kind == "duplicate" and self.last_completion:
            completion = self.last_completion
        self.last_completion = completion
        fields = {k: v for k, v in prompt.items() if not k.startswith("_")}
        return {"id": f"{prompt['prompt_id']}:{s}", **fields, "completion": completion, "finish_reason": finish,
                "completion_tokens": max(1, len(completion) // 4), "sample_index": s, "teacher": "synthetic-r1", "kind": kind}

    def records(self, n: int):
        p = 0
        while n > 0:
            prompt = self.prompt(p)
            for s in range(min(self.k, n)):
                yield self.sample(prompt, s)
            n -= self.k
            p += 1


def load_eval_problems(folder: str | None) -> list[str]:
    if not folder or not Path(folder).is_dir():
        return []
    problems = []
    for file in sorted(Path(folder).glob("*.jsonl")):
        problems += [json.loads(line)["problem"] for line in file.open(encoding="utf-8") if line.strip()]
    return problems


def write(out: str | Path, n: int, *, files: int = 1, seed: int = 0, samples_per_prompt: int = 4,
          malformed_every: int = 1000, eval_dir: str | None = None, realistic: bool = True) -> list[Path]:
    """Write n records (plus one malformed line every `malformed_every`) over `files` JSONL files."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    gen = Generator(seed, samples_per_prompt, load_eval_problems(eval_dir), realistic=realistic)
    paths = [out / f"part-{i:05d}.jsonl" for i in range(files)]
    per_file = -(-n // files)
    handles = [open(p, "w", encoding="utf-8") for p in paths]
    try:
        for i, rec in enumerate(gen.records(n)):
            handle = handles[min(i // per_file, files - 1)]
            rec.pop("kind")
            handle.write(json.dumps(rec) + "\n")
            if malformed_every and i % malformed_every == malformed_every - 1:
                handle.write('{"id": "broken", "completion": "<think>cut off\n')
    finally:
        for h in handles:
            h.close()
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--out", required=True)
    parser.add_argument("--files", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--samples-per-prompt", type=int, default=4)
    parser.add_argument("--eval-dir", default=None, help="folder of eval JSONL files to copy a few problems from")
    parser.add_argument("--simple", action="store_true", help="the older data: boxed integers, distinct problems")
    args = parser.parse_args()
    paths = write(args.out, args.n, files=args.files, seed=args.seed, samples_per_prompt=args.samples_per_prompt, eval_dir=args.eval_dir,
                  realistic=not args.simple)
    print(f"wrote {args.n} traces to {len(paths)} file(s) in {args.out}")


if __name__ == "__main__":
    main()
