"""Fixtures for the verifier tests: `bwrap_sandbox` lives in tests/conftest.py (the reward tests need it too)."""
