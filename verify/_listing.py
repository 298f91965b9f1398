"""The catalogue index: what ``kramers list`` prints, without building anything.

Listing the derivations needs their titles, and a title is only known once its
derivation is built (several seconds of SymPy for the whole catalogue); listing
the checks needs their registration, which imports every check module.  Both
depend on nothing but the source of ``theory`` and ``verify`` and on the SymPy
that prints the titles.  So the index is built once, written as JSON into the
toolkit's cache directory under a name that is the SHA-256 of exactly those
inputs, and read back by every later listing: an edited source file or another
SymPy changes the name, and the next listing rebuilds it (and removes the
indexes of earlier sources).  A missing, unreadable
or malformed index is rebuilt, never trusted.

This module imports only the standard library until it has to build.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.metadata
import json
from pathlib import Path

from theory._cache import cache_directory

__all__ = ["CatalogueIndex", "catalogue_index", "index_key"]

#: Bumped whenever the layout of the index file changes.
INDEX_VERSION = 1

#: The packages whose source decides the index: titles are built in theory, checks registered in verify.
_SOURCE_PACKAGES = ("theory", "verify")


@dataclasses.dataclass(frozen=True)
class CatalogueIndex:
    """Derivation titles and check descriptions, in catalogue and registry order."""

    #: (name, title as plain text) of every derivation
    derivations: tuple[tuple[str, str], ...]
    #: (name, description, derivations it verifies) of every check
    checks: tuple[tuple[str, str, tuple[str, ...]], ...]

    def as_dict(self) -> dict:
        return {
            "version": INDEX_VERSION,
            "derivations": [{"name": name, "title": title} for name, title in self.derivations],
            "checks": [{"name": name, "description": description, "derivations": list(names)}
                       for name, description, names in self.checks],
        }

    @classmethod
    def from_dict(cls, data: dict) -> CatalogueIndex:
        if data.get("version") != INDEX_VERSION:
            raise ValueError("index version")
        return cls(
            derivations=tuple((str(item["name"]), str(item["title"])) for item in data["derivations"]),
            checks=tuple((str(item["name"]), str(item["description"]), tuple(map(str, item["derivations"])))
                         for item in data["checks"]),
        )


def _source_root(package: str) -> Path:
    """The folder of ``package`` (found without importing it: ``verify/..`` holds all three)."""
    return Path(__file__).resolve().parent.parent / package


def index_key() -> str:
    """SHA-256 of the index layout, the SymPy version and every source file of theory and verify."""
    digest = hashlib.sha256(f"index {INDEX_VERSION}; sympy {importlib.metadata.version('sympy')}\n".encode())
    for package in _SOURCE_PACKAGES:
        root = _source_root(package)
        for path in sorted(root.rglob("*.py")):
            digest.update(f"{path.relative_to(root.parent).as_posix()}\n".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _built() -> CatalogueIndex:
    """Build every derivation and register every check (the slow way)."""
    from theory import derivations

    from ._check import load_checks

    return CatalogueIndex(
        derivations=tuple((name, str(item.title)) for name, item in derivations().items()),
        checks=tuple((name, check.description, tuple(check.derivations)) for name, check in load_checks().items()),
    )


def catalogue_index() -> CatalogueIndex:
    """The index of the current source: read from the cache, or built and written there."""
    path = cache_directory() / "catalogue" / f"index_{index_key()}.json"
    try:
        return CatalogueIndex.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    index = _built()
    from numerics._output import json_dumps, write_atomically

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, json_dumps(index.as_dict(), indent=1) + "\n")
        for stale in path.parent.glob("index_*.json"):  # indexes of earlier sources
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError:  # a read-only cache costs speed, never the listing
        pass
    return index
