"""Fixtures of the numerics tests: a private on-disk kernel cache for the session."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def kernel_cache_directory(tmp_path_factory):
    """Point ``KRAMERS_CACHE_DIR`` at a fresh directory for the whole session."""
    directory = tmp_path_factory.mktemp("kramers-cache")
    previous = os.environ.get("KRAMERS_CACHE_DIR")
    os.environ["KRAMERS_CACHE_DIR"] = str(directory)
    yield directory
    if previous is None:
        os.environ.pop("KRAMERS_CACHE_DIR", None)
    else:
        os.environ["KRAMERS_CACHE_DIR"] = previous
