"""The trace sets to SFT-ready data, the prompt sets to prompt records and generated traces, each
from its own schema with no converter; `distill inspect` and `train-student --plan` on them."""

from __future__ import annotations

import json

import pytest
import yaml

from distill.cli import main
from distill.records import read_rows
from distill.sources import SourceConfig, load_prompts_with_stats
from tests.formats import datasets


@pytest.fixture()
def tokenizer(toy_tokenizer_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(toy_tokenizer_dir)


@pytest.mark.parametrize("name", ["sharegpt", "s1k", "openr1_math"])
def test_trace_sets_become_sft_ready_conversations(name, tmp_path, tokenizer):
    from distill.train.sft.data import load_rows, prepare_sft_dataset, to_messages

    rows, expected = getattr(datasets, name)()
    path = datasets.write_jsonl(tmp_path / f"{name}.jsonl", rows)
    messages = to_messages(load_rows(str(path)), "messages")
    eos = tokenizer.convert_tokens_to_ids("<|im_end|>")
    kept, counts = prepare_sft_dataset(messages, tokenizer, tokenizer.chat_template, max_length=4096, eos_id=eos,
                                       rejects_path=tmp_path / "rejected.jsonl")
    want = expected.get("conversations", len(rows))
    assert counts["read"] == len(rows) and counts["kept"] == want
    assert counts["rejected"] == counts.get("rejected_malformed", 0) == len(rows) - want
    texts = [tokenizer.decode(r["input_ids"]) for r in kept]
    assert all("<think>" in t and "<|begin_of_thought|>" not in t for t in texts)
    if name == "sharegpt":  # the multi-turn chat is whole: both questions and both answers
        assert any("Name a prime above 10." in t and "And one above 20?" in t for t in texts)


def test_numina_prompts_through_generate_on_the_tiny_model(tmp_path, tiny_qwen_dir, capsys):
    rows, expected = datasets.numina()
    path = datasets.write_jsonl(tmp_path / "numina.jsonl", rows)
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(yaml.safe_dump({"seed": 0, "output_dir": str(tmp_path / "run"), "generate": {
        "teacher": str(tiny_qwen_dir), "engine": "hf", "num_samples": 2, "source": {"kind": "files", "name": str(path)},
        "sampling": {"max_new_tokens": 6}, "hf": {"batch_size": 4}}}))
    assert main(["generate", str(recipe)]) == 0
    err = capsys.readouterr().err
    assert f"read 6 rows (numina_math): 3 prompts, skipped 3 unverifiable" in err
    traces = [r.data for r in read_rows(tmp_path / "run" / "generate" / "shards")]
    assert len(traces) == 3 * 2
    assert {t["problem"]: t["answer"] for t in traces} == expected["answers"]
    manifest = json.loads((tmp_path / "run" / "generate" / "manifest.json").read_text())
    assert manifest["counts"]["source"]["unverifiable"] == 3 and manifest["counts"]["source"]["read"] == 6


@pytest.mark.parametrize("name,fmt,prompts,skipped", [
    ("apps", "apps", 1, 1), ("code_contests", "code_contests", 1, 0), ("verifiable_code", "verifiable_code", 1, 0),
    ("gpqa", "gpqa", 1, 0),
])
def test_prompt_sets_are_read_in_their_schema(name, fmt, prompts, skipped, tmp_path):
    rows = getattr(datasets, name)()
    path = datasets.write_jsonl(tmp_path / f"{name}.jsonl", rows)
    records, stats = load_prompts_with_stats(SourceConfig(kind="files", name=str(path)))
    assert stats.format == fmt and len(records) == prompts and stats.unverifiable == skipped
    assert stats.read == stats.kept + stats.unverifiable + stats.malformed + stats.empty + stats.duplicate
    record = records[0]
    if name == "gpqa":
        assert record["domain"] == "choice" and record["answer"] in "ABCD" and "\nA) " in record["problem"]
    else:
        assert record["domain"] == "code" and record["tests"] and all(set(t) == {"input", "output"} for t in record["tests"])


def test_a_list_is_never_stringified_into_a_prompt(tmp_path):
    path = datasets.write_jsonl(tmp_path / "p.jsonl", [{"problem": "What is 1+1?", "answer": "2"},
                                                      {"problem": {"text": "hi"}, "answer": "2"}])
    records, stats = load_prompts_with_stats(SourceConfig(kind="files", name=str(path)))
    assert [r["problem"] for r in records] == ["What is 1+1?"] and stats.malformed == 1
    assert stats.reasons == {"column 'problem': expected a string, got dict": 1}


def test_inspect_shows_format_and_one_record(tmp_path, capsys):
    rows, _ = datasets.openr1_math()
    path = datasets.write_jsonl(tmp_path / "openr1.jsonl", rows)
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert "format: openr1_math (detected from columns problem, generations)" in out
    assert "as traces (filter): 5 mapped, 2 unverifiable, 1 malformed from 4 rows" in out
    assert '"finish_reason": "stop"' in out and "as conversations (train-student): 4 mapped" in out
    rows, _ = datasets.sharegpt()
    path = datasets.write_jsonl(tmp_path / "bespoke.jsonl", rows)
    assert main(["inspect", str(path), "--format", "sharegpt"]) == 0
    assert "as conversations (train-student): 3 mapped, 2 malformed" in capsys.readouterr().out
    assert main(["inspect", str(path), "--format", "nope"]) == 2
    assert "format 'nope' is not a format; choose one of:" in capsys.readouterr().err


def test_plan_checks_the_named_dataset(tmp_path, tiny_qwen_dir, capsys):
    def plan(dataset):
        recipe = tmp_path / "r.yaml"
        recipe.write_text(yaml.safe_dump({"seed": 0, "output_dir": str(tmp_path / "run"),
                                          "train_student": {"model": str(tiny_qwen_dir), "dataset": str(dataset)}}))
        return main(["train-student", str(recipe), "--plan"])

    assert plan(tmp_path / "missing.jsonl") == 2
    assert "missing.jsonl not found" in capsys.readouterr().err
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "no conversation here"}\n')
    assert plan(bad) == 2
    assert "none of the first 1 rows is a conversation" in capsys.readouterr().err
    rows, _ = datasets.sharegpt()
    assert plan(datasets.write_jsonl(tmp_path / "bespoke.jsonl", rows)) == 0
    assert "check dataset: " in (out := capsys.readouterr().out)
    assert "(sharegpt; 3 of the first 5 rows are conversations)" in out


