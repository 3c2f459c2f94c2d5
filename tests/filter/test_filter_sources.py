"""Filter sources: a source path that is a generate stage's output directory reads that output's
trace shards (not its manifest, generation.json, merged.json or index files), alone or in a list;
a plain directory of JSONL is read file by file, as before."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from distill.cli import main
from distill.filter import pipeline
from distill.filter.config import FilterConfig, TraceSourceConfig
from distill.filter.stage import input_paths
from distill.generate import fingerprint
from distill.generate.shards import ShardStore
from distill.generate.totals import complete_or_raise, totals
from distill.recipe import load_recipe
from distill.stage_contract import open_stage

FILTER = {"workers": 1, "plots": False, "decontaminate": {"eval_sets": []}}
GENERATE = {
    "teacher": "toy-teacher",
    "engine": "openai",
    "num_samples": 2,
    "source": {"kind": "toy", "name": "arithmetic", "limit": 6},
}


def records(traces) -> list[dict]:
    """Six prompts x 2 samples: kept, a wrong answer, a truncated one, so the funnel has several rows."""
    out = []
    for p in range(6):
        out.append(traces(f"p{p}", 0))
        out.append(traces(f"p{p}", 1, boxed="7") if p % 2 else traces(f"p{p}", 1, finish_reason="length"))
    return out


def generate_output(tmp_path: Path, traces) -> Path:
    """A finished generate output written by generate's own parts, in the order its runner calls them:
    generation.json, then shards and their index under the stage's manifest, then merged.json."""
    recipe_file = tmp_path / "recipe.yaml"
    recipe_file.write_text(yaml.safe_dump({"output_dir": str(tmp_path), "generate": GENERATE, "filter": FILTER}))
    recipe = load_recipe(recipe_file)
    out = recipe.stage_dir("generate")
    fingerprint.check_or_write(out, fingerprint.settings(recipe.section("generate"), recipe.seed))
    rows, store = records(traces), ShardStore(out)
    with open_stage(recipe, "generate", "generate", key={"part": "0/1"}) as run:
        store.write(0, 0, rows[:7])
        store.write(0, 1, rows[7:])
        final = totals(store, {r["id"] for r in rows})
        run.counts.update({k: v for k, v in final.items() if not k.startswith("_")})
        complete_or_raise(out, final, merged=True)
    assert {"manifest.json", "generation.json", "merged.json", "index", "shards"} <= {p.name for p in out.iterdir()}
    return out


def filter_with(tmp_path: Path, sources: list[dict] | None, name: str) -> dict:
    """Run `distill filter` on the recipe's generate output with these sources; its funnel, less timings."""
    recipe = yaml.safe_load((tmp_path / "recipe.yaml").read_text())
    recipe["filter"] = {**FILTER, "output_dir": str(tmp_path / name), **({"sources": sources} if sources else {})}
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(recipe))
    assert main(["filter", str(path)]) == 0
    funnel = json.loads((tmp_path / name / "funnel.json").read_text())
    for key in ("seconds", "verify_calls", "wall_seconds", "rows_per_second"):
        funnel.pop(key)
    for step in funnel["steps"]:
        step.pop("seconds")
    return funnel


def test_a_generate_output_named_as_a_source_reads_its_shards_like_the_default(tmp_path, traces, capsys):
    out = generate_output(tmp_path, traces)
    default = filter_with(tmp_path, None, "default")
    capsys.readouterr()
    named = filter_with(tmp_path, [{"path": str(out)}], "named")
    assert f"{out} is a generate output: reading its shards" in capsys.readouterr().err
    assert named == default
    assert named["malformed"] == 0 and named["read"] == 12 and named["kept"] > 0 and named["rejected"] > 0
    assert (tmp_path / "named" / "quarantine.jsonl").read_text() == ""


def test_a_list_path_mixes_a_generate_output_with_a_jsonl_file(tmp_path, traces, jsonl):
    out = generate_output(tmp_path, traces)
    extra = jsonl(tmp_path / "more.jsonl", [traces("q0", 0), traces("q1", 0)])
    funnel = filter_with(tmp_path, [{"path": [str(out), str(extra)], "name": "mixed"}], "mixed")
    assert funnel["read"] == 14 and funnel["malformed"] == 0
    assert funnel["per_source"]["mixed"]["in"] == 14
    # Each prompt's sample 0 in the output (its sample 1 is wrong or cut), and the file's two rows.
    assert funnel["kept"] == 6 + 2
    rejected = [json.loads(line)["id"] for line in (tmp_path / "mixed" / "rejects.jsonl").read_text().splitlines()]
    assert "q0:0" not in rejected and "q1:0" not in rejected


def test_a_plain_directory_of_jsonl_still_reads_every_file(tmp_path, traces, jsonl):
    folder = tmp_path / "mine"
    jsonl(folder / "a.jsonl", [traces("a", 0)])
    jsonl(folder / "shards" / "b.jsonl", [traces("b", 0)])  # a shards/ folder alone does not make a generate output
    config = FilterConfig(sources=[TraceSourceConfig(path=str(folder))])
    sources = pipeline.resolve_sources(config, tmp_path / "none")
    assert [source.paths for source, _ in sources] == [[str(folder)]]
    assert sum(1 for _ in pipeline.iter_rows(sources)) == 2


def test_source_paths_are_one_list_for_a_string_or_a_list():
    assert TraceSourceConfig(path="a.jsonl").paths == ["a.jsonl"]
    assert TraceSourceConfig(path=["a.jsonl", "b"]).paths == ["a.jsonl", "b"]
    config = FilterConfig(sources=[TraceSourceConfig(path="a.jsonl"), TraceSourceConfig(path=["b", "c"], name="bc")])
    assert input_paths(config, Path("gen")) == ["a.jsonl", "b", "c"]  # the stage checks what the sources name
    assert input_paths(FilterConfig(), Path("gen")) == ["gen"]
