"""The domains distill verifies; every row is one of them (datasets' own names are mapped onto these
by `distill.formats.domains`)."""

from __future__ import annotations

DOMAINS = ("math", "choice", "code", "general")
