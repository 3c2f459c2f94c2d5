"""Recipe section for `distill generate`. Standard library only: recipes load without heavy imports.

    generate:
      teacher: deepseek-ai/DeepSeek-R1      # hub id or local directory (also the tokenizer)
      engine: vllm                           # vllm | openai | hf
      num_samples: 4                         # samples per prompt
      source: {kind: hf, name: ..., split: train, columns: {problem: ..., answer: ...}}
      prompting: {force_think: true}
      sampling: {temperature: 0.6, top_p: 0.95, max_new_tokens: 32768}
      vllm: {tensor_parallel_size: 8, max_model_len: 32768}

What changes the traces (teacher, num_samples, sampling, prompting, source) is fingerprinted in
`generation.json`; engine and throughput settings (batch sizes, concurrency, tensor parallelism) are not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from distill import ranges
from distill.core.instruction import CHOICE_INSTRUCTION, CODE_INSTRUCTION, R1_INSTRUCTION  # noqa: F401
from distill.sources import SourceConfig


def _domain_templates() -> dict[str, str]:
    return {
        "math": "{problem}\n" + R1_INSTRUCTION,
        "choice": "{problem}\n" + CHOICE_INSTRUCTION,
        "code": "{problem}\n" + CODE_INSTRUCTION,
        "general": "{problem}",
    }


@dataclass
class PromptingConfig:
    # Per-domain user turn; `{problem}` is replaced by the problem text. An instruction the problem
    # already ends with is not added twice.
    templates: dict[str, str] = field(default_factory=_domain_templates)
    system_prompt: str | None = None  # R1's advice: no system prompt, everything in the user turn
    force_think: bool = True  # append "<think>\n" to the prompt (R1's advice); it starts the completion
    chat_template: bool = True  # apply the teacher tokenizer's chat template (false: raw user text)

    def __post_init__(self) -> None:
        for domain, template in self.templates.items():
            if "{problem}" not in template:
                raise ValueError(f"prompting.templates.{domain} must contain {{problem}}")


@dataclass
class SamplingConfig:
    temperature: float = 0.6
    top_p: float = 0.95
    top_k: int = -1  # -1: off
    max_new_tokens: int = 32768
    stop: list[str] = field(default_factory=list)
    seed: int | None = None  # None: the recipe seed

    def __post_init__(self) -> None:
        ranges.temperature("sampling.temperature", self.temperature)
        ranges.probability("sampling.top_p", self.top_p, zero=False)
        if self.top_k != -1:
            ranges.count("sampling.top_k (-1: off)", self.top_k)
        ranges.count("sampling.max_new_tokens", self.max_new_tokens)
        ranges.seed("sampling.seed", self.seed)


@dataclass
class VllmConfig:
    tensor_parallel_size: int = 1
    max_model_len: int | None = None
    gpu_memory_utilization: float = 0.9
    enable_prefix_caching: bool = True
    dtype: str = "auto"
    trust_remote_code: bool = False
    max_inflight_prompts: int = 1024  # prompts kept queued in the engine so it never runs dry
    # Memory of one GPU the recipe is written for: `distill generate --plan` and the start of a run check
    # that the weights (split over tensor x pipeline parallel) leave room for the KV cache.
    gpu_memory_gb: float = 80.0
    engine_args: dict[str, Any] = field(
        default_factory=dict
    )  # any other vllm.LLM argument (pipeline_parallel_size, ...)

    def __post_init__(self) -> None:
        ranges.count("vllm.tensor_parallel_size", self.tensor_parallel_size)
        ranges.count("vllm.max_model_len", self.max_model_len, optional=True)
        ranges.probability("vllm.gpu_memory_utilization", self.gpu_memory_utilization, zero=False)
        ranges.count("vllm.max_inflight_prompts", self.max_inflight_prompts)


@dataclass
class OpenAIConfig:
    base_url: str = "http://localhost:8000/v1"  # one server or a load balancer
    base_urls: list[str] = field(default_factory=list)  # several servers: requests go round-robin
    model: str | None = None  # served model name; None: the teacher
    api_key_env: str = "OPENAI_API_KEY"  # read from the environment, never from the recipe
    endpoint: Literal["completions", "chat"] = "completions"
    concurrency: int = 64  # requests in flight
    timeout: float = 3600.0  # seconds per request (a 32k-token trace takes minutes)
    max_retries: int = 5
    backoff: float = 1.0  # first retry waits this long, doubling up to backoff_max
    backoff_max: float = 60.0
    n_per_request: bool = True  # send n in one request (shared prefill); false: n requests
    strip_bos: bool = True  # drop the BOS text from the prompt: the server adds its own
    extra_body: dict[str, Any] = field(default_factory=dict)  # passed through, e.g. {top_k: 20}

    def __post_init__(self) -> None:
        ranges.count("openai.concurrency", self.concurrency)
        # 0 or a negative timeout would remove the bound on a request (the client treats it as none)
        ranges.number("openai.timeout", self.timeout, 0, 7 * 24 * 3600, low_open=True)
        ranges.count("openai.max_retries", self.max_retries, minimum=0)
        ranges.number("openai.backoff", self.backoff, 0, 3600)
        ranges.number("openai.backoff_max", self.backoff_max, self.backoff, 24 * 3600)


@dataclass
class HFConfig:
    batch_size: int = 8  # prompts per generate() call (each with num_samples sequences)
    device: str = "auto"  # auto: cuda if available, else cpu
    dtype: str = "auto"  # auto: bfloat16 on GPU, float32 on CPU

    def __post_init__(self) -> None:
        ranges.count("hf.batch_size", self.batch_size)


@dataclass(kw_only=True)
class GenerateConfig:
    teacher: str  # required: hub id or local model directory
    source: SourceConfig  # required: where the prompts come from
    engine: Literal["vllm", "openai", "hf"] = "vllm"
    num_samples: int = 1
    prompting: PromptingConfig = field(default_factory=PromptingConfig)
    sampling: SamplingConfig = field(default_factory=SamplingConfig)
    chunk_size: int = 64  # prompts per shard: a crash loses at most one chunk in progress
    tokenizer: str | None = None  # None: the teacher's own
    vllm: VllmConfig = field(default_factory=VllmConfig)
    openai: OpenAIConfig = field(default_factory=OpenAIConfig)
    hf: HFConfig = field(default_factory=HFConfig)
    output_dir: str | None = None

    def __post_init__(self) -> None:
        if not self.teacher:
            raise ValueError("generate.teacher must name a hub id or a local model directory")
        if self.num_samples < 1:
            raise ValueError(f"generate.num_samples must be >= 1, got {self.num_samples}")
        if self.chunk_size < 1:
            raise ValueError(f"generate.chunk_size must be >= 1, got {self.chunk_size}")
