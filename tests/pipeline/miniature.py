"""What the real pipeline recipes read, in miniature: tiny models with the real families' tokenizer
configuration and small files in the real datasets' schemas (for test_real_recipes_miniature.py).

The teacher stands in for DeepSeek-R1: a tiny DeepseekV3 (R1's architecture: MLA attention, sigmoid-scored
MoE with noaux_tc routing, untied head, YaRN RoPE; R1's config.json fields scaled down, see
distill.toy.models.deepseek_v3_fields) with the deepseek-r1-distill tokenizer configuration (R1's special
tokens, BOS/EOS, its chat template forcing "<think>\\n"). A random model's traces are all wrong, so the
filter's correctness check would reject every one of them; the teacher is instead fitted for a few seconds
on worked answers to most of the problems (not all: the rest come out wrong and are rejected as such), so
that the traces that reach the student pass math-verify on their merits.

Until 2026-12-02 the teacher was a tiny Qwen2, because a tiny DeepseekV3 came out of vLLM's CPU build as
garbled text from weights that answer correctly in transformers. The cause was plain RoPE: vLLM 0.32's CPU
rotary kernel mis-rotates MLA's query and key (distill/toy/models.py says how); with R1's own YaRN
rope_scaling vLLM rotates in PyTorch and its greedy tokens equal transformers'
(tests/toy/test_toy_deepseek_v3_vllm.py).
"""

from __future__ import annotations

import json
from pathlib import Path

# (problem, answer, worked reasoning): varied wording so no two problems are near-duplicates.
PROBLEMS = [
    ("Tom has 3 apples and buys 4 more at the market. How many apples does Tom have now?", "7",
     "Tom starts with 3 apples and adds 4, so 3 + 4 = 7."),
    ("A shelf holds 5 red books and 6 blue books. Count all the books on the shelf.", "11",
     "Five red and six blue books make 5 + 6 = 11."),
    ("Compute the product of 4 and 3, then write the result.", "12",
     "Four groups of three give 4 * 3 = 12."),
    ("Nine birds sit on a wire and two fly away. How many birds remain on the wire?", "7",
     "Nine minus the two that left is 9 - 2 = 7."),
    ("If a square has side length 5, what is its area?", "25",
     "The area of a square is the side squared: 5 * 5 = 25."),
    ("Maria reads 8 pages on Monday and 7 pages on Tuesday. How many pages did she read in total?", "15",
     "Adding the two days gives 8 + 7 = 15 pages."),
    # Not in the teacher's fitting set: its answers to these are wrong, and the filter says so.
    ("What is the remainder when 47 is divided by 6?", "5", ""),
    ("A train travels 60 miles per hour for 3 hours. How far does it travel in miles?", "180", ""),
]
FITTED = [p for p in PROBLEMS if p[2]]


def completion(reasoning: str, answer: str) -> str:
    """An R1-style answer: reasoning in <think>, then the boxed result."""
    return f"<think>\n{reasoning}\n</think>\n\nThe answer is \\boxed{{{answer}}}."


