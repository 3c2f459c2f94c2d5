"""The recipe: one YAML file, one run. Each stage's section is a dataclass in that stage's package.

    seed: 0
    output_dir: runs/toy
    generate: {...}       # distill/generate/config.py
    filter: {...}         # distill/filter/config.py
    train_student: {...}  # distill/train/sft/config.py
    ...

Without a `stages:` list the fixed sections (PIPELINE_STAGES) are the stages, in that order. With
one, the recipe names its stages, each with the command it runs and the section it reads (the
section defaults to the name), so one command may appear several times:

    stages:
      - {name: cold_start, command: train-student}
      - {name: reasoning_rl, command: train-teacher}
    cold_start: {...}                          # a train-student section
    reasoning_rl: {model: ${stages.cold_start}, ...}

Every stage writes to `<output_dir>/<name>` unless its section sets its own `output_dir`;
`${stages.NAME}` is that directory and must name an earlier stage (distill/stage_refs.py).
Stage config modules import only the standard library, so loading a recipe stays fast.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from distill.config import apply_overrides, from_dict, load_yaml, to_dict
from distill.errors import ConfigError
from distill.evaluate.config import EvalConfig
from distill.filter.config import FilterConfig
from distill.generate.config import GenerateConfig
from distill.recipe_stages import StageSpec, parse_stages, resolve_references
from distill.report.config import ReportConfig
from distill.toy.setup_config import ToySetupConfig
from distill.train.grpo.config import GRPOStageConfig
from distill.train.sft.config import StudentConfig

# The stage sections, in the order `distill run` runs them; a recipe runs the stages it has.
# warmup_teacher / warmup_student are SFT runs (train-student) before GRPO; the toy demo uses them
# to bring a random tiny model to a starting competence, as pretraining does for a real model.
# train_on_policy is a train-student run with `method: on_policy`, usually from the SFT student; it
# follows train_baseline so its budget can be matched to the baseline's manifest.
PIPELINE_STAGES = [
    "toy",
    "warmup_teacher",
    "train_teacher",
    "generate",
    "filter",
    "warmup_student",
    "train_student",
    "train_baseline",
    "train_on_policy",
    "eval",
    "report",
]
# The command each fixed section is run by.
FIXED_STAGE_COMMANDS = {
    "toy": "toy setup",
    "warmup_teacher": "train-student",
    "train_teacher": "train-teacher",
    "generate": "generate",
    "filter": "filter",
    "warmup_student": "train-student",
    "train_student": "train-student",
    "train_baseline": "train-baseline",
    "train_on_policy": "train-student",
    "eval": "eval",
    "report": "report",
}
# The section schema of each stage command.
COMMAND_CONFIGS: dict[str, type] = {
    "toy setup": ToySetupConfig,
    "generate": GenerateConfig,
    "filter": FilterConfig,
    "train-student": StudentConfig,
    "train-teacher": GRPOStageConfig,
    "train-baseline": GRPOStageConfig,
    "eval": EvalConfig,
    "report": ReportConfig,
}
assert list(FIXED_STAGE_COMMANDS) == PIPELINE_STAGES


@dataclass
class Recipe:
    seed: int = 0
    output_dir: str = "runs/default"
    stages: list[StageSpec] | None = None
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
    # Sections named by `stages:` beyond the fixed ones, each in its command's schema.
    named: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        from distill import ranges

        ranges.seed("seed", self.seed, optional=False)

    def stage_list(self) -> list[StageSpec]:
        """The stages in order: the `stages:` list, else the fixed sections the recipe has."""
        if self.stages is not None:
            return list(self.stages)
        return [StageSpec(s, FIXED_STAGE_COMMANDS[s], s) for s in PIPELINE_STAGES if getattr(self, s) is not None]

    def stage(self, name: str) -> StageSpec | None:
        return next((s for s in self.stage_list() if s.name == name), None)

    def section_key(self, name: str) -> str:
        """The section a stage reads (its name unless `stages:` says otherwise)."""
        spec = self.stage(name)
        return spec.section if spec is not None else name

    def section_or_none(self, name: str) -> Any:
        key = self.section_key(name)
        if key in self.named:
            return self.named[key]
        return getattr(self, key, None) if key in PIPELINE_STAGES else None

    def section(self, stage: str) -> Any:
        value = self.section_or_none(stage)
        if value is None:
            names = [f"{s.name} ({s.command})" for s in self.stages or []]
            hint = f"; its stages: {', '.join(names)} (pick one with --stage NAME)" if names else ""
            raise ConfigError(
                f"{self.source_file}: this command needs a '{stage}' section, and the recipe has none{hint}"
            )
        return value

    def stage_dir(self, stage: str) -> Path:
        """Output directory of a stage: its own `output_dir` if set, else `<output_dir>/<stage>`."""
        own = getattr(self.section_or_none(stage), "output_dir", None)
        return Path(own) if own else Path(self.output_dir) / stage

    def to_dict(self) -> dict[str, Any]:
        data = to_dict(self)
        data.pop("source_file", None)
        data.pop("named", None)
        if data.get("stages") is None:
            data.pop("stages", None)  # recipes without `stages:` resolve as they did before it existed
        return {**data, **{key: to_dict(value) for key, value in self.named.items()}}

    def section_fingerprint(self, stage: str) -> str | None:
        """Hash of what determines a stage's result: its section plus the seed."""
        section = self.section_or_none(stage)
        if section is None:
            return None
        payload = {"seed": self.seed, self.section_key(stage): to_dict(section)}
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:16]


def load_recipe(path: str | Path, overrides: list[str] | None = None) -> Recipe:
    """Load and strictly validate a recipe file, applying `--set` overrides first."""
    data = load_yaml(path)
    apply_overrides(data, overrides or [])
    return recipe_from_dict(data, file=str(path))


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
    """Build and check a recipe from its mapping: `${output_dir}`, the stages, `${stages.NAME}`."""
    data = interpolate(dict(data), {"output_dir": str(data.get("output_dir", Recipe.output_dir))})
    specs = parse_stages(data, file, COMMAND_CONFIGS, FIXED_STAGE_COMMANDS)
    shorthand = [StageSpec(s, FIXED_STAGE_COMMANDS[s], s) for s in PIPELINE_STAGES if data.get(s) is not None]
    data = resolve_references(data, specs if specs is not None else shorthand, file, Recipe.output_dir)
    named = {s.section: (s.command, data.pop(s.section)) for s in specs or [] if s.section not in PIPELINE_STAGES}
    recipe = from_dict(Recipe, data, file=file)
    recipe.named = {
        key: from_dict(COMMAND_CONFIGS[command], value, file=file, path=key) for key, (command, value) in named.items()
    }
    recipe.source_file = file
    return recipe


def section_key_in(data: dict[str, Any], name: str, file: str = "<recipe>") -> str:
    """The section stage `name` reads in a raw recipe mapping (for commands that edit it from flags)."""
    stages = [e for e in data.get("stages") or [] if isinstance(e, dict)]
    for entry in stages:
        if entry.get("name") == name:
            return str(entry.get("section") or name)
    if stages:
        names = ", ".join(f"{e.get('name')} ({e.get('command')})" for e in stages)
        raise ConfigError(f"{file}: no stage '{name}' in its stages: {names}; pick one with --stage NAME")
    return name


__all__ = [
    "Recipe",
    "StageSpec",
    "PIPELINE_STAGES",
    "COMMAND_CONFIGS",
    "section_key_in",
    "load_recipe",
    "recipe_from_dict",
    "interpolate",
]
