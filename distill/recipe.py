"""The recipe: one YAML file, one run. Each stage's section is a dataclass in that stage's package.

    seed: 0
    output_dir: runs/toy
    generate: {...}       # distill/generate/config.py
    filter: {...}         # distill/filter/config.py
    train_student: {...}  # distill/train/sft_config.py
    ...

Every stage writes to `<output_dir>/<stage>` unless its section sets its own `output_dir`.
Stage config modules import only the standard library, so loading a recipe stays fast.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from distill.config import apply_overrides, from_dict, load_yaml, to_dict
from distill.evaluate.config import EvalConfig
from distill.filter.config import FilterConfig
from distill.generate.config import GenerateConfig
from distill.report.config import ReportConfig
from distill.toy.setup_config import ToySetupConfig
from distill.train.grpo_config import GRPOStageConfig
from distill.train.sft_config import StudentConfig

# The stage sections, in the order `distill run` runs them; a recipe runs the stages it has.
# warmup_teacher / warmup_student are SFT runs (train-student) before GRPO; the toy demo uses them
# to bring a random tiny model to a starting competence, as pretraining does for a real model.
# train_on_policy is a train-student run with `method: on_policy`, usually from the SFT student; it
# follows train_baseline so its budget can be matched to the baseline's manifest.
PIPELINE_STAGES = [
    "toy", "warmup_teacher", "train_teacher", "generate", "filter",
    "warmup_student", "train_student", "train_baseline", "train_on_policy", "eval", "report",
]


@dataclass
class Recipe:
    seed: int = 0
    output_dir: str = "runs/default"
    toy: ToySetupConfig | None = None
    warmup_teacher: StudentConfig | None = None
    train_teacher: GRPOStageConfig | None = None
    generate: GenerateConfig | None = None
    filter: FilterConfig | None = None
    warmup_student: StudentConfig | None = None
    train_student: StudentConfig | None = None
    train_baseline: GRPOStageConfig | None = None
    train_on_policy: StudentConfig | None = None
    eval: EvalConfig | None = None
    report: ReportConfig | None = None
    # Where the recipe was read from; not a YAML key.
    source_file: str = field(default="<recipe>", init=False, repr=False)

    def __post_init__(self) -> None:
        from distill import ranges

        ranges.seed("seed", self.seed, optional=False)

    def section(self, stage: str) -> Any:
        value = getattr(self, stage)
        if value is None:
            from distill.errors import ConfigError

            raise ConfigError(f"{self.source_file}: this command needs a '{stage}' section, and the recipe has none")
        return value

    def stage_dir(self, stage: str) -> Path:
        """Output directory of a stage: its own `output_dir` if set, else `<output_dir>/<stage>`."""
        own = getattr(getattr(self, stage, None), "output_dir", None)
        return Path(own) if own else Path(self.output_dir) / stage

    def to_dict(self) -> dict[str, Any]:
        data = to_dict(self)
        data.pop("source_file", None)
        return data

    def section_fingerprint(self, stage: str) -> str:
        """Hash of what determines a stage's result: its section plus the seed."""
        payload = {"seed": self.seed, stage: to_dict(getattr(self, stage))}
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:16]


def load_recipe(path: str | Path, overrides: list[str] | None = None) -> Recipe:
    """Load and strictly validate a recipe file, applying `--set` overrides first."""
    data = load_yaml(path)
    apply_overrides(data, overrides or [])
    data = interpolate(data, {"output_dir": str(data.get("output_dir", Recipe.output_dir))})
    recipe = from_dict(Recipe, data, file=str(path))
    recipe.source_file = str(path)
    return recipe


def interpolate(value: Any, variables: dict[str, str]) -> Any:
    """Replace `${name}` in every string, so sections can point at other stages' outputs:
    `model: ${output_dir}/warmup_teacher`."""
    if isinstance(value, str):
        for name, replacement in variables.items():
            value = value.replace("${" + name + "}", replacement)
        return value
    if isinstance(value, dict):
        return {k: interpolate(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, variables) for v in value]
    return value


def recipe_from_dict(data: dict[str, Any], file: str = "<recipe>") -> Recipe:
    recipe = from_dict(Recipe, dict(data), file=file)
    recipe.source_file = file
    return recipe


__all__ = ["Recipe", "PIPELINE_STAGES", "load_recipe", "recipe_from_dict", "interpolate"]
