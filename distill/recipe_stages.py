"""A recipe's `stages:` list and its `${stages.NAME}` references, checked on the raw YAML mapping.

Each problem is one line naming the key: an unknown command, a name used twice, a section the
recipe lacks, a fixed section no stage runs, a reference to a stage that is unknown or not earlier.
`${stages.NAME}` becomes that stage's output directory before the sections are built, so a
section's fingerprint holds the path it reads, as `${output_dir}/...` does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from distill.config import closest, from_dict
from distill.errors import ConfigError

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")  # a stage name is also a directory name
REF_RE = re.compile(r"\$\{stages\.([^}]*)\}")
RESERVED = ("seed", "output_dir", "stages")


@dataclass
class StageSpec:
    """One entry of `stages:`: the stage's name (its output directory), command and section."""

    name: str
    command: str
    section: str = ""  # defaults to the name


def parse_stages(
    data: dict[str, Any], file: str, command_configs: dict[str, type], fixed_stage_commands: dict[str, str]
) -> list[StageSpec] | None:
    """The validated `stages:` list (each section filled in), or None when the recipe has none.

    The command and fixed-section tables come from the caller (distill.recipe), so this module
    imports nothing of the recipe that imports it."""
    COMMAND_CONFIGS, FIXED_STAGE_COMMANDS = command_configs, fixed_stage_commands
    if data.get("stages") is None:
        return None
    specs = from_dict(list[StageSpec], data["stages"], file=file, path="stages")
    names: dict[str, int] = {}
    sections: dict[str, int] = {}
    for i, spec in enumerate(specs):
        where = f"{file}: key 'stages[{i}]"
        spec.section = spec.section or spec.name
        _check_name(spec.name, names, where)
        _check_command(spec.command, list(COMMAND_CONFIGS), where)
        _check_section(spec, data, sections, where)
        fixed = FIXED_STAGE_COMMANDS.get(spec.section)
        if fixed is not None and COMMAND_CONFIGS[fixed] is not COMMAND_CONFIGS[spec.command]:
            raise ConfigError(
                f"{where}.command': section '{spec.section}' is a {fixed} section, "
                f"not a {spec.command} one; give this stage a section of its own"
            )
        names[spec.name], sections[spec.section] = i, i
    for key in FIXED_STAGE_COMMANDS:
        if data.get(key) is not None and key not in sections:
            raise ConfigError(
                f"{file}: key '{key}': no stage in 'stages:' reads this section; add a stage for it or remove it"
            )
    data["stages"] = [{"name": s.name, "command": s.command, "section": s.section} for s in specs]
    return specs


def _check_name(name: str, names: dict[str, int], where: str) -> None:
    if not NAME_RE.match(name):
        raise ConfigError(f"{where}.name': {name!r} is not a stage name (letters, digits, '_' and '-')")
    if name in names:
        raise ConfigError(f"{where}.name': stage '{name}' is named twice (also stages[{names[name]}])")


def _check_command(command: str, commands: list[str], where: str) -> None:
    if command not in commands:
        hint = closest(command, commands)
        extra = f"; did you mean '{hint}'?" if hint else f"; one of: {', '.join(commands)}"
        raise ConfigError(f"{where}.command': {command!r} is not a stage command{extra}")


def _check_section(spec: Any, data: dict[str, Any], sections: dict[str, int], where: str) -> None:
    if spec.section in RESERVED:
        raise ConfigError(f"{where}.section': '{spec.section}' is a top-level key, not a section")
    if spec.section not in data:
        raise ConfigError(f"{where}.section': the recipe has no section '{spec.section}' for stage '{spec.name}'")
    if spec.section in sections:
        raise ConfigError(
            f"{where}.section': section '{spec.section}' is read by stages[{sections[spec.section]}] "
            f"too; two stages would share one fingerprint"
        )


def stage_dirs(data: dict[str, Any], specs: list, default_root: str) -> dict[str, str]:
    """Each stage's output directory, from the raw mapping: its section's output_dir, else <output_dir>/<name>."""
    root = str(data.get("output_dir", default_root))
    dirs = {}
    for spec in specs:
        section = data.get(spec.section)
        own = section.get("output_dir") if isinstance(section, dict) else None
        dirs[spec.name] = str(Path(own) if isinstance(own, str) and own else Path(root) / spec.name)
    return dirs


def resolve_references(data: dict[str, Any], specs: list, file: str, default_root: str) -> dict[str, Any]:
    """`${stages.NAME}` -> that stage's output directory, each naming a stage before the one it is in."""
    order = {spec.name: i for i, spec in enumerate(specs)}
    owner = {spec.section: spec.name for spec in specs}
    dirs = stage_dirs(data, specs, default_root)
    for key, value in data.items():
        for path, ref in _references(value, str(key)):
            _check_reference(ref, owner.get(str(key)), order, f"{file}: key '{path}'")
    return {k: _substitute(v, dirs) for k, v in data.items()}


def _check_reference(ref: str, stage: str | None, order: dict[str, int], where: str) -> None:
    if ref not in order:
        hint = closest(ref, list(order))
        extra = f"; did you mean '{hint}'?" if hint else f"; the stages: {', '.join(order) or 'none'}"
        raise ConfigError(f"{where}: ${{stages.{ref}}} names no stage{extra}")
    if stage is None:
        raise ConfigError(f"{where}: ${{stages.{ref}}} is allowed only inside a stage's section")
    if order[ref] >= order[stage]:
        raise ConfigError(
            f"{where}: ${{stages.{ref}}} is not an earlier stage than '{stage}'; "
            f"a stage reads only the outputs of stages before it"
        )


def _references(value: Any, path: str):
    """(key path, NAME) for every `${stages.NAME}` in a value."""
    if isinstance(value, str):
        for match in REF_RE.finditer(value):
            yield path, match.group(1)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _references(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _references(v, f"{path}[{i}]")


def _substitute(value: Any, dirs: dict[str, str]) -> Any:
    if isinstance(value, str):
        return REF_RE.sub(lambda m: dirs[m.group(1)], value)
    if isinstance(value, dict):
        return {k: _substitute(v, dirs) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, dirs) for v in value]
    return value
