"""Recipe section `filter:` for `distill filter`. Standard library only: recipes load without heavy imports.

    filter:
      sources:                       # default: one source, the generate stage's output
        - name: reasoning
          path: runs/r1/generate
          quota: 600000
        - name: openr1
          path: data/OpenR1-Math-220k/data           # a published layout: every generation is a trace
          format: openr1_math                        # (detected from the columns when not given)
        - name: general
          path: data/chat.jsonl
          columns: {problem: prompt, completion: response}
          defaults: {domain: general}
          quota: 200000
      target_size: 800000
      strict: false                  # true: a quota that cannot be met fails the run
      selection: {k: 4, policy: random}
      language: {target: en}
      decontaminate: {eval_sets: [aime24, aime25, math500, gpqa_diamond]}

Every filter is on by default with R1-like settings; `enabled: false` turns one off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from distill import ranges
from distill.core.domains import DOMAINS
from distill.core.trace import TRACE_FIELDS  # a source's `columns` maps these to its own names


@dataclass
class TraceSourceConfig:
    path: str | list[str]  # JSONL/Parquet file(s) or directories
    name: str | None = None  # default: the file's stem; shown in the report and the `source` column
    columns: dict[str, str] = field(default_factory=dict)  # trace field -> this source's column name
    defaults: dict[str, str] = field(default_factory=dict)  # values for fields the source lacks, e.g. domain: general
    quota: int | None = None  # rows to take from this source into the mixture; None = all that pass
    # The input's layout (distill/formats/, docs/data.md): openr1_math, sharegpt, s1k, chat, trace;
    # None: detected from the first row's columns, unless `columns` is given (then: trace).
    format: str | None = None
    domain_map: dict[str, str] = field(
        default_factory=dict
    )  # the input's domain names -> ours, e.g. {science: general}

    def __post_init__(self) -> None:
        from distill import formats
        from distill.formats.domains import check_map

        if self.format is not None:
            formats.get(self.format, "traces")
            if self.format != "trace" and (self.columns or self.defaults):
                raise ValueError(
                    f"columns/defaults apply to format 'trace'; format {self.format!r} reads its own columns"
                )
        check_map(self.domain_map, "filter.sources[]")
        for key in list(self.columns) + list(self.defaults):
            if key not in TRACE_FIELDS:
                raise ValueError(f"unknown trace field '{key}' in columns/defaults; fields: {', '.join(TRACE_FIELDS)}")
        if self.defaults.get("domain") not in (None, *DOMAINS):
            raise ValueError(f"defaults.domain must be one of {', '.join(DOMAINS)}")
        if self.quota is not None and self.quota < 0:
            raise ValueError("quota must be >= 0")
        if self.name is not None:  # it becomes row ids and the report's source names
            ranges.name("name", self.name)

    @property
    def paths(self) -> list[str]:
        """`path` as a list: a recipe may name one file or folder, or several."""
        return self.path if isinstance(self.path, list) else [self.path]


@dataclass
class FormatConfig:
    enabled: bool = True
    # Generation often forces the `<think>\n` prefix into the prompt, so the completion starts inside
    # the thought; accept a completion without the opening tag if it has exactly one `</think>`.
    allow_forced_prefix: bool = True
    # General (chat) data may come without a thought; R1 kept such answers without CoT.
    general_requires_think: bool = False


@dataclass
class ToggleConfig:
    enabled: bool = True


@dataclass
class CorrectnessConfig:
    enabled: bool = True
    # Math verdicts depend only on the reference and the extraction's outcome (DESIGN.md, answer
    # extraction: `distill.verify.math.cache_key`): samples of one prompt mostly agree, so a verdict
    # is computed once per key. Turn off to call the verifier on every record.
    cache: bool = True


@dataclass
class LengthConfig:
    enabled: bool = True
    min_tokens: int = 1
    max_tokens: int = 32768  # R1's generation budget
    tokenizer: str | None = None  # the student's tokenizer (path/hub id); None = the record's completion_tokens

    def __post_init__(self) -> None:
        if self.min_tokens < 0 or self.max_tokens < self.min_tokens:
            raise ValueError("need 0 <= min_tokens <= max_tokens")


@dataclass
class LanguageConfig:
    enabled: bool = True
    target: Literal["en", "zh"] = "en"
    # Largest share of letters in another script; None = 0.01 for en, 0.15 for zh (Chinese math
    # text uses Latin words and variable names outside $...$ more often).
    max_other_share: float | None = None
    min_letters: int = 20  # below this many letters the share is noise; pass

    def __post_init__(self) -> None:
        ranges.probability("language.max_other_share", self.max_other_share, optional=True)
        ranges.count("language.min_letters", self.min_letters, minimum=0)


@dataclass
class RepetitionConfig:
    enabled: bool = True
    tail_chars: int = 4000  # look at the end of the completion, where loops live
    min_zlib_ratio: float = 0.12  # compressed/original of the tail; prose is ~0.3-0.45, a loop < 0.1
    max_line_share: float = 0.5  # one repeated line filling more than this share of the tail
    min_line_repeats: int = 8  # ...and repeated at least this often

    def __post_init__(self) -> None:
        ranges.count("repetition.tail_chars", self.tail_chars)
        ranges.probability("repetition.min_zlib_ratio", self.min_zlib_ratio)
        ranges.probability("repetition.max_line_share", self.max_line_share)
        ranges.count("repetition.min_line_repeats", self.min_line_repeats)


@dataclass
class DedupConfig:
    enabled: bool = True
    exact: bool = True  # identical completions (hash)
    near_completions: bool = True  # MinHash/LSH over word shingles of the completion
    near_problems: bool = True  # different prompt ids with near-identical problems
    threshold: float = 0.8  # estimated Jaccard similarity at or above which two texts are duplicates
    shingle: int = 5  # words per shingle
    num_perm: int = 64
    bands: int = 8  # LSH bands (num_perm must be divisible by bands)

    def __post_init__(self) -> None:
        ranges.count("dedup.shingle", self.shingle)
        ranges.count("dedup.num_perm", self.num_perm)
        ranges.count("dedup.bands", self.bands)
        if self.num_perm % self.bands:
            raise ValueError("dedup.num_perm must be divisible by dedup.bands")
        if not 0 < self.threshold <= 1:
            raise ValueError("dedup.threshold must be in (0, 1]")


@dataclass
class DecontaminateConfig:
    enabled: bool = True
    # Names (aime24, aime25, math500, gpqa_diamond: hub ids as `distill eval` uses them) or local
    # JSONL/Parquet files with a `problem` or `Question` column.
    eval_sets: list[str] = field(default_factory=lambda: ["aime24", "aime25", "math500", "gpqa_diamond"])
    eval_dir: str | None = None  # a folder with <name>.jsonl/.parquet copies, tried before the hub
    ngram: int = 8  # words per n-gram (normalized: lowercased, punctuation -> space)
    # A name whose hub copy cannot be loaded (offline) is skipped with a warning, unless strict.
    strict: bool = False

    def __post_init__(self) -> None:
        ranges.count("decontaminate.ngram", self.ngram)


@dataclass
class SelectionConfig:
    enabled: bool = True
    k: int = 4  # correct samples kept per prompt
    policy: Literal["first", "shortest", "random"] = "random"

    def __post_init__(self) -> None:
        if self.k < 1:
            raise ValueError("selection.k must be >= 1")


@dataclass
class FilterConfig:
    # Sources of traces; empty = the generate stage's output (`<output_dir>/generate`).
    sources: list[TraceSourceConfig] = field(default_factory=list)
    target_size: int | None = None  # total rows wanted; must equal the sum of quotas when both are set
    strict: bool = False  # a quota shortfall fails the run instead of only being reported
    format: FormatConfig = field(default_factory=FormatConfig)
    truncated: ToggleConfig = field(default_factory=ToggleConfig)
    correctness: CorrectnessConfig = field(default_factory=CorrectnessConfig)
    length: LengthConfig = field(default_factory=LengthConfig)
    language: LanguageConfig = field(default_factory=LanguageConfig)
    repetition: RepetitionConfig = field(default_factory=RepetitionConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    decontaminate: DecontaminateConfig = field(default_factory=DecontaminateConfig)
    selection: SelectionConfig = field(default_factory=SelectionConfig)
    workers: int = 0  # processes for record-level filters; 0 = one per CPU
    chunk_size: int = 256  # rows per work item
    shard_rows: int = 50000  # rows per output Parquet shard
    rejects_full: bool = True  # rejects.jsonl holds whole rows; false = metadata and reason only
    plots: bool = True
    output_dir: str | None = None

    def __post_init__(self) -> None:
        ranges.count("target_size", self.target_size, optional=True)
        quotas = [s.quota for s in self.sources]
        if self.target_size is not None and quotas and all(q is not None for q in quotas):
            total = sum(q for q in quotas if q is not None)  # every quota is set here
            if total != self.target_size:
                raise ValueError(f"target_size {self.target_size} != sum of source quotas {total}")
        names = [s.name for s in self.sources if s.name]
        if len(names) != len(set(names)):
            raise ValueError("source names must be unique")
        if self.workers < 0 or self.chunk_size < 1 or self.shard_rows < 1:
            raise ValueError("workers >= 0, chunk_size >= 1 and shard_rows >= 1")
