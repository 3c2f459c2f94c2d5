"""Fields of a library's config dataclass read from its source, without importing the library.

`distill validate` checks pass-through sections (`train_student.sft` → trl.SFTConfig, `grpo` →
trl.GRPOConfig, `lora` → peft.LoraConfig) against the installed library's own fields. Importing TRL
to list them costs ~6 CPU-seconds (it pulls in torch, transformers, peft, sklearn); parsing the few
source files that define the class and its bases takes milliseconds, and stays true to whatever
version is installed. Where the source cannot be followed (a compiled module, an unexpected
layout), the class is imported instead: slower, never wrong.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib.util
import typing
from functools import cache
from pathlib import Path

SIMPLE_TYPES = {"int": int, "float": float, "bool": bool, "str": str}


def config_fields(module: str, name: str) -> dict[str, type | None]:
    """{field name: int/float/bool/str when the annotation is exactly that, else None}, init fields only."""
    try:
        found = _class_fields(module, name, 0)
    except (OSError, SyntaxError, ValueError):
        found = None
    return found if found is not None else _imported_fields(module, name)


def _imported_fields(module: str, name: str) -> dict[str, type | None]:
    cls = getattr(importlib.import_module(module), name)
    hints = typing.get_type_hints(cls)
    return {
        f.name: (hints.get(f.name) if hints.get(f.name) in SIMPLE_TYPES.values() else None)
        for f in dataclasses.fields(cls)
        if f.init
    }


@cache
def _parse(module: str) -> tuple[ast.Module, bool] | None:
    path = _source(module)
    if path is None:
        return None
    return ast.parse(path.read_text(encoding="utf-8")), path.name == "__init__.py"


def _source(module: str) -> Path | None:
    top, *rest = module.split(".")
    spec = importlib.util.find_spec(top)  # a top-level name: nothing is imported
    if spec is None or not spec.origin or not spec.submodule_search_locations:
        return None
    base = Path(spec.origin).parent.joinpath(*rest)
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _class_fields(module: str, name: str, depth: int) -> dict[str, type | None] | None:
    if depth > 8:
        return None
    parsed = _parse(module)
    if parsed is None:
        return None
    tree, is_package = parsed
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return _fields_of(module, node, is_package, depth)
    origin = _imported_from(module, tree, name, is_package)
    return _class_fields(origin, name, depth + 1) if origin else None


def _fields_of(module: str, node: ast.ClassDef, is_package: bool, depth: int) -> dict[str, type | None] | None:
    fields: dict[str, type | None] = {}
    tree, _ = _parse(module)  # type: ignore[misc]
    for base in reversed(node.bases):
        if not isinstance(base, ast.Name) or base.id in ("object", "Generic"):
            continue
        inherited = _class_fields(module, base.id, depth + 1) if _defines(tree, base.id) else None
        if inherited is None:
            origin = _imported_from(module, tree, base.id, is_package)
            inherited = _class_fields(origin, base.id, depth + 1) if origin else None
        if inherited is None:
            return None
        fields.update(inherited)
    for stmt in node.body:
        if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
            continue
        annotation = ast.unparse(stmt.annotation).strip("'\"")
        if annotation.startswith(("ClassVar", "typing.ClassVar", "InitVar")) or _no_init(stmt.value):
            fields.pop(stmt.target.id, None)
            continue
        fields[stmt.target.id] = SIMPLE_TYPES.get(annotation)
    return fields


def _defines(tree: ast.Module, name: str) -> bool:
    return any(isinstance(n, ast.ClassDef) and n.name == name for n in tree.body)


def _no_init(value: ast.expr | None) -> bool:
    return (
        isinstance(value, ast.Call)
        and getattr(value.func, "id", getattr(value.func, "attr", "")) == "field"
        and any(
            k.arg == "init" and isinstance(k.value, ast.Constant) and k.value.value is False for k in value.keywords
        )
    )


def _imported_from(module: str, tree: ast.Module, name: str, is_package: bool) -> str | None:
    """The module `name` comes from: a `from X import name`, or a lazy package's _import_structure."""
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and any((a.asname or a.name) == name for a in node.names):
            return _absolute(module, node.module or "", node.level, is_package)
    for sub in ast.walk(tree):  # transformers: _import_structure = {"training_args": ["TrainingArguments"], ...}
        if isinstance(sub, ast.Dict):
            for key, value in zip(sub.keys, sub.values):
                if (
                    isinstance(key, ast.Constant)
                    and isinstance(key.value, str)
                    and isinstance(value, ast.List)
                    and any(isinstance(e, ast.Constant) and e.value == name for e in value.elts)
                ):
                    return f"{module}.{key.value}" if is_package else None
    return None


def _absolute(module: str, target: str, level: int, is_package: bool) -> str:
    if level == 0:
        return target
    parts = module.split(".")
    package = parts if is_package else parts[:-1]
    package = package[: len(package) - (level - 1)]
    return ".".join(package + ([target] if target else []))


def check_passthrough(
    options: dict, module: str, name: str, *, file: str, path: str, reserved: tuple[str, ...] = ()
) -> None:
    """`distill.config.check_passthrough` against `module.name` read from source (see the module doc)."""
    from distill.config import ConfigError, _convert, unknown_key_error

    fields = config_fields(module, name)
    for key in options:
        if key in reserved:
            raise ConfigError(f"{file}: key '{path}.{key}' is set by distill from the recipe; remove it")
        if key not in fields:
            raise unknown_key_error(file, path, key, list(fields))
    for key, value in options.items():
        expected = fields.get(key)
        if expected is not None and value is not None:
            _convert(expected, value, file, f"{path}.{key}")
