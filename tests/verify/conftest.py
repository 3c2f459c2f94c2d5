"""Fixtures for the verifier tests."""

import pytest


@pytest.fixture(scope="session")
def bwrap_sandbox():
    """Skip (with the reason) where bubblewrap cannot run; the product itself fails closed there."""
    from distill.verify.sandbox import Limits, Sandbox, SandboxUnavailable

    try:
        return Sandbox("bwrap", Limits())
    except SandboxUnavailable as exc:
        pytest.skip(f"no working bubblewrap sandbox here: {exc}")
