"""Where the toolkit keeps what it computes once: generated kernels, the catalogue index.

Standard library only, so that a command that merely reads the cache starts
without SymPy.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_directory"]


def cache_directory() -> Path:
    """The root of the on-disk cache (read from the environment on each call).

    ``$KRAMERS_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/kramers``, else
    ``~/.cache/kramers``.
    """
    explicit = os.environ.get("KRAMERS_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg).expanduser() / "kramers"
    return Path.home() / ".cache" / "kramers"
