"""Plain transformers generation: batched with left padding, CPU or GPU, `num_return_sequences=n`.

The engine for tests, the toy demo and machines without vLLM. Each batch is seeded from the seeds of
its requests, so a rerun with the same batching gives the same samples (vLLM and the openai engine
seed per prompt, which does not depend on batching at all).
"""

from __future__ import annotations

from typing import Any

from distill.errors import DistillError, require
from distill.generate.engine import Completion, Engine, Request, Sampling


class HFEngine(Engine):
    name = "hf"

    @classmethod
    def from_config(cls, cfg: Any, tokenizer: Any = None) -> HFEngine:
        return cls(cfg.teacher, cfg.hf, tokenizer=tokenizer)

    def __init__(self, model_path: str, cfg: Any, tokenizer: Any = None):
        torch = require("torch", "core", "the hf engine")
        transformers = require("transformers", "core", "the hf engine")
        self.torch = torch
        self.cfg = cfg
        self.device = cfg.device if cfg.device != "auto" else ("cuda" if torch.cuda.is_available() else "cpu")
        dtype = _dtype(torch, cfg.dtype, self.device)
        if tokenizer is None:
            from distill.generate.prompting import load_tokenizer

            tokenizer = load_tokenizer(model_path)
        self.tokenizer = tokenizer
        try:
            self.model = transformers.AutoModelForCausalLM.from_pretrained(model_path, dtype=dtype).to(self.device)
        except OSError as exc:
            raise DistillError(f"{model_path}: cannot load the teacher model: {str(exc).splitlines()[0]}") from None
        self.model.eval()
        self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        self.eos_ids = _eos_ids(self.model, tokenizer)

    def run(self, requests: list[Request], sampling: Sampling) -> list[list[Completion]]:
        results: list[list[Completion]] = []
        batch = max(1, self.cfg.batch_size)
        for start in range(0, len(requests), batch):
            results.extend(self._batch(requests[start : start + batch], sampling))
        return results

    def _batch(self, requests: list[Request], sampling: Sampling) -> list[list[Completion]]:
        torch = self.torch
        # Requests in one generate() call share num_return_sequences; group retries by n.
        by_n: dict[int, list[int]] = {}
        for i, req in enumerate(requests):
            by_n.setdefault(req.n, []).append(i)
        out: list[list[Completion] | None] = [None] * len(requests)
        for n, indices in by_n.items():
            group = [requests[i] for i in indices]
            seed = sum(r.seed or 0 for r in group) & 0x7FFFFFFF
            torch.manual_seed(seed)
            for i, completions in zip(indices, self._generate(group, n, sampling)):
                out[i] = completions
        return out  # type: ignore[return-value]

    def _generate(self, group: list[Request], n: int, sampling: Sampling) -> list[list[Completion]]:
        torch = self.torch
        self.tokenizer.padding_side = "left"
        # The chat template already wrote BOS where the model wants it: add no second one.
        enc = self.tokenizer([r.prompt for r in group], return_tensors="pt", padding=True, add_special_tokens=False)
        enc = {k: v.to(self.device) for k, v in enc.items()}
        kwargs: dict[str, Any] = dict(
            max_new_tokens=sampling.max_new_tokens,
            num_return_sequences=n,
            pad_token_id=self.pad_id,
            eos_token_id=self.eos_ids,
            do_sample=sampling.temperature > 0,
        )
        if sampling.temperature > 0:
            kwargs.update(
                temperature=sampling.temperature,
                top_p=sampling.top_p,
                top_k=sampling.top_k if sampling.top_k > 0 else None,
            )
        if sampling.stop:
            kwargs.update(stop_strings=list(sampling.stop), tokenizer=self.tokenizer)
        with torch.no_grad():
            output = self.model.generate(**enc, **kwargs)
        width = enc["input_ids"].shape[1]
        prompt_lens = enc["attention_mask"].sum(dim=1).tolist()
        results = []
        for row, prompt_len in enumerate(prompt_lens):
            results.append(
                [self._completion(output[row * n + j, width:].tolist(), int(prompt_len), sampling) for j in range(n)]
            )
        return results

    def _completion(self, ids: list[int], prompt_len: int, sampling: Sampling) -> Completion:
        stop_at = next((k for k, t in enumerate(ids) if t in self.eos_ids), None)
        if stop_at is not None:
            ids = ids[: stop_at + 1]  # the EOS counts as a generated token, as in vLLM
        else:
            ids = [t for t in ids if t != self.pad_id] if self.pad_id not in self.eos_ids else ids
        text = self.tokenizer.decode(ids, skip_special_tokens=True)
        hit_stop = bool(sampling.stop) and any(s in text for s in sampling.stop)
        finish = (
            "stop" if stop_at is not None or hit_stop else ("length" if len(ids) >= sampling.max_new_tokens else "stop")
        )
        return Completion(text=text, finish_reason=finish, prompt_tokens=prompt_len, completion_tokens=len(ids))

    def close(self) -> None:
        self.model = None


def _dtype(torch: Any, name: str, device: str) -> Any:
    if name == "auto":
        return torch.bfloat16 if device.startswith("cuda") else torch.float32
    value = getattr(torch, name, None)
    if not isinstance(value, torch.dtype):
        raise DistillError(f"generate.hf.dtype: unknown torch dtype {name!r}")
    return value


def _eos_ids(model: Any, tokenizer: Any) -> list[int]:
    eos = getattr(model.generation_config, "eos_token_id", None)
    ids = eos if isinstance(eos, list) else ([eos] if eos is not None else [])
    if tokenizer.eos_token_id is not None and tokenizer.eos_token_id not in ids:
        ids.append(tokenizer.eos_token_id)
    if not ids:
        raise DistillError("teacher has no EOS token: generation could never stop")
    return ids
