"""Strict recipe loading: YAML -> typed dataclasses.

A recipe is one YAML file that fully describes one run. Loading is strict so that a typo never
silently falls back to a default: an unknown key, a wrong type or a missing required value raises
`ConfigError` with one line naming the file, the key path and what was expected.

The loader is generic over dataclasses; the recipe's shape lives in `distill/recipe.py` and each
stage's section in that stage's package. Supported field types: str, int, float, bool, Any,
Optional[X], X | None, list[X], dict[str, X], Literal[...], and nested dataclasses.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin

import yaml

from distill.errors import ConfigError

T = TypeVar("T")


# Bounds on what a recipe may be: recipes are a few KB, nested a few levels. A file past these is
# refused in one line, never expanded (a YAML alias bomb, "billion laughs", is a few hundred bytes
# that expand exponentially), recursed into (10,000-deep nesting) or looped over (`&a [*a]`).
MAX_RECIPE_BYTES = 4 << 20
MAX_DEPTH = 64  # nesting of mappings and lists
MAX_NODES = 200_000  # values after every alias is expanded
MAX_INT_DIGITS = 30  # an integer literal longer than this is no count, seed or size


def load_yaml(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping; syntax errors name the file and line. Bounded: see MAX_* above."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: recipe file not found")
    size = path.stat().st_size
    if size > MAX_RECIPE_BYTES:
        raise ConfigError(f"{path}: {size} bytes; a recipe is at most {MAX_RECIPE_BYTES} bytes")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{path}: line {line}: not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        ) from None
    data = parse_yaml(text, str(path))
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of keys at the top, got {type(data).__name__}")
    return data


def parse_yaml(text: str, source: str) -> Any:
    """yaml.safe_load with the bounds above; every problem is one ConfigError naming `source`."""
    loader = _BoundedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_graph(node)
        return loader.construct_document(node)
    except (ValueError, OverflowError) as exc:  # e.g. a timestamp 2024-02-30
        raise ConfigError(f"{source}: invalid YAML value: {str(exc).splitlines()[0]}") from None
    except _TooBig as exc:
        raise ConfigError(f"{source}:{_where(exc.mark)}: {exc.args[0]}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{source}:{_where(mark)}: invalid YAML: {problem}") from None
    finally:
        loader.dispose()


def _where(mark) -> str:
    return f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""


class _TooBig(Exception):
    def __init__(self, message: str, mark=None):
        super().__init__(message)
        self.mark = mark


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that refuses deep nesting while composing (the composer recurses per level)
    and huge integer literals while constructing (int() of 5,000 digits is an error in Python)."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooBig(f"nested deeper than {MAX_DEPTH} levels", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_yaml_int(self, node):
        digits = sum(ch.isdigit() for ch in node.value)
        if digits > MAX_INT_DIGITS:
            raise _TooBig(f"an integer of {digits} digits (at most {MAX_INT_DIGITS})", node.start_mark)
        return super().construct_yaml_int(node)


_BoundedLoader.add_constructor("tag:yaml.org,2002:int", _BoundedLoader.construct_yaml_int)


def _check_graph(root) -> None:
    """Refuse a node graph whose aliases loop back (`&a [*a]`) or expand past MAX_NODES.

    Aliases make the graph a DAG that may share a node many times; its expanded size is summed
    bottom-up with one visit per distinct node, so a billion-laughs file is measured in
    microseconds and never expanded."""
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = _children(node)
        if done:
            on_path.discard(key)
            size[key] = 1 + sum(size[id(child)] for child in children)
            if size[key] > MAX_NODES:
                raise _TooBig(f"expands to more than {MAX_NODES} values (YAML aliases?)", node.start_mark)
            continue
        if key in size:
            continue
        if key in on_path:
            raise _TooBig("an alias refers to a node that contains it (a self-referencing anchor)", node.start_mark)
        on_path.add(key)
        stack.append((node, True))
        for child in children:
            if id(child) in on_path:
                raise _TooBig(
                    "an alias refers to a node that contains it (a self-referencing anchor)", child.start_mark
                )
            if id(child) not in size:
                stack.append((child, False))


def _children(node) -> list:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    return []


def apply_overrides(data: dict[str, Any], overrides: list[str], source: str = "--set") -> dict[str, Any]:
    """Apply `a.b.c=value` overrides; the value is parsed as YAML (so 3 is int, true is bool)."""
    for item in overrides:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"{source} {item!r}: expected KEY=VALUE, e.g. generate.num_samples=4")
        try:
            value = parse_yaml(raw, f"{source} {key}") if raw != "" else ""
        except ConfigError as exc:
            if "invalid YAML" not in str(exc):
                raise  # bounded, not merely unparsable: refuse it rather than take it as text
            value = raw
        node = data
        parts = key.split(".")
        for part in parts[:-1]:
            child = node.get(part)
            if child is None:
                child = node[part] = {}
            if not isinstance(child, dict):
                raise ConfigError(f"{source} {item!r}: '{part}' is not a section")
            node = child
        node[parts[-1]] = value
    return data


def from_dict(cls: type[T], data: Any, *, file: str = "<recipe>", path: str = "") -> T:
    """Build dataclass `cls` from a plain mapping, checking every key and type."""
    return _convert(cls, data, file, path)


def to_dict(obj: Any) -> Any:
    """The plain (YAML-serialisable) form of a config dataclass."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [to_dict(v) for v in obj]
    if isinstance(obj, dict):
        return {k: to_dict(v) for k, v in obj.items()}
    return obj


