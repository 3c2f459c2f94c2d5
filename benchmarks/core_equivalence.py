"""The outputs of every function the move to distill/core touched, as JSON, for the tree on PYTHONPATH.

Run it on two checkouts and compare: the move changes no output (same bytes).

    PYTHONPATH=/path/to/old python benchmarks/core_equivalence.py > old.json
    PYTHONPATH=. python benchmarks/core_equivalence.py > new.json && cmp old.json new.json
"""
import json, sys, random
out = {}
texts = ["<think>\nr\n</think>\n\n\\boxed{4}", "no close \\boxed{3}", "  <think>a</think>b</think>c",
         "<think></think>x", "<think>x</think>   ", "r only</think>\\boxed{2}", "<think>a<think>b</think>c",
         "x<think>a</think>b", "<think>用中文思考 x</think>The answer \\boxed{5}",
         "<think>mixed English 和中文 words here</think>answer 答案",
         "<think>code\n```python\nprint(1)\n```\n</think>\n```python\nx=1\n```\n```\nsample\n```",
         "<think>ok</think>Answer: (B)", "<think>\nΑλφα $\\alpha$ text\n</think>\n\né answer"]
rng = random.Random(0)
alphabet = ["<think>", "</think>", "a", "中", " ", "\n", "\\boxed{1}", "```python\n", "```\n", "$x$", "Wait,"]
texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(400)]
from distill.filter.format import split, assistant_content, FormatFilter
from distill.filter.config import FormatConfig, LanguageConfig
from distill.filter.language import LanguageFilter
from distill.verify.extract import extract, final_text, last_code_block
from distill.train.rewards.format import format_score
from distill.train.rewards.language import language_share, make_language_reward
from distill.train.rewards.reflection import make_reflection_reward
from distill.train.rewards.text import full_text
rows = []
lf_en, lf_zh = LanguageFilter(LanguageConfig(target="en")), LanguageFilter(LanguageConfig(target="zh"))
ff = FormatFilter(FormatConfig())
lang_reward = make_language_reward("en")
for t in texts:
    s = split(t); s2 = split(t, False)
    rows.append([repr(s), repr(s2), assistant_content(s) if not isinstance(s, str) else None,
                 repr(ff({"completion": t, "domain": "general"})),
                 repr(lf_en({"completion": t})), repr(lf_zh({"completion": t})), repr(lf_en.other_share(t)),
                 repr(extract(t)), final_text(t), last_code_block(t),
                 [format_score(t, d, "1") for d in ("math", "choice", "code", "general", None)],
                 language_share(t, "en"), language_share(t, "zh"),
                 lang_reward(["<think>", "q"], [t, t]), full_text("p<think>", t)])
out["rows"] = rows
try:
    out["reflection"] = make_reflection_reward()(["q"] * len(texts), texts)
except TypeError as e:
    out["reflection"] = str(e)
from distill.generate.config import PromptingConfig
from distill.generate.prompting import THINK_PREFIX
out["prompting"] = [repr(PromptingConfig()), THINK_PREFIX]
from distill.toy.tasks.registry import make_problems
out["toy"] = [make_problems(t, s, 20, seed=3, difficulty=2)
              for t in ("arithmetic", "countdown") for s in ("train", "test")]
from distill.toy import tokenizer as tk
out["toytok"] = [tk.CHAT_TEMPLATE, list(tk.THINK_TOKENS)]
try:
    from distill.train.sft import chat_template as ct
except ImportError:
    from distill.train import chat_template as ct
out["ct"] = [ct.DISTILL_CHATML, ct.DISTILL_LLAMA3, ct.DISTILL_DEEPSEEK, ct.FORMATS, ct.PROBE_CONVERSATION]
from distill.formats.think import join, to_think
marked = "<|begin_of_thought|>x<|end_of_thought|><|begin_of_solution|>y<|end_of_solution|>"
out["formats"] = [join(" a ", " b "), to_think(marked)]
from distill.evaluate.data import strip_instruction, R1_INSTRUCTION
out["eval"] = [strip_instruction("p\n" + R1_INSTRUCTION), R1_INSTRUCTION]
from distill.generate.runner import trace_record
from distill.generate.engine import Completion
prompt = {"id": "p:1", "problem": "x", "answer": "1", "domain": "math"}
out["trace"] = trace_record(prompt, 3, Completion("t", "stop", 1, 2), "<think>\n", "T")
from distill.generate.shards import split_id
out["split_id"] = split_id("a:b:7")
from distill import formats
out["domains"] = [formats.DOMAINS]
print(json.dumps(out, ensure_ascii=False, sort_keys=True, default=repr))
