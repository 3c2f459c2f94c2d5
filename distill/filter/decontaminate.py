"""decontaminate: problems that share a word n-gram with an evaluation problem (AIME, MATH-500, GPQA).

Text is normalized before n-gramming: the R1 instruction sentence is cut, letters lowercased, and
the text split into words (runs of letters and digits) and operator symbols (+ - * / = ^ < >);
other punctuation and whitespace are dropped, so a copy with changed case, spacing or punctuation
still matches while "3 + 4" and "3 * 4" stay different problems. Eval problems shorter than n
tokens are matched whole.
Eval sets come from local JSONL/Parquet files (a `problem` or `Question` column), from `eval_dir`,
or from the hub ids `distill eval` uses. Before the hub is asked, one short connection check (3 s)
says whether it can be reached: offline (or with HF_HUB_OFFLINE=1) only cached copies are used, so a
run never waits on the hub's retries (about 90 s); a set that cannot be had is skipped with one
warning naming the fix (eval_dir), or fails the run when `strict`.
"""

from __future__ import annotations

import os
import re
import socket
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from distill.errors import DistillError
from distill.filter.config import DecontaminateConfig
from distill.filter.reject import Decision, Reject

REASON = "decontaminate"
INSTRUCTION = re.compile(r"please reason step by step,? and put your final answer within \\boxed\{\}\.?", re.IGNORECASE)
# Words, and the operators that tell short math problems apart; a hyphen inside a word
# ("kilometer-long") is spelling, not minus, so it is dropped before tokenizing.
TOKEN = re.compile(r"[^\W_]+|[-+*/=^<>]")
# (The hyphen comes first so the regex engine can jump from hyphen to hyphen; a pattern that opens
# with the look-behind is tried at every character.)
WORD_HYPHEN = re.compile(r"-(?<=[^\W\d_]-)(?=[^\W\d_])")
PROBLEM_COLUMNS = ("problem", "Problem", "question", "Question")
# Hub copies, as `distill eval` loads them: (dataset id, config, split).
HUB = {
    "aime24": ("HuggingFaceH4/aime_2024", None, "train"),
    "aime25": ("yentinglin/aime_2025", None, "train"),
    "math500": ("HuggingFaceH4/MATH-500", None, "test"),
    "gpqa_diamond": ("Idavidrein/gpqa", "gpqa_diamond", "train"),
}


def words(text: str) -> list[str]:
    text = INSTRUCTION.sub(" ", text)
    return TOKEN.findall(WORD_HYPHEN.sub(" ", text.lower()))


