"""Loading `package.module:attribute` by name: how registries name what they hold without
importing it, so a registry never imports its users (and no import cycle runs through one)."""

from __future__ import annotations

import importlib
from typing import Any


def load(target: str) -> Any:
    """The attribute `target` ("package.module:attribute") names; ImportError/AttributeError as raised."""
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)
