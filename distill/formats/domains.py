"""Domains: distill verifies `math`, `choice`, `code` and `general`; datasets name theirs freely.

A name is resolved in this order: the recipe's `domain_map` (e.g. `{science: choice}`); ours as is;
the adapter's own defaults (s1K's `crossword` is free text: `general`); a few unambiguous aliases.
Anything else is a Bad row whose reason names the fix, never a stopped run or a silent guess.
"""

from __future__ import annotations

from distill.core.domains import DOMAINS
from distill.formats.base import Bad

ALIASES = {
    "mathematics": "math",
    "maths": "math",
    "coding": "code",
    "programming": "code",
    "multiple_choice": "choice",
    "mcq": "choice",
    "chat": "general",
}


def check_map(domain_map: dict[str, str], where: str) -> None:
    for name, target in domain_map.items():
        if target not in DOMAINS:
            raise ValueError(f"{where}.domain_map.{name}: {target!r} is not one of {', '.join(DOMAINS)}")


def resolve(name: str, domain_map: dict[str, str] | None = None, defaults: dict[str, str] | None = None) -> str:
    if not isinstance(name, str):
        raise Bad(f"domain: expected a string, got {type(name).__name__}")
    if domain_map and name in domain_map:
        return domain_map[name]
    if name in DOMAINS:
        return name
    for table in (defaults or {}, ALIASES):
        if name in table:
            return table[name]
        if name.lower() in table:
            return table[name.lower()]
    raise Bad(
        f"domain {name!r} is not one of {', '.join(DOMAINS)}; "
        f"map it in the recipe, e.g. domain_map: {{{name}: general}}"
    )