def ngrams(tokens: list[str], n: int) -> Iterable[str]:
    return (" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def _problems_from_file(path: Path) -> list[str]:
    from distill.records import read_rows

    out = []
    for row in read_rows(path):
        if row.data is None:
            continue
        text = next((row.data[c] for c in PROBLEM_COLUMNS if isinstance(row.data.get(c), str)), None)
        if text is None:
            raise DistillError(
                f"{row.source}:{row.line}: eval set row has none of the columns {', '.join(PROBLEM_COLUMNS)}"
            )
        out.append(text)
    return out


def _problems_from_hub(name: str) -> list[str]:
    from distill.errors import require

    datasets = require("datasets", "train", "decontamination against hub eval sets")
    repo, config, split = HUB[name]
    ds = datasets.load_dataset(repo, config, split=split)
    column = next(c for c in PROBLEM_COLUMNS if c in ds.column_names)
    return list(ds[column])


def hub_unreachable(timeout: float = 3.0) -> str | None:
    """Why the hub cannot be reached (offline mode, no connection), or None when it can."""
    if (
        os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes")
        or os.environ.get("HF_DATASETS_OFFLINE") == "1"
    ):
        return "HF_HUB_OFFLINE is set"
    proxy = os.environ.get("HTTPS_PROXY") or os.environ.get("https_proxy")
    url = urlparse(proxy or os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    host, port = url.hostname or "huggingface.co", url.port or (443 if url.scheme == "https" else 80)
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        return f"cannot connect to {host}:{port} ({exc.strerror or type(exc).__name__})"
    return None


def _go_offline() -> None:
    # datasets / huggingface_hub read these when imported: cached copies only, no retries. Where
    # they are imported already (a tokenizer was loaded), their module constants are set too.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["HF_DATASETS_OFFLINE"] = "1"
    if "huggingface_hub" in sys.modules:
        sys.modules["huggingface_hub"].constants.HF_HUB_OFFLINE = True
    if "datasets" in sys.modules:
        sys.modules["datasets"].config.HF_HUB_OFFLINE = True
        if hasattr(sys.modules["datasets"].config, "HF_DATASETS_OFFLINE"):
            sys.modules["datasets"].config.HF_DATASETS_OFFLINE = True


def load_eval_problems(config: DecontaminateConfig) -> dict[str, list[str]]:
    """{eval set name: problems}. Missing hub sets are skipped with a warning unless strict."""
    sets: dict[str, list[str]] = {}
    offline: str | None = None
    checked, skipped = False, []
    for name in config.eval_sets:
        path = Path(name)
        local = [Path(config.eval_dir) / f"{name}{ext}" for ext in (".jsonl", ".parquet")] if config.eval_dir else []
        found = next((p for p in local if p.is_file()), None)
        if path.suffix in (".jsonl", ".parquet", ".json") or path.exists():
            sets[path.stem] = _problems_from_file(path)
        elif found:
            sets[name] = _problems_from_file(found)
        elif name in HUB:
            if not checked:
                checked, offline = True, hub_unreachable()
                if offline:
                    _go_offline()
            try:
                sets[name] = _problems_from_hub(name)
            except Exception as exc:  # offline, gated, renamed: say which and go on
                why = (
                    offline
                    or f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:120] if str(exc).strip() else ''}"
                )
                if config.strict:
                    raise DistillError(
                        f"filter.decontaminate: cannot load eval set {name!r} ({HUB[name][0]}): {why}; "
                        "put local copies in filter.decontaminate.eval_dir (<name>.jsonl)"
                    ) from None
                skipped.append(name)
        else:
            raise DistillError(
                f"filter.decontaminate.eval_sets: {name!r} is neither a file nor one of {', '.join(HUB)}"
            )
    if skipped:
        print(
            f"distill filter: warning: eval set(s) {', '.join(skipped)} not loaded ({offline or 'hub error'}); "
            "decontamination runs without them: set filter.decontaminate.eval_dir "
            "to a folder of local copies (<name>.jsonl), or decontaminate.strict: true to stop instead",
            file=sys.stderr,
        )
    return sets


class Index:
    """N-grams of the eval problems -> the eval set they came from."""

    def __init__(self, sets: dict[str, list[str]], n: int):
        self.n = n
        self.grams: dict[str, str] = {}
        self.whole: dict[str, str] = {}
        self.pairs: set[tuple[str, str]] = set()  # adjacent tokens inside some n-gram: see `match`
        for name, problems in sets.items():
            for problem in problems:
                tokens = words(problem)
                if len(tokens) < n:
                    self.whole.setdefault(" ".join(tokens), name)
                else:
                    self.pairs.update(zip(tokens, tokens[1:]))
                for gram in ngrams(tokens, n):
                    self.grams.setdefault(gram, name)

    def __len__(self) -> int:
        return len(self.grams) + len(self.whole)

    def match(self, problem: str) -> tuple[str, str] | None:
        tokens = words(problem)
        whole = " ".join(tokens)
        if whole in self.whole:
            return self.whole[whole], whole
        n = self.n
        if n == 1:
            return next(((self.grams[t], t) for t in tokens if t in self.grams), None)
        # An n-gram of the index has all its n - 1 adjacent pairs in `pairs`, so only where n - 1
        # such pairs run back to back is the n-gram joined and looked up (joining every one cost
        # most of the lookup); left to right, so the first overlap found is the one reported.
        run = 0
        for end, pair in enumerate(zip(tokens, tokens[1:]), start=2):
            run = run + 1 if pair in self.pairs else 0
            if run >= n - 1:
                gram = " ".join(tokens[end - n : end])
                name = self.grams.get(gram)
                if name is not None:
                    return name, gram
        return None


class DecontaminateFilter:
    def __init__(self, index: Index, cache_size: int = 100_000):
        self.index = index
        self.cache_size = cache_size
        self._cache: dict[str, Decision] = {}  # problems repeat once per sample

    def __call__(self, rec: dict[str, Any]) -> Decision:
        problem = rec["problem"]
        if problem in self._cache:
            return self._cache[problem]
        hit = self.index.match(problem)
        decision = Reject(REASON, f"{self.index.n}-gram overlap with {hit[0]}: {hit[1][:80]!r}") if hit else None
        if len(self._cache) >= self.cache_size:  # bounded: prompts arrive grouped, old ones are done
            self._cache.clear()
        self._cache[problem] = decision
        return decision
