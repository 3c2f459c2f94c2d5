"""Which verifier serves which domain, plus an escape hatch for user verifiers.

Every verifier has the signature `fn(completion, answer, tests=None, **options) -> Verdict`.
`get_verifier("math" | "choice" | "code" | "general")` returns a built-in one; a name with a
colon, `mypkg.module:function`, imports a user function with the same signature.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from functools import cache

from distill.errors import DistillError
from distill.verify.verdict import Verdict

Verifier = Callable[..., Verdict]

BUILTIN = {
    "math": "distill.verify.math:verify_math",
    "choice": "distill.verify.choice:verify_choice",
    "code": "distill.verify.code:verify_code",
    "general": "distill.verify.general:verify_general",
}


@cache
def get_verifier(domain: str) -> Verifier:
    if not isinstance(domain, str) or not domain:
        raise DistillError(f"domain {domain!r}: expected one of {', '.join(BUILTIN)} or 'package.module:function'")
    target = BUILTIN.get(domain, domain)
    if ":" not in target:
        raise DistillError(
            f"unknown domain {domain!r}: expected one of {', '.join(BUILTIN)} or 'package.module:function'"
        )
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise DistillError(f"verifier {domain!r}: cannot import {module_name}: {exc}") from None
    fn = getattr(module, attr, None)
    if not callable(fn):
        raise DistillError(f"verifier {domain!r}: {module_name} has no function {attr!r}")
    return fn


@cache
def option_names(domain: str) -> frozenset[str] | None:
    """Keyword options a verifier accepts (None: it takes **kwargs, anything goes)."""
    params = list(inspect.signature(get_verifier(domain)).parameters.values())
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return None
    positional = [p.name for p in params if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    keyword = [p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY]
    return frozenset(positional[3:] + keyword)  # the first three are (completion, answer, tests)
