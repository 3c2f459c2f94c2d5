"""Offline vLLM: one `vllm.LLM` per process (tensor parallel across its GPUs).

Each prompt is one request with `SamplingParams(n=...)`, so its prompt is prefilled once for all n
samples, and seeded per prompt, so its samples do not depend on batching or partitioning.
`stream` keeps up to `max_inflight_prompts` prompts queued in the engine and hands back each prompt
as soon as its n samples are done: no chunk waits for its slowest 32k-token trace while the GPUs idle.

Prompts are passed as token ids tokenized without special tokens: the chat template already wrote
the BOS, and vLLM tokenizing the text itself would add a second one.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

from distill.errors import DistillError, require
from distill.generate.engine import Completion, Engine, Request, Sampling


class VllmEngine(Engine):
    name = "vllm"

    @classmethod
    def from_config(cls, cfg: Any, tokenizer: Any = None) -> VllmEngine:
        return cls(cfg.teacher, cfg.vllm, seed=cfg.sampling.seed or 0, tokenizer_path=cfg.tokenizer)

    def __init__(self, model: str, cfg: Any, seed: int = 0, tokenizer_path: str | None = None):
        vllm = require("vllm", "vllm", "the vllm engine")
        self.vllm = vllm
        self.cfg = cfg
        kwargs = dict(
            model=model,
            tokenizer=tokenizer_path or model,
            tensor_parallel_size=cfg.tensor_parallel_size,
            gpu_memory_utilization=cfg.gpu_memory_utilization,
            enable_prefix_caching=cfg.enable_prefix_caching,
            dtype=cfg.dtype,
            seed=seed,
            trust_remote_code=cfg.trust_remote_code,
        )
        if cfg.max_model_len is not None:
            kwargs["max_model_len"] = cfg.max_model_len
        kwargs.update(cfg.engine_args)
        try:
            self.llm = vllm.LLM(**kwargs)
        except Exception as exc:  # vLLM raises ValueError/RuntimeError/OSError on startup; the cause is logged above
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise DistillError(f"{model}: vLLM could not start: {first} (see vLLM's log above)") from None
        self.tokenizer = self.llm.get_tokenizer()
        self.max_model_len = int(self.llm.llm_engine.model_config.max_model_len)

    def _params(self, req: Request, sampling: Sampling, prompt_len: int) -> Any:
        # A prompt near the context limit gets what room is left rather than a request vLLM rejects.
        room = self.max_model_len - prompt_len
        return self.vllm.SamplingParams(
            n=req.n,
            temperature=sampling.temperature,
            top_p=sampling.top_p,
            top_k=sampling.top_k,
            max_tokens=max(1, min(sampling.max_new_tokens, room)),
            seed=req.seed,
            stop=sampling.stop or None,
        )

    def _prepare(self, req: Request, sampling: Sampling) -> tuple[Any, Any] | Completion:
        ids = self.tokenizer(req.prompt, add_special_tokens=False)["input_ids"]
        if len(ids) >= self.max_model_len:
            return Completion.failed(f"prompt has {len(ids)} tokens, max_model_len is {self.max_model_len}", len(ids))
        return {"prompt_token_ids": ids}, self._params(req, sampling, len(ids))

    def run(self, requests: list[Request], sampling: Sampling) -> list[list[Completion]]:
        return [c for _, c in sorted(self.stream(requests, sampling, len(requests) or 1), key=lambda x: x[0])]

    def stream(
        self, requests: list[Request], sampling: Sampling, chunk_size: int
    ) -> Iterator[tuple[int, list[Completion]]]:
        if not hasattr(self.llm, "enqueue"):  # older vLLM: whole chunks through LLM.generate
            yield from self._stream_chunks(requests, sampling, chunk_size)
            return
        todo = deque(enumerate(requests))
        pending: dict[str, int] = {}
        limit = max(1, self.cfg.max_inflight_prompts)
        engine = self.llm.llm_engine
        while todo or pending:
            batch_prompts: list[Any] = []
            batch_params: list[Any] = []
            batch_index: list[int] = []
            while todo and len(pending) + len(batch_index) < limit:
                index, req = todo.popleft()
                prepared = self._prepare(req, sampling)
                if isinstance(prepared, Completion):
                    yield index, [prepared] * req.n
                    continue
                batch_prompts.append(prepared[0])
                batch_params.append(prepared[1])
                batch_index.append(index)
            if batch_prompts:
                ids = self.llm.enqueue(batch_prompts, batch_params, use_tqdm=False)
                # enqueue returns internal ids ("7-1a2b3c4d"); outputs carry the external one ("7").
                pending.update(
                    (rid.rsplit("-", 1)[0] if "-" in rid else rid, index) for rid, index in zip(ids, batch_index)
                )
            if not pending:
                continue
            if not engine.has_unfinished_requests():
                raise RuntimeError(f"vLLM finished all requests but {len(pending)} prompts got no output")
            for output in engine.step():
                if output.finished and output.request_id in pending:
                    yield pending.pop(output.request_id), _completions(output)

    def _stream_chunks(
        self, requests: list[Request], sampling: Sampling, chunk_size: int
    ) -> Iterator[tuple[int, list[Completion]]]:
        for start in range(0, len(requests), chunk_size):
            prompts, params, where = [], [], []
            for index in range(start, min(start + chunk_size, len(requests))):
                prepared = self._prepare(requests[index], sampling)
                if isinstance(prepared, Completion):
                    yield index, [prepared] * requests[index].n
                    continue
                prompts.append(prepared[0])
                params.append(prepared[1])
                where.append(index)
            for index, output in zip(where, self.llm.generate(prompts, params, use_tqdm=False)):
                yield index, _completions(output)

    def close(self) -> None:
        self.llm = None


def _completions(output: Any) -> list[Completion]:
    prompt_tokens = len(output.prompt_token_ids or [])
    results = []
    for sample in sorted(output.outputs, key=lambda o: o.index):
        reason = sample.finish_reason if sample.finish_reason in ("stop", "length") else "error"
        error = None if reason != "error" else f"vLLM finish_reason {sample.finish_reason!r}"
        results.append(
            Completion(
                text=sample.text,
                finish_reason=reason,
                prompt_tokens=prompt_tokens,
                completion_tokens=len(sample.token_ids),
                error=error,
            )
        )
    return results
