"""Any OpenAI-compatible server (`vllm serve`, SGLang, a hosted API) through its HTTP API.

- completions endpoint (default): we send the chat-templated prompt string, so the prompt is exactly
  what the offline engines see; chat endpoint: the server applies its template.
- `concurrency` requests in flight at all times (asyncio: a pool of `concurrency` workers on aiohttp,
  which sustains thousands of requests/s on one core, see docs/benchmarks/generate.md), spread
  round-robin over `base_urls` when several servers are given.
- Timeouts; retries with exponential backoff and jitter on connection errors, timeouts, 408/429/5xx;
  after the last retry the prompt's samples come back as error completions and the run goes on.
- `n` samples in one request (one prefill) unless `n_per_request: false`; the server's `usage`
  token counts are recorded.
- Nothing the server says is trusted (`openai_response.py`): a body is read up to a size derived
  from `max_tokens` and `n`, then its JSON, shape, types, choice indices, texts and token counts
  are checked; any bad answer (a JSON list, `usage: "ten"`, `text: null`, invalid UTF-8, 50 MB of
  `[`, a 50 MB completion for `max_tokens: 32`, negative counts) is an error record with the reason,
  retried like a failed request, never a traceback and never a stored completion.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import queue
import random
import threading
from collections.abc import Iterator
from typing import Any

from distill.errors import require
from distill.generate.engine import Completion, Engine, Request, Sampling
from distill.generate.openai_response import BadResponse, parse_body, response_cap

RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}


class OpenAIEngine(Engine):
    name = "openai"

    @classmethod
    def from_config(cls, cfg: Any, tokenizer: Any = None) -> OpenAIEngine:
        return cls(cfg.openai, model=cfg.openai.model or cfg.teacher, tokenizer=tokenizer)

    def __init__(self, cfg: Any, model: str, tokenizer: Any = None):
        self.aiohttp = require("aiohttp", "openai", "the openai engine")
        self.cfg = cfg
        self.model = model
        self.tokenizer = tokenizer
        urls = cfg.base_urls or [cfg.base_url]
        path = "/completions" if cfg.endpoint == "completions" else "/chat/completions"
        self.urls = [u.rstrip("/") + path for u in urls]
        key = os.environ.get(cfg.api_key_env, "")
        self.headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.bos = getattr(tokenizer, "bos_token", None) if cfg.strip_bos else None
        self.usage = {"prompt_tokens": 0, "completion_tokens": 0, "requests": 0, "retries": 0, "failed_requests": 0}

    def run(self, requests: list[Request], sampling: Sampling) -> list[list[Completion]]:
        return [c for _, c in sorted(self.stream(requests, sampling, 0), key=lambda x: x[0])]

    def stream(
        self, requests: list[Request], sampling: Sampling, chunk_size: int
    ) -> Iterator[tuple[int, list[Completion]]]:
        """Results in finishing order; the event loop runs in a thread so the caller can write meanwhile."""
        results: queue.Queue = queue.Queue()
        stop = threading.Event()
        thread = threading.Thread(target=self._loop, args=(requests, sampling, results, stop), daemon=True)
        thread.start()
        try:
            for _ in range(len(requests)):
                item = results.get()
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            thread.join(timeout=5)

    def _loop(self, requests: list[Request], sampling: Sampling, results: queue.Queue, stop: threading.Event) -> None:
        try:
            asyncio.run(self._run_all(requests, sampling, results, stop))
        except BaseException as exc:  # hand any crash to the consumer instead of hanging it
            results.put(exc)

    async def _run_all(
        self, requests: list[Request], sampling: Sampling, results: queue.Queue, stop: threading.Event
    ) -> None:
        aiohttp = self.aiohttp
        concurrency = max(1, self.cfg.concurrency)
        # One job per request, or n jobs of one sample each when the server cannot do n.
        jobs = (
            (i, j, req)
            for i, req in enumerate(requests)
            for j in (range(req.n) if not self.cfg.n_per_request else [None])
        )
        partial: dict[int, list] = {}
        urls = itertools.cycle(self.urls)
        connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=0, ttl_dns_cache=300)
        timeout = aiohttp.ClientTimeout(total=self.cfg.timeout)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout, headers=self.headers) as session:

            async def worker() -> None:
                for index, sample, req in jobs:  # a shared generator: each job is taken once
                    if stop.is_set():
                        return
                    n = req.n if sample is None else 1
                    seed = req.seed if sample is None or req.seed is None else req.seed + sample
                    outs = await self._request(session, next(urls), req, n, seed, sampling)
                    if sample is None:
                        results.put((index, outs))
                        continue
                    got = partial.setdefault(index, [None] * req.n)
                    got[sample] = outs[0]
                    if all(c is not None for c in got):
                        results.put((index, partial.pop(index)))

            await asyncio.gather(*(worker() for _ in range(concurrency)))

    def _payload(self, req: Request, n: int, seed: int | None, sampling: Sampling) -> dict:
        body: dict[str, Any] = {
            "model": self.model,
            "n": n,
            "temperature": sampling.temperature,
            "top_p": sampling.top_p,
            "max_tokens": sampling.max_new_tokens,
        }
        if seed is not None:
            body["seed"] = seed
        if sampling.top_k > 0:
            body["top_k"] = sampling.top_k
        if sampling.stop:
            body["stop"] = list(sampling.stop)
        if self.cfg.endpoint == "completions":
            prompt = req.prompt
            if self.bos and prompt.startswith(self.bos):
                prompt = prompt[len(self.bos) :]  # the server tokenizer adds BOS itself
            body["prompt"] = prompt
        else:
            body["messages"] = req.messages or [{"role": "user", "content": req.prompt}]
            if body["messages"][-1]["role"] == "assistant":  # a forced "<think>\n" to continue
                body.update(add_generation_prompt=False, continue_final_message=True)
        body.update(self.cfg.extra_body)
        return body

    async def _request(
        self, session: Any, url: str, req: Request, n: int, seed: int | None, sampling: Sampling
    ) -> list[Completion]:
        body = json.dumps(self._payload(req, n, seed, sampling))
        headers = {"Content-Type": "application/json"}
        cap = response_cap(n, sampling.max_new_tokens)
        error, attempt = "no attempt made", 0
        for attempt in range(self.cfg.max_retries + 1):
            if attempt:
                self.usage["retries"] += 1
                delay = min(self.cfg.backoff_max, self.cfg.backoff * 2 ** (attempt - 1))
                await asyncio.sleep(delay * (0.5 + random.random() / 2))  # jitter: no thundering herd
            try:
                async with session.post(url, data=body, headers=headers) as resp:
                    raw = await _read_capped(resp, cap)
                    if resp.status == 200:
                        out = self._parse(parse_body(raw, n, sampling.max_new_tokens), n)
                        self.usage["requests"] += 1
                        return out
                    error = f"HTTP {resp.status}: {raw[:200].decode('utf-8', 'replace').strip()}"
                    if resp.status not in RETRY_STATUS:
                        break  # a 400 (e.g. prompt too long) fails the same way every time
            except BadResponse as exc:
                error = f"bad response: {exc}"
            except (TimeoutError, self.aiohttp.ClientError) as exc:
                error = f"{type(exc).__name__}: {str(exc)[:200] or 'timed out'}"
        self.usage["failed_requests"] += 1
        return [Completion.failed(f"{error} (after {attempt + 1} attempts)") for _ in range(n)]

    def _parse(self, data, n: int) -> list[Completion]:
        """Completions from a checked response (`parse_body` has vetted every field used here)."""
        self.usage["prompt_tokens"] += data.prompt_tokens
        self.usage["completion_tokens"] += data.completion_tokens
        out = []
        for choice in data.choices:
            reason = "stop" if choice.finish_reason in ("eos", "stop_sequence", "end_turn") else choice.finish_reason
            if reason not in ("stop", "length"):  # abort, content_filter: not a usable trace
                out.append(Completion.failed(f"server finish_reason {reason!r}", data.prompt_tokens))
                continue
            # usage counts all n choices together; split it per choice by our tokenizer where we have one.
            tokens = data.completion_tokens if n == 1 else self._count(choice.text, data.completion_tokens // n)
            out.append(
                Completion(
                    text=choice.text, finish_reason=reason, prompt_tokens=data.prompt_tokens, completion_tokens=tokens
                )
            )
        return out

    def _count(self, text: str, fallback: int) -> int:
        if self.tokenizer is None:
            return fallback
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])


async def _read_capped(resp: Any, cap: int) -> bytes:
    """The body, or BadResponse once it passes `cap` bytes (the rest is never read)."""
    declared = resp.content_length
    if declared is not None and declared > cap:
        raise BadResponse(f"body of {declared} bytes announced; at most {cap} expected for this request")
    body = bytearray()
    while True:
        chunk = await resp.content.read(65536)
        if not chunk:
            return bytes(body)
        body += chunk
        if len(body) > cap:
            raise BadResponse(f"body larger than {cap} bytes; at most that is expected for this request")