def test_openr1_parquet_shards_as_hub_dataset_dir_and_train_student(tmp_path, tokenizer):
    from distill.train.sft.data import load_rows, prepare_sft_dataset, to_messages

    rows = [r for r in datasets.openr1_math()[0] if isinstance(r["generations"], list)]
    data = tmp_path / "OpenR1-Math-220k" / "data"
    datasets.write_parquet(data / "train-00000-of-00001.parquet", rows)
    prompts, stats = load_prompts_with_stats(SourceConfig(kind="hf", name=str(data), format="openr1_math"))
    assert stats.format == "openr1_math" and len(prompts) == 2 and stats.unverifiable == 1
    messages = to_messages(load_rows(str(data)), "messages")
    eos = tokenizer.convert_tokens_to_ids("<|im_end|>")
    kept, counts = prepare_sft_dataset(messages, tokenizer, tokenizer.chat_template, max_length=4096, eos_id=eos)
    assert counts["read"] == counts["kept"] == 3


def test_recipe_format_names_are_checked_in_one_line(tmp_path):
    from distill.config import from_dict
    from distill.errors import ConfigError
    from distill.filter.config import TraceSourceConfig

    with pytest.raises((ConfigError, ValueError), match="format 'sharegtp' is not a format that gives prompts"):
        from_dict(SourceConfig, {"kind": "files", "name": "x.jsonl", "format": "sharegtp"})
    with pytest.raises(ValueError, match="format 'gpqa' is not a format that gives tracess?"):
        TraceSourceConfig(path="x", format="gpqa")
    with pytest.raises(ValueError, match="columns applies to format 'columns'"):
        SourceConfig(kind="files", name="x", format="gpqa", columns={"problem": "q"})
    with pytest.raises(ValueError, match="domain_map.science: 'physics' is not one of"):
        SourceConfig(kind="files", name="x", domain_map={"science": "physics"})


def test_eval_data_reads_numina_layout_and_refuses_lists():
    from distill.errors import DistillError
    from distill.evaluate.data import math_doc

    rows, expected = datasets.numina()
    doc = math_doc(rows[0], 0, "math500")
    assert doc["problem"] == "What is 12 squared?" and doc["answer"] == "144"
    with pytest.raises(DistillError, match=r"math500: row 1 \(numina_math\): unverifiable"):
        math_doc(rows[1], 1, "math500")
    with pytest.raises(DistillError, match="row 2: answer is list, expected text"):
        math_doc({"problem": "p", "answer": ["1", "2"]}, 2, "math500")


def test_grpo_prompts_from_a_code_contests_file(tmp_path):
    """train-teacher / train-baseline read prompts through the same sources: tests ride along."""
    from distill.train.grpo.config import GRPOStageConfig
    from distill.train.grpo.data import build_dataset

    path = datasets.write_jsonl(tmp_path / "cc.jsonl", datasets.code_contests())
    section = GRPOStageConfig(model="m", prompts=SourceConfig(kind="files", name=str(path)))
    dataset, stats = build_dataset(section, seed=0)
    assert stats["read"] == stats["kept"] == 1 and dataset[0]["domain"] == "code"
    assert json.loads(dataset[0]["tests"])[1] == {"input": "10 20\n", "output": "30\n"}
