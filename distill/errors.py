"""Errors a user can act on. The CLI prints them as one line and exits non-zero, no traceback."""


class DistillError(Exception):
    """A problem with the user's input or environment, stated in one line."""

    exit_code = 2


class ConfigError(DistillError):
    """A recipe problem: names the file, the key path and what was expected."""


class MissingExtraError(DistillError):
    """An optional dependency is not installed."""

    def __init__(self, package: str, extra: str, purpose: str):
        super().__init__(f"{purpose} needs {package}, which is not installed: pip install 'distill[{extra}]'")


def require(module: str, extra: str, purpose: str):
    """Import an optional heavy dependency, or raise a message naming the extra to install."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(module.split(".")[0], extra, purpose) from None
