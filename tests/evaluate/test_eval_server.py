"""`distill eval --backend local-chat-completions` against a real vLLM OpenAI-compatible server on loopback.

Slow (engine start ~30 s on a CPU) and needs vLLM: marked `vllm` and `slow`."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from distill.cli import main

pytestmark = [pytest.mark.vllm, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tiny_qwen_dir, tmp_path_factory):
    port = _free_port()
    log = open(tmp_path_factory.mktemp("server") / "server.log", "w")
    env = {**os.environ, "VLLM_CPU_KVCACHE_SPACE": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "vllm.entrypoints.openai.api_server", "--model", str(tiny_qwen_dir),
                             "--port", str(port), "--host", "127.0.0.1", "--max-model-len", "1024"],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        for _ in range(120):
            if proc.poll() is not None:
                pytest.fail(f"vLLM server exited with {proc.returncode}; see {log.name}")
            try:
                urllib.request.urlopen(f"{url}/models", timeout=2)
                break
            except OSError:
                time.sleep(2)
        else:
            pytest.fail("vLLM server did not come up in 240 s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_chat_completions_backend_samples_k_different_completions(server, tiny_qwen_dir, tmp_path):
    out = tmp_path / "run"
    code = main(["eval", "--model", f"served={tiny_qwen_dir}", "--backend", "local-chat-completions",
                 "--base-url", server, "--tasks", "toy_arithmetic", "--limit", "2", "--samples", "4",
                 "--max-gen-toks", "16", "--out", str(out)])
    assert code == 0
    rows = [json.loads(line) for line in (out / "served" / "samples.jsonl").read_text().splitlines()]
    assert len(rows) == 8
    for doc_id in (0, 1):
        texts = [r["completion"] for r in rows if r["doc_id"] == doc_id]
        # lm-eval would send one fixed seed with every request; distill unsets it so the k samples differ
        assert len(set(texts)) > 1
    results = json.loads((out / "served" / "results.json").read_text())
    assert results["backend"] == "local-chat-completions" and results["tasks"]["toy_arithmetic"]["k"] == 4


def test_completions_backend_applies_the_chat_template_itself(server, tiny_qwen_dir, tmp_path):
    out = tmp_path / "run"
    code = main(["eval", "--model", f"served={tiny_qwen_dir}", "--backend", "local-completions",
                 "--base-url", server, "--tasks", "toy_arithmetic", "--limit", "2", "--samples", "2",
                 "--max-gen-toks", "16", "--out", str(out)])
    assert code == 0
    rows = [json.loads(line) for line in (out / "served" / "samples.jsonl").read_text().splitlines()]
    assert len(rows) == 4 and rows[0]["prompt"].startswith("<|im_start|>user")
