"""--part i/N then --merge gives exactly what one run gives; merge names what is missing; fingerprints."""

from __future__ import annotations

import json

from distill.cli import main
from distill.records import read_rows


def recipe(out, url, **generate):
    return {
        "seed": 3, "output_dir": str(out),
        "generate": {
            "teacher": "toy", "engine": "openai", "num_samples": 4, "chunk_size": 3,
            "prompting": {"chat_template": False},
            "source": {"kind": "toy", "name": "arithmetic", "limit": 25, "difficulty": 2},
            "sampling": {"max_new_tokens": 32}, "openai": {"base_url": url}, **generate,
        },
    }


def rows(out):
    return sorted((r.data for r in read_rows(out / "generate" / "shards")), key=lambda r: r["id"])


def test_parts_then_merge_equals_single_run(tmp_path, openai_server, write_recipe, capsys):
    url = openai_server()
    single = write_recipe(recipe(tmp_path / "single", url), "single.yaml")
    parted = write_recipe(recipe(tmp_path / "parted", url), "parted.yaml")
    assert main(["generate", str(single)]) == 0

    assert main(["generate", str(parted), "--part", "0/3"]) == 0
    assert main(["generate", str(parted), "--part", "2/3"]) == 0
    assert main(["generate", str(parted), "--merge"]) == 2  # part 1 is missing: merge says so
    err = capsys.readouterr().err
    assert "incomplete" in err and "samples missing" in err
    assert json.loads((tmp_path / "parted" / "generate" / "manifest.json").read_text())["status"] == "failed"

    assert main(["generate", str(parted), "--part", "1/3"]) == 0
    assert main(["generate", str(parted), "--merge"]) == 0
    merged = json.loads((tmp_path / "parted" / "generate" / "merged.json").read_text())
    assert merged["complete"] and merged["samples"] == 100 and merged["missing"] == 0
    single_rows, parted_rows = rows(tmp_path / "single"), rows(tmp_path / "parted")
    assert len(parted_rows) == 100 and parted_rows == single_rows  # record for record
    parts = sorted(p.name for p in (tmp_path / "parted" / "generate" / "parts").iterdir())
    assert parts == ["part-00000-of-00003", "part-00001-of-00003", "part-00002-of-00003"]
    per_part = [json.loads((tmp_path / "parted" / "generate" / "parts" / p / "manifest.json").read_text())["counts"]["prompts"] for p in parts]
    assert sum(per_part) == 25 and all(n > 0 for n in per_part)
    # Rerunning a finished part does nothing and writes nothing new.
    before = sorted(p.name for p in (tmp_path / "parted" / "generate" / "shards").iterdir())
    assert main(["generate", str(parted), "--part", "1/3"]) == 0
    assert sorted(p.name for p in (tmp_path / "parted" / "generate" / "shards").iterdir()) == before


def test_changed_settings_refuse_to_append(tmp_path, openai_server, write_recipe, capsys):
    url = openai_server()
    path = write_recipe(recipe(tmp_path / "out", url))
    assert main(["generate", str(path)]) == 0
    shards = tmp_path / "out" / "generate" / "shards"
    before = sorted(p.name for p in shards.iterdir())
    capsys.readouterr()

    assert main(["generate", str(path), "--set", "generate.sampling.temperature=0.9"]) == 2
    err = capsys.readouterr().err
    assert "sampling.temperature: 0.6 -> 0.9" in err and "--fresh" in err and len(err.strip().splitlines()) == 1
    assert main(["generate", str(path), "--set", "generate.teacher=other-model"]) == 2
    assert "teacher" in capsys.readouterr().err
    assert sorted(p.name for p in shards.iterdir()) == before  # nothing touched

    # Throughput settings and a larger limit are not result-changing: the run extends.
    assert main(["generate", str(path), "--set", "generate.openai.concurrency=3",
                 "--set", "generate.source.limit=30"]) == 0
    assert len(rows(tmp_path / "out")) == 120

    # --fresh moves the old output aside and starts over with the new settings.
    assert main(["generate", str(path), "--fresh", "--set", "generate.sampling.temperature=0.9"]) == 0
    moved = [p for p in tmp_path.iterdir() if p.name.startswith("out") and ".old-" in p.name]
    assert not moved  # the stage dir is moved, not the run dir
    old = [p for p in (tmp_path / "out").iterdir() if p.name.startswith("generate.old-")]
    assert len(old) == 1 and len(list((old[0] / "shards").iterdir())) == len(before) + 2
    settings = json.loads((tmp_path / "out" / "generate" / "generation.json").read_text())["settings"]
    assert settings["sampling"]["temperature"] == 0.9 and len(rows(tmp_path / "out")) == 100