def closest(name: str, options: list[str]) -> str | None:
    match = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    return match[0] if match else None


def unknown_key_error(file: str, path: str, key: str, options: list[str]) -> ConfigError:
    full = _clip(f"{path}.{key}" if path else key)
    hint = closest(key, options)
    suggestion = f"; did you mean '{hint}'?" if hint else f"; valid keys: {', '.join(sorted(options))}"
    return ConfigError(f"{file}: unknown key '{full}'{suggestion}")


def _clip(text: str, limit: int = 80) -> str:
    """A value or key as it goes into a one-line message: a 5,000-character one is cut."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{type(value).__name__} {text}"


def _type_name(tp: Any) -> str:
    origin = get_origin(tp)
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in get_args(tp))
    if dataclasses.is_dataclass(tp):
        return "a mapping"
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in get_args(tp))
    if origin is list:
        return "a list"
    if origin is dict:
        return "a mapping"
    return getattr(tp, "__name__", str(tp))


def _convert(tp: Any, value: Any, file: str, path: str) -> Any:
    where = f"{file}: key '{path}'" if path else file
    if tp is Any:
        return value
    origin = get_origin(tp)

    if origin in (typing.Union, types.UnionType):
        options = get_args(tp)
        if value is None and type(None) in options:
            return None
        errors = []
        for option in options:
            if option is type(None):
                continue
            try:
                return _convert(option, value, file, path)
            except ConfigError as exc:
                errors.append(exc)
        if len(errors) == 1:
            raise errors[0]
        raise ConfigError(f"{where}: expected {_type_name(tp)}, got {_describe(value)}")

    if origin is Literal:
        allowed = get_args(tp)
        if value not in allowed:
            hint = closest(str(value), [str(a) for a in allowed]) if isinstance(value, str) else None
            extra = f"; did you mean '{hint}'?" if hint else ""
            raise ConfigError(f"{where}: expected {_type_name(tp)}, got {_clip(repr(value))}{extra}")
        return value

    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a mapping, got {_describe(value)}")
        return _build_dataclass(tp, value, file, path)

    if origin is list:
        (item_type,) = get_args(tp) or (Any,)
        if not isinstance(value, list):
            raise ConfigError(f"{where}: expected a list, got {_describe(value)}")
        return [_convert(item_type, v, file, f"{path}[{i}]") for i, v in enumerate(value)]

    if origin is dict:
        key_type, item_type = get_args(tp) or (str, Any)
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a mapping, got {_describe(value)}")
        return {str(k): _convert(item_type, v, file, f"{path}.{k}" if path else str(k)) for k, v in value.items()}

    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {_describe(value)}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: expected an integer, got {_describe(value)}")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where}: expected a number, got {_describe(value)}")
        try:
            return float(value)
        except OverflowError:
            raise ConfigError(f"{where}: expected a number, got an integer too large for one") from None
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected a string, got {_describe(value)}")
        return value
    if isinstance(tp, type) and isinstance(value, tp):
        return value
    raise ConfigError(f"{where}: expected {_type_name(tp)}, got {_describe(value)}")


def _build_dataclass(cls: Any, data: dict[str, Any], file: str, path: str) -> Any:
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    for key in data:
        if key not in fields:
            raise unknown_key_error(file, path, str(key), list(fields))
    kwargs = {}
    for name, field in fields.items():
        key_path = f"{path}.{name}" if path else name
        if name in data:
            kwargs[name] = _convert(hints[name], data[name], file, key_path)
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise ConfigError(f"{file}: missing required key '{key_path}' ({_type_name(hints[name])})")
    try:
        return cls(**kwargs)
    except (ValueError, TypeError) as exc:  # __post_init__ checks raise these
        text = " ".join(str(exc).split())  # one line, and a 5,000-character value is not echoed whole
        text = text if len(text) <= 300 else text[:297] + "..."
        raise ConfigError(f"{file}: section '{path or '<top>'}': {text}") from None


def check_passthrough(
    options: dict[str, Any], config_cls: Any, *, file: str, path: str, reserved: tuple[str, ...] = ()
) -> None:
    """Check a section that passes straight through to a library's config class (e.g. TRL's SFTConfig).

    Every key must be a field of `config_cls` (typos get the closest field), keys that distill sets
    itself (`reserved`) are refused, and the values must be accepted by the class's own checks.
    """
    names = [f.name for f in dataclasses.fields(config_cls) if f.init]
    for key in options:
        if key in reserved:
            raise ConfigError(f"{file}: key '{path}.{key}' is set by distill from the recipe; remove it")
        if key not in names:
            raise unknown_key_error(file, path, key, names)
    hints = typing.get_type_hints(config_cls)
    for key, value in options.items():
        expected = hints.get(key)
        if expected in (int, float, bool, str) and value is not None:
            _convert(expected, value, file, f"{path}.{key}")
