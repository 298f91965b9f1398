"""The one gate through which every Numba compilation of ``kramers`` passes.

Modelled on py-pde's ``jit``: kernels are never decorated with ``numba.njit``
directly, but with :func:`jit`, which

* imports Numba lazily (importing :mod:`numerics` does not import Numba),
* allows only the *safe* fast-math flags, those that do not assume the absence
  of NaN or infinity (``nnan``, ``ninf`` and ``fastmath=True`` would let LLVM
  delete the very checks by which a diverging simulation is detected), and
* records every dispatcher it creates, so that :func:`compilation_statistics`
  can tell how many signatures were compiled and how many were loaded from
  Numba's on-disk cache (a test asserts that a second process compiles nothing).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterable
from typing import Any

from theory._errors import InvalidParameter

__all__ = [
    "SAFE_FASTMATH_FLAGS",
    "DEFAULT_FASTMATH_FLAGS",
    "CompilationStatistics",
    "jit",
    "compilation_statistics",
    "validate_fastmath",
]

#: Fast-math flags that keep IEEE semantics for NaN and infinity.
#: nsz: ignore the sign of zero; arcp: allow x/y -> x*(1/y); contract: fuse
#: multiply-add; afn: approximate libm functions; reassoc: reassociate sums.
SAFE_FASTMATH_FLAGS = frozenset({"nsz", "arcp", "contract", "afn", "reassoc"})

#: The default set.  ``contract`` (FMA) and ``reassoc`` are left out so that the
#: same arithmetic inlined into two different kernels (the ensemble kernel and
#: the single-trajectory replay) rounds identically.
DEFAULT_FASTMATH_FLAGS = frozenset({"nsz", "arcp", "afn"})

_lock = threading.Lock()
_dispatchers: list[Any] = []


def validate_fastmath(fastmath: bool | Iterable[str] | None) -> frozenset[str]:
    """Return the fast-math flags as a frozen set, refusing unsafe ones."""
    if fastmath is None or fastmath is False:
        return frozenset()
    if fastmath is True or isinstance(fastmath, str):
        raise InvalidParameter(
            f"fastmath={fastmath!r} is refused: give a set of flags from "
            f"{sorted(SAFE_FASTMATH_FLAGS)}; 'fast', 'nnan' and 'ninf' assume that no "
            "NaN or infinity occurs and would remove the divergence checks."
        )
    flags = frozenset(fastmath)
    unsafe = flags - SAFE_FASTMATH_FLAGS
    if unsafe:
        raise InvalidParameter(
            f"fastmath flags {sorted(unsafe)} are refused: only {sorted(SAFE_FASTMATH_FLAGS)} "
            "are allowed, because the others assume that no NaN or infinity occurs."
        )
    return flags


def jit(
    function: Callable | None = None,
    *,
    cache: bool = True,
    parallel: bool = False,
    fastmath: bool | Iterable[str] | None = DEFAULT_FASTMATH_FLAGS,
    **options: Any,
):
    """Compile ``function`` in nopython mode with Numba; usable bare or with options.

    ``cache=True`` stores the machine code next to the function's source file (or
    under ``NUMBA_CACHE_DIR``), keyed by that file's path and time stamp, so that a
    later process loads it instead of compiling.  The dispatcher is recorded for
    :func:`compilation_statistics`.
    """
    flags = validate_fastmath(fastmath)
    if "nopython" in options or "forceobj" in options:
        raise InvalidParameter("jit options 'nopython'/'forceobj' are refused: kernels are always nopython.")

    def decorate(python_function: Callable):
        import numba  # lazily: only where kernels are built

        dispatcher = numba.njit(
            cache=cache,
            parallel=parallel,
            fastmath=set(flags) if flags else False,
            **options,
        )(python_function)
        with _lock:
            _dispatchers.append(dispatcher)
        return dispatcher

    if function is not None:
        return decorate(function)
    return decorate


@dataclasses.dataclass(frozen=True)
class CompilationStatistics:
    """Counts over every dispatcher created through :func:`jit` in this process.

    ``compiled``: signatures compiled from scratch (Numba's cache misses, plus
    compilations of uncached dispatchers); ``loaded``: signatures loaded from the
    on-disk cache; ``dispatchers``: how many functions went through :func:`jit`.
    """

    dispatchers: int
    compiled: int
    loaded: int

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


def compilation_statistics() -> CompilationStatistics:
    """Return how many signatures were compiled and how many were loaded from cache."""
    compiled = 0
    loaded = 0
    with _lock:
        dispatchers = list(_dispatchers)
    for dispatcher in dispatchers:
        stats = getattr(dispatcher, "stats", None)
        if stats is not None and dispatcher._cache is not None and type(dispatcher._cache).__name__ != "NullCache":
            compiled += sum(stats.cache_misses.values())
            loaded += sum(stats.cache_hits.values())
        else:
            compiled += len(dispatcher.overloads)
    return CompilationStatistics(dispatchers=len(dispatchers), compiled=compiled, loaded=loaded)
