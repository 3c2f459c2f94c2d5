"""`distill toy build|tasks|setup` end to end, in-process."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from distill.cli import main


def test_tasks_writes_jsonl(tmp_path, capsys):
    out = tmp_path / "cd.jsonl"
    assert main(["toy", "tasks", "--task", "countdown", "--split", "test", "--n", "12", "--seed", "3",
                 "--difficulty", "2", "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 12 and all(r["id"].startswith("countdown-d2-") for r in rows)
    assert "12 countdown test problems" in capsys.readouterr().out


def test_tasks_bad_difficulty_is_one_line_error(tmp_path, capsys):
    out = tmp_path / "x.jsonl"
    assert main(["toy", "tasks", "--difficulty", "9", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("distill toy: error:") and "difficulty levels 1-4" in err
    assert not out.exists()


def test_build_single_arch_64_wide(tmp_path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    assert main(["toy", "build", str(tmp_path), "--arch", "llama", "--hidden-size", "64", "--num-heads", "1"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["llama", "tokenizer"]
    model = AutoModelForCausalLM.from_pretrained(tmp_path / "llama")
    assert model.config.hidden_size == 64 and model.config.head_dim == 64
    assert AutoTokenizer.from_pretrained(tmp_path / "llama").eos_token == "<|im_end|>"


def test_build_refuses_bad_shape_before_building(tmp_path, capsys):
    assert main(["toy", "build", str(tmp_path / "kit"), "--hidden-size", "100"]) == 2
    assert "head_dim 64" in capsys.readouterr().err
    assert not (tmp_path / "kit").exists()


def test_setup_runs_the_toy_section(tmp_path):
    recipe = tmp_path / "toy.yaml"
    recipe.write_text(textwrap.dedent(f"""\
        seed: 1
        output_dir: {tmp_path / "run"}
        toy:
          models: {{teacher: {{arch: qwen2}}, student: {{arch: llama, hidden_size: 64, num_heads: 1}}}}
          task: countdown
          train_size: 20
          test_size: 5
        """))
    assert main(["toy", "setup", str(recipe)]) == 0
    out = tmp_path / "run" / "toy"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "ok"
    for name in ("tokenizer/tokenizer.json", "teacher/model.safetensors", "student/config.json",
                 "countdown_train.jsonl", "countdown_test.jsonl", "recipe.resolved.yaml"):
        assert (out / name).is_file(), name
    assert len((out / "countdown_train.jsonl").read_text().splitlines()) == 20


def test_a_finished_toy_setup_reruns_as_a_no_op(tmp_path, capsys):
    recipe = tmp_path / "toy.yaml"
    recipe.write_text(f"seed: 1\noutput_dir: {tmp_path / 'run'}\ntoy:\n  models: {{student: {{arch: llama}}}}\n"
                      "  train_size: 5\n  test_size: 2\n")
    assert main(["toy", "setup", str(recipe)]) == 0
    out = tmp_path / "run" / "toy"
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file() and p.name != ".distill.lock"}
    capsys.readouterr()
    assert main(["toy", "setup", str(recipe)]) == 0
    assert "toy: already complete in" in capsys.readouterr().err
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file() and p.name != ".distill.lock"} == before


def _setup_recipe(tmp_path, quick_answers):
    recipe = tmp_path / "toy.yaml"
    recipe.write_text(textwrap.dedent(f"""\
        output_dir: {tmp_path / "run"}
        toy:
          models: {{teacher: {{arch: qwen2}}}}
          train_size: 200
          test_size: 5
          quick_answers: {quick_answers}
        """))
    return recipe


def test_setup_adds_quick_answers_to_the_warmup_file(tmp_path):
    assert main(["toy", "setup", str(_setup_recipe(tmp_path, 0.5))]) == 0
    out = tmp_path / "run" / "toy"
    problems = {p["id"]: p for p in map(json.loads, (out / "arithmetic_train.jsonl").read_text().splitlines())}
    conversations = [json.loads(line) for line in (out / "arithmetic_train_sft.jsonl").read_text().splitlines()]
    worked = [c for c in conversations if c["id"] in problems]
    quick = [c for c in conversations if c["id"] not in problems]
    assert len(worked) == 200 and 70 <= len(quick) <= 130  # about half the problems, chosen by id
    for conversation in quick:
        problem = problems[conversation["id"].removesuffix("-quick")]
        user, assistant = (m["content"] for m in conversation["messages"])
        assert user == problem["problem"]
        assert assistant == f"<think>\nI know this one.\n</think>\n\nThe answer is \\boxed{{{problem['answer']}}}."
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["warmup_conversations"] == len(conversations)


def test_setup_refuses_a_share_above_one(tmp_path, capsys):
    assert main(["toy", "setup", str(_setup_recipe(tmp_path, 1.5))]) == 2
    err = capsys.readouterr().err  # refused where the recipe is loaded (distill/ranges.py)
    assert "section 'toy': quick_answers must be in [0, 1], got 1.5" in err
    assert not (tmp_path / "run").exists()


VLLM_SCRIPT = """
import os, sys
os.environ["VLLM_CPU_KVCACHE_SPACE"] = "1"
if __name__ == "__main__":
    from vllm import LLM, SamplingParams
    llm = LLM(model=sys.argv[1], max_model_len=256, seed=0)
    out = llm.chat([[{"role": "user", "content": "Compute 3 + 4."}]], SamplingParams(max_tokens=8, ignore_eos=True))
    print("GENERATED", len(out[0].outputs[0].token_ids))
"""


@pytest.mark.vllm
@pytest.mark.slow
def test_vllm_loads_tiny_model(tiny_qwen_dir, tmp_path):
    script = tmp_path / "load.py"
    script.write_text(VLLM_SCRIPT)
    result = subprocess.run([sys.executable, str(script), str(tiny_qwen_dir)], capture_output=True, text=True,
                            timeout=400, env={**os.environ, "VLLM_CPU_KVCACHE_SPACE": "1"})
    assert result.returncode == 0, result.stderr[-3000:]
    assert "GENERATED 8" in result.stdout
