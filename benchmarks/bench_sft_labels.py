"""Labelling cost of SFT data: distill's span-based labels against the `{% generation %}`-mask path.

    python benchmarks/bench_sft_labels.py [--rows 60] [--words 3000] [--reps 3] [--baseline PATH]

Tokenizes and labels the same R1-shaped rows (a ~9K-token <think> block each, the toy tokenizer,
its ChatML template) with `distill.train.sft.data._tokenize` and, when --baseline names another
checkout's sft_data.py (e.g. /work/main/distill/train/sft/data.py, the assistant-mask version), with
that one, interleaved, and prints seconds per pass and the ratio.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=60)
    parser.add_argument("--words", type=int, default=3000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--baseline", help="path of another sft_data.py to compare with")
    args = parser.parse_args()

    from distill.toy.tokenizer import build_tokenizer
    from distill.train.sft import data as sft_data

    tokenizer = build_tokenizer(tempfile.mkdtemp())
    eos = tokenizer.convert_tokens_to_ids("<|im_end|>")
    rng = random.Random(0)
    words = "seven plus five is twelve so the answer must be checked again carefully".split()
    rows = [{"messages": [
        {"role": "user", "content": f"question {i}: what is {i} + 5?"},
        {"role": "assistant", "content": "<think>\n" + " ".join(rng.choice(words) for _ in range(args.words))
         + f"\n</think>\n\nThe answer is {i + 5}."}]} for i in range(args.rows)]
    variants = {"distill": sft_data}
    if args.baseline:
        spec = importlib.util.spec_from_file_location("baseline_sft_data", args.baseline)
        baseline = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(baseline)
        variants["baseline"] = baseline
    seconds = dict.fromkeys(variants, 0.0)
    tokens = 0
    for rep in range(args.reps):
        for name, module in variants.items():
            start = time.perf_counter()
            for row in rows:
                out = module._tokenize(row, tokenizer, tokenizer.chat_template, 10**6, eos)
                assert not out["reject"], out["reject"]
                tokens += len(out["input_ids"]) if name == "distill" and rep == 0 else 0
            seconds[name] += time.perf_counter() - start
    print(f"{args.rows} rows, {tokens} tokens per pass, {args.reps} passes")
    for name, total in seconds.items():
        print(f"  {name:9s} {total / args.reps:6.2f} s per pass, {tokens * args.reps / total:,.0f} tokens/s")
    if "baseline" in seconds:
        print(f"  ratio distill/baseline {seconds['distill'] / seconds['baseline']:.2f}")


if __name__ == "__main__":
    main()
