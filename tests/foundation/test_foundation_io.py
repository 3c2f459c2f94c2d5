"""Manifests, progress lines and row files: the pieces every stage shares."""

from __future__ import annotations

import io
import json

import pytest

from distill.manifest import MANIFEST, RESOLVED_RECIPE, StageRun, read_manifest
from distill.progress import Progress
from distill.records import AtomicJsonlWriter, read_rows, write_jsonl
from distill.recipe import recipe_from_dict


def test_manifest_written_on_success_with_contents(tmp_path):
    recipe = recipe_from_dict({"seed": 5, "output_dir": str(tmp_path), "report": {}})
    with StageRun(tmp_path / "report", recipe, "report") as run:
        assert read_manifest(tmp_path / "report")["status"] == "running"
        run.counts["rows"] = 3
    manifest = read_manifest(tmp_path / "report")
    assert manifest["status"] == "ok" and manifest["seed"] == 5 and manifest["counts"] == {"rows": 3}
    assert manifest["fingerprint"] == recipe.section_fingerprint("report")
    assert "torch" in manifest["packages"] and manifest["hardware"]["cpus"] >= 1
    assert manifest["started"] and manifest["ended"] and manifest["wall_seconds"] >= 0
    resolved = (tmp_path / "report" / RESOLVED_RECIPE).read_text()
    assert "seed: 5" in resolved


def test_manifest_records_failure(tmp_path):
    recipe = recipe_from_dict({"report": {}})
    with pytest.raises(RuntimeError):
        with StageRun(tmp_path, recipe, "report"):
            raise RuntimeError("boom")
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    assert manifest["status"] == "failed" and "boom" in manifest["error"]


def test_progress_shows_rate_eta_and_summary():
    stream = io.StringIO()
    with Progress(total=10, desc="gen", unit="samples", stream=stream, interval=0) as bar:
        for _ in range(5):
            bar.update(1, tokens=100)
    text = stream.getvalue()
    assert "gen: 5/10 samples (50%)" in text and "samples/s" in text and "tokens/s" in text and "ETA" in text


def test_read_rows_yields_malformed_rows_with_reasons(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_bytes(b'{"a": 1}\n{bad json\n[1, 2]\n\n\xff\xfe{"a": 2}\n{"a": 3}\n')
    rows = list(read_rows(path))
    assert [r.line for r in rows] == [1, 2, 3, 5, 6]
    assert [r.data for r in rows if r.data] == [{"a": 1}, {"a": 3}]
    reasons = [r.error for r in rows if r.error]
    assert reasons[0].startswith("bad JSON") and reasons[1].startswith("not a JSON object")
    assert reasons[2].startswith("bad encoding")


def test_read_rows_directory_and_parquet(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    write_jsonl(tmp_path / "d" / "a.jsonl", [{"x": 1}])
    pq.write_table(pa.table({"x": [2, 3]}), tmp_path / "d" / "b.parquet")
    assert [r.data["x"] for r in read_rows(tmp_path / "d")] == [1, 2, 3]


def test_atomic_writer_leaves_nothing_on_error(tmp_path):
    target = tmp_path / "out.jsonl"
    with pytest.raises(ValueError):
        with AtomicJsonlWriter(target) as writer:
            writer.write({"a": 1})
            raise ValueError("crash")
    assert not target.exists() and not list(tmp_path.iterdir())
