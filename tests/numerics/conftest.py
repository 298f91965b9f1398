"""Fixtures of the numerics tests."""

from __future__ import annotations

import os
import pathlib

import pytest


@pytest.fixture(scope="session")
def kernel_cache_directory():
    """The session's private kernel cache (``KRAMERS_CACHE_DIR``, set by tests/conftest.py)."""
    return pathlib.Path(os.environ["KRAMERS_CACHE_DIR"])