def write_openr1_math(root: Path) -> Path:
    """A local dataset directory in open-r1/OpenR1-Math-220k's layout (data/train-*.parquet, its columns),
    loaded by `datasets.load_dataset(dir, "default", split="train")` as the hub id would be."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = []
    for i, (problem, answer, reasoning) in enumerate(PROBLEMS):
        text = completion(reasoning or "I am not sure.", answer)
        rows.append({
            "problem": problem, "solution": reasoning or answer, "answer": answer, "problem_type": "Algebra",
            "question_type": "math-word-problem", "source": "miniature", "uuid": f"mini-{i:04d}",
            "is_reasoning_complete": [True], "generations": [text], "correctness_math_verify": [True],
            "correctness_llama": [None], "finish_reasons": [None], "correctness_count": 1,
            "messages": [{"role": "user", "content": problem}, {"role": "assistant", "content": text}],
        })
    (root / "data").mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), root / "data" / "train-00000-of-00001.parquet")
    return root


GENERAL = [
    ("Write a short note thanking a colleague for helping you move house last weekend.",
     "Dear Sam, thank you so much for giving up your Saturday to help me move. Carrying the sofa up three "
     "flights of stairs was no small favour, and the pizza afterwards was the best part of the day."),
    ("Explain in two sentences why the sky looks blue during the day.",
     "<think>\nRayleigh scattering is the point.\n</think>\n\nSunlight is scattered by the molecules of the air, "
     "and shorter blue wavelengths scatter far more strongly than red ones. That scattered blue light reaches "
     "our eyes from every direction of the sky."),
    ("Suggest three names for a small bakery that specialises in sourdough bread.",
     "Here are three ideas: Rising Crust, The Patient Loaf, and Wild Yeast Corner. Each hints at the slow "
     "fermentation that gives sourdough its flavour."),
    ("Give me a packing list for a two day hiking trip in the mountains.",
     "Pack a rain jacket, warm layers, sturdy boots, a map and compass, a headlamp, enough water and snacks, "
     "a first aid kit, sunscreen, and a sleeping bag rated for cold nights."),
]


def write_general_chat(path: Path, contaminated: str) -> Path:
    """General-chat rows as R1's non-reasoning data holds them (a `messages` column of user/assistant
    turns), plus one row quoting an eval problem (decontamination must reject it) and one that is not
    JSON (quarantined)."""
    lines = [json.dumps({"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]})
             for q, a in GENERAL]
    lines.append(json.dumps({"messages": [
        {"role": "user", "content": f"Solve this for me: {contaminated}"},
        {"role": "assistant", "content": "Working through it carefully, the number of minutes is 204 in total."}]}))
    lines.append('{"messages": [{"role": "user", "content": "cut off')
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def write_gpqa_diamond(path: Path) -> Path:
    """GPQA Diamond is gated and not in the shared benchmarks: two questions of our own in its shape."""
    rows = [
        {"Record ID": "mini-gpqa-1", "Question": "Which particle carries the electromagnetic force?",
         "Correct Answer": "The photon", "Incorrect Answer 1": "The gluon", "Incorrect Answer 2": "The W boson",
         "Incorrect Answer 3": "The neutrino"},
        {"Record ID": "mini-gpqa-2", "Question": "What is the oxidation state of oxygen in water?",
         "Correct Answer": "-2", "Incorrect Answer 1": "+2", "Incorrect Answer 2": "0", "Incorrect Answer 3": "-1"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def eval_dir(benchmarks: Path, out: Path) -> Path:
    """The shared AIME 2024/2025 and MATH-500 copies plus the GPQA-shaped file, as <name>.jsonl."""
    out.mkdir(parents=True, exist_ok=True)
    for name in ("aime24", "aime25", "math500"):
        (out / f"{name}.jsonl").symlink_to(benchmarks / f"{name}.jsonl")
    write_gpqa_diamond(out / "gpqa_diamond.jsonl")
    return out


def fit_teacher(model_dir: Path, steps: int = 200) -> float:
    """Fit the tiny teacher on worked answers to FITTED, prompted exactly as `distill generate` prompts
    it (its chat template, R1's math instruction, the forced "<think>\\n"); the loss is on the answer.
    200 steps: the tiny DeepseekV3 answers all six greedily from about 180 (loss ~0.01; 3 of 6 at 120)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from distill.generate.config import PromptingConfig
    from distill.generate.prompting import build_prompt

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir)
    examples = []
    for problem, answer, reasoning in FITTED:
        prompt = build_prompt(problem, "math", PromptingConfig(), tokenizer)
        head = tokenizer(prompt.text, add_special_tokens=False)["input_ids"]
        tail = tokenizer(completion(reasoning, answer)[len(prompt.prefix):], add_special_tokens=False)["input_ids"]
        tail.append(tokenizer.eos_token_id)
        examples.append((head + tail, [-100] * len(head) + tail))
    width = max(len(ids) for ids, _ in examples)
    pad = tokenizer.pad_token_id
    ids = torch.tensor([i + [pad] * (width - len(i)) for i, _ in examples])
    labels = torch.tensor([lab + [-100] * (width - len(lab)) for _, lab in examples])
    mask = torch.tensor([[1] * len(i) + [0] * (width - len(i)) for i, _ in examples])
    torch.manual_seed(0)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a model this small runs fastest on one thread (10x under a loaded machine)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    model.train()
    for _ in range(steps):
        loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    torch.set_num_threads(threads)
    model.save_pretrained(model_dir)
    return float(loss.detach())
