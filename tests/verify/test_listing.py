"""The catalogue index behind ``kramers list``: built once per source, read back, never trusted blindly."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from theory import DERIVATIONS

from verify import _listing
from verify._check import load_checks
from verify._listing import CatalogueIndex, catalogue_index, index_key

FAKE = CatalogueIndex(derivations=(("kramers_rate", "Kramers escape rate"),),
                      checks=(("ensemble_vs_exact_mfpt", "an ensemble", ("exact_mfpt", "kramers_rate")),))


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A private cache directory, and a counter of how often the slow build runs (it returns FAKE)."""
    monkeypatch.setenv("KRAMERS_CACHE_DIR", str(tmp_path / "cache"))
    builds = []
    monkeypatch.setattr(_listing, "_built", lambda: builds.append(1) or FAKE)
    return tmp_path / "cache" / "catalogue", builds


def test_the_index_is_built_once_and_read_back(cache):
    folder, builds = cache
    assert catalogue_index() == FAKE and len(builds) == 1
    assert [path.name for path in folder.iterdir()] == [f"index_{index_key()}.json"]
    assert catalogue_index() == FAKE and len(builds) == 1


@pytest.mark.parametrize("damage", ["", "{not json", '{"version": 0, "derivations": [], "checks": []}',
                                    '{"version": 1, "derivations": [{"title": "no name"}], "checks": []}'])
def test_a_damaged_index_is_rebuilt(cache, damage):
    folder, builds = cache
    catalogue_index()
    (folder / f"index_{index_key()}.json").write_text(damage)
    assert catalogue_index() == FAKE and len(builds) == 2


def test_another_source_gets_another_index_and_the_old_one_goes(cache, tmp_path, monkeypatch):
    folder, builds = cache
    catalogue_index()
    first = index_key()
    copy = tmp_path / "source"
    for package in _listing._SOURCE_PACKAGES:
        shutil.copytree(_listing._source_root(package), copy / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(_listing, "_source_root", lambda package: copy / package)
    assert index_key() == first  # the key depends on the content, not on where it lies
    with open(copy / "theory" / "_kramers.py", "a") as handle:
        handle.write("\n# an edit\n")
    assert index_key() != first
    catalogue_index()
    assert len(builds) == 2
    assert [path.name for path in folder.iterdir()] == [f"index_{index_key()}.json"]


def test_an_unwritable_cache_still_lists(cache, tmp_path, monkeypatch):
    blocker = tmp_path / "a file"
    blocker.write_text("")
    monkeypatch.setenv("KRAMERS_CACHE_DIR", str(blocker))
    assert catalogue_index() == FAKE


def test_the_listing_prints_the_catalogue_in_order():
    """End to end with the real build: the CLI's lines are the derivations' titles and the registered checks."""
    built = _listing._built()  # derivations are built once per process, so this is cheap after other tests
    assert [name for name, _ in built.derivations] == list(DERIVATIONS)
    assert [name for name, *_ in built.checks] == list(load_checks())
    expected = (["derivations:"] + [f"  {name:<24} {title}" for name, title in built.derivations] + ["checks:"]
                + [f"  {name:<24} {text}  [{', '.join(names)}]" for name, text, names in built.checks])
    for _ in range(2):  # built or read, the same lines
        listing = subprocess.run([sys.executable, "-m", "verify.cli", "list"], check=True, capture_output=True,
                                 text=True).stdout
        assert listing.splitlines() == expected
