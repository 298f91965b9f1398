"""Shared test configuration.

* Kernels compile into one private on-disk cache per test session (set before
  anything imports ``numerics``, so subprocesses started by the CLI tests
  inherit it and reuse the kernels).
* Slow, paper-grade statistical tests are marked ``slow`` and run only with
  ``--run-slow``.
* Floating-point errors in NumPy raise instead of passing silently.
"""

from __future__ import annotations

import os
import tempfile

import numpy as np
import pytest

os.environ.setdefault("KRAMERS_CACHE_DIR", tempfile.mkdtemp(prefix="kramers-test-cache-"))


def pytest_addoption(parser):
    parser.addoption("--run-slow", action="store_true", default=False, help="run tests marked slow")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow statistical test: use --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def floating_point_errors_raise():
    with np.errstate(all="raise"):
        yield
