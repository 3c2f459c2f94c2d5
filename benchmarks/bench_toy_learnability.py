"""Is the easy toy level learnable? Plain supervised training of a fresh tiny model on the reference
solutions, then greedy accuracy on the held-out split.

    python benchmarks/bench_toy_learnability.py [--task arithmetic] [--steps 600] [--arch llama]

A bare torch loop (AdamW, one-cycle LR, loss on the assistant tokens only, via the template's
assistant mask) so the figure is about the task and the model size, not about a trainer's settings.
Prints one RESULT line: training seconds, test accuracy, the share of answers that stopped at
<|im_end|>, and accuracy by number of worked steps.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from collections import Counter
from pathlib import Path


def encode(tok, row):
    import torch

    out = tok.apply_chat_template(
        [{"role": "user", "content": row["problem"]}, {"role": "assistant", "content": row["solution"]}],
        return_assistant_tokens_mask=True, return_dict=True)
    ids = torch.tensor(out["input_ids"])
    labels = ids.clone()
    labels[torch.tensor(out["assistant_masks"]) == 0] = -100
    return ids, labels


def batch_of(data, step, size, pad_id):
    import torch

    rows = [data[(step * size + i) % len(data)] for i in range(size)]
    length = max(len(ids) for ids, _ in rows)
    ids = torch.full((size, length), pad_id)
    labels = torch.full((size, length), -100)
    mask = torch.zeros(size, length, dtype=torch.long)
    for i, (x, y) in enumerate(rows):
        ids[i, :len(x)], labels[i, :len(y)], mask[i, :len(x)] = x, y, 1
    return ids, labels, mask


def evaluate(model, tok, rows, max_new_tokens=64):
    import torch

    tok.padding_side = "left"
    correct, stopped, by_steps, counts = 0, 0, Counter(), Counter()
    for start in range(0, len(rows), 50):
        chunk = rows[start:start + 50]
        enc = tok.apply_chat_template([[{"role": "user", "content": r["problem"]}] for r in chunk],
                                      add_generation_prompt=True, return_tensors="pt", return_dict=True, padding=True)
        with torch.no_grad():
            out = model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False)
        for row, seq in zip(chunk, out[:, enc["input_ids"].shape[1]:]):
            text = tok.decode(seq)
            stopped += "<|im_end|>" in text
            boxed = re.findall(r"\\boxed\{(-?\d+)\}", text.split("</think>")[-1]) if "</think>" in text else []
            ok = bool(boxed) and boxed[-1] == row["answer"]
            steps = row["solution"].count(" = ")
            correct, counts[steps], by_steps[steps] = correct + ok, counts[steps] + 1, by_steps[steps] + ok
    return correct / len(rows), stopped / len(rows), {k: f"{by_steps[k]}/{counts[k]}" for k in sorted(counts)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="arithmetic")
    parser.add_argument("--difficulty", type=int, default=1)
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--arch", default="llama")
    parser.add_argument("--hidden-size", type=int, default=128)
    parser.add_argument("--num-heads", type=int, default=2)
    parser.add_argument("--num-layers", type=int, default=2)
    parser.add_argument("--train", type=int, default=3000, help="training problems")
    parser.add_argument("--test", type=int, default=200, help="held-out problems")
    args = parser.parse_args()

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from distill.toy.models import build_tiny_model
    from distill.toy.tasks import make_problems
    from distill.toy.tokenizer import build_tokenizer

    torch.manual_seed(0)
    work = Path(tempfile.mkdtemp(prefix="toy_learn_"))
    build_tokenizer(work / "tok")
    build_tiny_model(args.arch, work / "tok", work / "model", hidden_size=args.hidden_size,
                     num_heads=args.num_heads, num_layers=args.num_layers, intermediate_size=2 * args.hidden_size)
    tok = AutoTokenizer.from_pretrained(work / "model")
    model = AutoModelForCausalLM.from_pretrained(work / "model")
    data = [encode(tok, r) for r in make_problems(args.task, "train", args.train, difficulty=args.difficulty)]
    test = make_problems(args.task, "test", args.test, difficulty=args.difficulty)

    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=args.steps, pct_start=0.05)
    t0 = time.time()
    for step in range(args.steps):
        ids, labels, mask = batch_of(data, step, args.batch_size, tok.pad_token_id)
        loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
        loss.backward()
        opt.step()
        sched.step()
        opt.zero_grad()
        if step % 100 == 0 or step == args.steps - 1:
            print(f"step {step} loss {loss.item():.3f} {time.time() - t0:.0f} s", flush=True)
    train_s = time.time() - t0
    model.eval()
    accuracy, stopped, by_steps = evaluate(model, tok, test)
    print(f"RESULT task={args.task} d{args.difficulty} {args.arch} hidden={args.hidden_size} layers={args.num_layers} "
          f"steps={args.steps}x{args.batch_size} train_s={train_s:.0f} test_acc={accuracy:.3f} "
          f"stopped_at_eos={stopped:.3f} by_steps={by_steps}")


if __name__ == "__main__":
    main()
