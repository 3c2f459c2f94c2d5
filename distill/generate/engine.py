"""The engine interface: prompt strings in, n completions per prompt out.

    engine = make_engine(cfg)                       # vllm | openai | hf (distill.generate.registry)
    outs = engine.generate(["<chat-templated prompt>"], Sampling(n=4, max_new_tokens=512))
    outs[0][3].text, outs[0][3].finish_reason       # "stop" | "length" | "error"

Prompts are already chat-templated (distill.generate.prompting), so every engine sees the same text.
`stream` yields (request index, completions) as prompts finish so the writer never waits on the
slowest prompt of a batch; the default runs `run` chunk by chunk, engines that can do better
(openai keeps `concurrency` requests in flight throughout) override it.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Completion:
    text: str
    finish_reason: str  # "stop" | "length" | "error"
    prompt_tokens: int = 0
    completion_tokens: int = 0
    error: str | None = None

    @classmethod
    def failed(cls, reason: str, prompt_tokens: int = 0) -> Completion:
        return cls(text="", finish_reason="error", prompt_tokens=prompt_tokens, completion_tokens=0, error=reason)


@dataclass
class Sampling:
    n: int = 1
    temperature: float = 0.6
    top_p: float = 0.95
    top_k: int = -1
    max_new_tokens: int = 32768
    stop: list[str] = field(default_factory=list)
    seed: int | None = None


@dataclass
class Request:
    """One prompt and how many samples it still needs; `seed` makes its samples reproducible."""

    prompt: str
    n: int
    seed: int | None = None
    messages: list[dict] | None = None  # chat endpoint only: the turns, the server templates them


def request_seed(seed: int | None, prompt_id: str, indices: tuple[int, ...] | None = None) -> int:
    """A per-prompt seed, so a prompt's samples do not depend on batching, chunking or partitioning."""
    key = f"{seed}:{prompt_id}" if indices is None else f"{seed}:{prompt_id}:{','.join(map(str, indices))}"
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) & 0x7FFFFFFF


class Engine(ABC):
    """A teacher behind one small interface. `tokenizer` is the teacher's (for chat templates)."""

    name = "engine"
    tokenizer: Any = None

    @abstractmethod
    def run(self, requests: list[Request], sampling: Sampling) -> list[list[Completion]]:
        """Completions for each request, `request.n` of them, in request order."""

    def generate(self, prompts: list[str], sampling: Sampling) -> list[list[Completion]]:
        """`sampling.n` completions per prompt string."""
        return self.run([Request(p, sampling.n, sampling.seed) for p in prompts], sampling)

    def stream(
        self, requests: list[Request], sampling: Sampling, chunk_size: int
    ) -> Iterator[tuple[int, list[Completion]]]:
        for start in range(0, len(requests), chunk_size):
            outs = self.run(requests[start : start + chunk_size], sampling)
            for offset, completions in enumerate(outs):
                yield start + offset, completions

    def close(self) -> None:  # noqa: B027  (a no-op default, not abstract: most engines hold nothing)
        """Release the model / connections."""

    @classmethod
    def from_config(cls, cfg: Any, tokenizer: Any = None) -> Engine:
        """This engine as a GenerateConfig `cfg` sets it up (`distill.generate.registry.make_engine`)."""
        raise NotImplementedError(f"{cls.__name__} cannot be built from a recipe")
