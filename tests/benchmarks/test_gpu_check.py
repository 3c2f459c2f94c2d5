"""The prepared GPU check runs end to end on a CPU with tiny shapes, so it is known to work before a
GPU is lent: every section passes, the JSON holds what the GPU session will read, and the check's
own estimate fits the 8-minute budget on both devices."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "gpu_check.py"


def _load():
    spec = importlib.util.spec_from_file_location("gpu_check", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("gpu_check") / "check.json"
    assert _load().main(["--device", "cpu", "--out", str(out)]) == 0
    return json.loads(out.read_text())


def test_every_section_passes_on_cpu(report):
    gpu_check = _load()
    assert list(report["sections"]) == list(gpu_check.SECTIONS)
    failed = {k: v.get("error") or v.get("reason") for k, v in report["sections"].items() if v["status"] != "ok"}
    assert not failed


def test_sft_section_compares_distill_with_trl_defaults_and_best_on_the_same_tokens(report):
    sft = report["sections"]["sft"]
    assert set(sft["configs"]) == {"trl-defaults", "trl-best", "distill"}
    assert set(sft["ratios"]) == {"distill/trl-defaults", "distill/trl-best"}
    tokens = {c["trace_tokens"] for c in sft["configs"].values()}
    # distill does not train ChatML's trailing newline: one token per trace fewer than TRL counts
    assert max(tokens) - min(tokens) <= sft["traces"]
    best = sft["configs"]["trl-best"]
    assert best["packing"] and not best["gradient_checkpointing"] and not sft["configs"]["trl-defaults"]["packing"]
    assert all(c["peak_memory_gib"] > 0 and c["mfu"] > 0 for c in sft["configs"].values())


def test_packed_loss_equals_unpacked_with_the_attention_distill_picks(report):
    packing = report["sections"]["packing"]
    assert packing["attention"] == "sdpa" and packing["equal"]


def test_grpo_step_is_split_into_generation_rewards_and_training(report):
    grpo = report["sections"]["grpo"]
    assert grpo["generation_s"] > 0 and grpo["training_s"] > 0 and grpo["generated_tokens"] > 0
    assert grpo["step_s"] == pytest.approx(grpo["generation_s"] + grpo["rewards_s"] + grpo["training_s"], abs=0.01)


def test_generate_eval_and_memory_plan_report_their_figures(report):
    sections = report["sections"]
    assert sections["generate"]["samples"] == 8 and sections["generate"]["completion_tokens"] > 0
    assert sections["eval"]["samples"] == 4
    assert sections["memory_plan"]["predicted_gib"] > 0 and sections["memory_plan"]["measured_peak_gib"] > 0


def test_its_own_estimate_fits_the_8_minute_budget_on_either_device():
    gpu_check = _load()
    for device in ("cuda", "cpu"):
        assert sum(gpu_check.ESTIMATE_S[device].values()) <= 480


def test_a_section_that_would_overrun_the_budget_is_skipped_not_run(tmp_path):
    gpu_check = _load()
    check = gpu_check.Check("cuda", budget_s=5, only=None, work=tmp_path)
    check.run("sft", lambda c: pytest.fail("must not run"))
    assert check.results["sft"]["status"] == "skipped"
