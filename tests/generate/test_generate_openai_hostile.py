"""The openai engine trusts nothing a server says: every broken answer is an error record with its
reason, never a traceback, never a stored completion. Against the real loopback test server
(`openai_server.py --misbehave MODE`), which answers every request with HTTP 200 and a bad body."""

from __future__ import annotations

import json
import time

import pytest

from distill.cli import main
from distill.errors import ConfigError
from distill.generate.config import OpenAIConfig
from distill.generate.engine import Request, Sampling
from distill.generate.openai import OpenAIEngine
from distill.generate.openai_response import response_cap
from distill.records import read_rows

pytestmark = pytest.mark.timeout(120)

CASES = {
    "json_list": "body is a JSON list, expected an object",
    "usage_string": 'usage.completion_tokens is "ten", expected a count',
    "usage_negative": "usage.prompt_tokens is negative (-5)",
    "usage_huge": "usage.completion_tokens 1000000000000 is more than n x max_tokens",
    "text_null": "choices[0].text is null, expected a string",
    "bad_utf8": "body is not UTF-8",
    "choices_not_list": "choices is dict, expected a list",
    "index_repeated": "choices[1].index is 0, expected a distinct 0..1",
    "message_not_object": "choices[0] has neither text nor a message object",
}


def engine(url: str, **options) -> OpenAIEngine:
    settings = dict(base_url=url, max_retries=1, backoff=0.01, backoff_max=0.02, concurrency=2, timeout=30.0)
    return OpenAIEngine(OpenAIConfig(**{**settings, **options}), model="toy")


@pytest.mark.parametrize("mode, reason", CASES.items(), ids=CASES.keys())
def test_a_broken_answer_is_an_error_record_with_its_reason(openai_server, mode, reason):
    client = engine(openai_server("--misbehave", mode))
    out = client.run([Request("p1", 2, seed=1), Request("p2", 2, seed=2)], Sampling(n=2, max_new_tokens=32))
    assert [len(o) for o in out] == [2, 2]
    for completion in (c for o in out for c in o):
        assert completion.finish_reason == "error" and completion.text == ""
        assert reason in completion.error and "after 2 attempts" in completion.error
    # nothing the server claimed was counted
    assert client.usage["prompt_tokens"] == client.usage["completion_tokens"] == client.usage["requests"] == 0
    assert client.usage["failed_requests"] == 2 and client.usage["retries"] == 2


def test_50_mb_of_brackets_is_refused_unread(openai_server):
    client = engine(openai_server("--misbehave", "brackets", "--body-mb", "50"))
    started = time.monotonic()
    out = client.run([Request("p", 1, seed=1)], Sampling(n=1, max_new_tokens=32))
    assert "bytes announced; at most" in out[0][0].error  # not a RecursionError from json.loads
    assert time.monotonic() - started < 30


def test_a_body_of_unknown_length_is_cut_off_at_the_cap(openai_server):
    client = engine(openai_server("--misbehave", "brackets", "--body-mb", "50", "--no-length"))
    out = client.run([Request("p", 1, seed=1)], Sampling(n=1, max_new_tokens=32))
    assert "body larger than 264192 bytes" in out[0][0].error


def test_brackets_within_the_size_cap_end_as_too_deep(openai_server):
    client = engine(openai_server("--misbehave", "brackets", "--body-mb", "0.1"))
    out = client.run([Request("p", 1, seed=1)], Sampling(n=1, max_new_tokens=32))
    assert "nested too deeply" in out[0][0].error or "not JSON" in out[0][0].error


def test_a_valid_50_mb_body_is_not_stored_as_completions(tmp_path, openai_server, write_recipe):
    url = openai_server("--misbehave", "huge_text", "--body-mb", "50")
    recipe = {
        "seed": 1, "output_dir": str(tmp_path / "run"),
        "generate": {
            "teacher": "toy-teacher", "engine": "openai", "num_samples": 2,
            "chunk_size": 2, "source": {"kind": "toy", "name": "arithmetic", "limit": 2},
            "sampling": {"max_new_tokens": 32},
            # the chat endpoint: the server applies the template, no local tokenizer needed
            "openai": {"base_url": url, "endpoint": "chat", "backoff": 0.01, "backoff_max": 0.02, "max_retries": 0, "concurrency": 2},
        },
    }
    started = time.monotonic()
    assert main(["generate", str(write_recipe(recipe))]) == 0  # the run goes on and ends
    assert time.monotonic() - started < 60
    out = tmp_path / "run" / "generate"
    rows = [row.data for row in read_rows(out / "shards")]
    assert len(rows) == 4 and all(r["finish_reason"] == "error" and r["completion"] == "" for r in rows)
    assert all("bytes announced; at most" in r["error"] for r in rows)
    assert sum(f.stat().st_size for f in (out / "shards").iterdir()) < 1 << 20  # not 4 x 50 MB
    counts = json.loads((out / "manifest.json").read_text())["counts"]
    assert counts["errors"] == 4


def test_a_text_longer_than_max_tokens_can_be_is_refused(openai_server):
    # 100 KB fits the body cap for max_tokens 32, but no 32 tokens make 100,000 characters
    url = openai_server("--misbehave", "huge_text", "--body-mb", "0.1")
    assert 0.1 * 2**20 < response_cap(1, 32)
    out = engine(url).run([Request("p", 1, seed=1)], Sampling(n=1, max_new_tokens=32))
    assert "more than 32 tokens can hold" in out[0][0].error
    out = engine(url).run([Request("p", 1, seed=1)], Sampling(n=1, max_new_tokens=4096))
    assert out[0][0].finish_reason == "stop" and len(out[0][0].text) > 100_000  # within both bounds: taken


def test_a_good_server_still_works(openai_server):
    out = engine(openai_server()).run([Request("p", 3, seed=1)], Sampling(n=3, max_new_tokens=40))
    assert all(c.finish_reason == "stop" and "\\boxed{" in c.text for c in out[0])


@pytest.mark.parametrize("setting, value, message", [
    ("max_retries", -1, "openai.max_retries must be an integer >= 0"),
    ("timeout", 0, "openai.timeout must be in (0, 604800]"),
    ("timeout", -1, "openai.timeout must be in (0, 604800]"),
    ("timeout", float("nan"), "openai.timeout must be in (0, 604800]"),
    ("concurrency", 0, "openai.concurrency must be an integer >= 1"),
    ("backoff", -1, "openai.backoff must be in [0, 3600]"),
])
def test_request_settings_are_range_checked(tmp_path, write_recipe, setting, value, message):
    recipe = {"generate": {"teacher": "t", "engine": "openai", "source": {"kind": "toy", "name": "arithmetic"},
                           "openai": {setting: value}}, "output_dir": str(tmp_path / "run")}
    path = write_recipe(recipe)
    assert main(["generate", str(path)]) != 0  # one line, before any request (was a NameError for -1)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[").replace("]", r"\]")):
        from distill.recipe import load_recipe

        load_recipe(path)
