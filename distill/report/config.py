"""Recipe section for `distill report`: which eval results to put side by side, and what else to show.

    report:
      results:                       # {row name: eval result dir}, in table order
        base: runs/base/eval/base
        distilled: runs/toy/eval/student
        rl_baseline: runs/toy/eval/baseline
        teacher: runs/toy/eval/teacher
      funnel: runs/toy/filter        # a filter output dir (its funnel.json), optional
      training: {student: runs/toy/train_student, baseline: runs/toy/train_baseline}
      compute:                       # {row name: [stage dirs whose manifests give its compute]}
        distilled: [runs/toy/generate, runs/toy/train_student]
        rl_baseline: [runs/toy/train_baseline]
      compare:                       # {label: [model, reference]}: paired pass@1 differences
        distilled vs base: [distilled, base]

Empty `results`: the recipe's own eval stage directory. Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ReportConfig:
    output_dir: str | None = None
    results: dict[str, str] = field(default_factory=dict)
    funnel: str | None = None
    training: dict[str, str] = field(default_factory=dict)
    compute: dict[str, list[str]] = field(default_factory=dict)
    compare: dict[str, list[str]] = field(default_factory=dict)
    title: str = "distill report"

    def __post_init__(self) -> None:
        for label, pair in self.compare.items():
            if not isinstance(pair, list) or len(pair) != 2:
                raise ValueError(f"compare.{label}: expected [model, reference], two row names of results")
