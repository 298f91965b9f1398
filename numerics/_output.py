"""Output that survives: the one JSON encoder and the one atomic file writer.

Every JSON that ``kramers`` writes (``--json`` on stdout, ``results.json`` of a
report, checkpoint headers, the canonical text hashed into a run's fingerprint)
goes through :func:`json_dumps`, which first turns the value into plain JSON
types with :func:`jsonable`:

=====================================  ==========================================
value                                  JSON
=====================================  ==========================================
``None``, ``bool``, ``str``            itself
``int`` (and ``IntEnum``)              integer
``float``                              number (``NaN``/``Infinity`` as Python's
                                       ``json`` writes them, unless
                                       ``allow_nan=False``)
NumPy scalar (``bool_``, ``int64``,    its Python value (``.item()``)
``float32``, ...)
NumPy array                            nested lists of its Python values
mpmath ``mpf``                         number (rounded to double precision; a
                                       result that needs more digits carries
                                       them as a string of its own)
SymPy ``Integer``                      integer
SymPy ``true``/``false``               ``true``/``false``
SymPy real number (``Rational``,       number (evaluated to double precision)
``Float``, ``sqrt(2)``, ``pi``...)
any other SymPy expression             its string (what :func:`theory.parse_expression`
                                       reads back)
``Fraction``, ``Decimal``              number
``tuple``, ``list``, (frozen)set       list (sets sorted)
mapping                                object; keys become strings as above
``pathlib`` path                       string
=====================================  ==========================================

Anything else (and a complex number) is refused with a ``TypeError`` that
names where in the value it sits, never written half-way.  NumPy, mpmath and
SymPy are recognised through ``sys.modules`` without importing them: an object
of a library that is not loaded cannot exist.

:func:`write_atomically` writes a file through a temporary name in the same
directory, flushed to disk and renamed into place (``os.replace`` is atomic on
POSIX): a reader, or a run killed at any instant, sees the old file or the new
one, never part of one.
"""

from __future__ import annotations

import contextlib
import decimal
import fractions
import json
import numbers
import os
import pathlib
import sys
import tempfile
from collections.abc import Mapping, Set

__all__ = ["jsonable", "json_dumps", "write_atomically"]


def jsonable(value, where: str = "value"):
    """``value`` made of plain JSON types (see the module table); ``where`` names it in errors."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, Mapping):
        return {_key(key, where): jsonable(item, f"{where}[{key!r}]") for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item, f"{where}[{index}]") for index, item in enumerate(value)]
    if isinstance(value, Set):
        items = [jsonable(item, f"{where}{{...}}") for item in value]
        with contextlib.suppress(TypeError):
            items.sort()
        return items
    converted = _library_value(value, where)
    if converted is not _UNKNOWN:
        return converted
    if isinstance(value, (fractions.Fraction, decimal.Decimal)):
        return float(value)
    if isinstance(value, pathlib.PurePath):
        return str(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    raise TypeError(f"{where}: cannot write a {type(value).__name__} as JSON")


_UNKNOWN = object()


def _library_value(value, where: str):
    """The JSON value of a NumPy, mpmath or SymPy object, or ``_UNKNOWN``."""
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        if isinstance(value, numpy.ndarray):
            return jsonable(value.tolist(), where)
        if isinstance(value, numpy.generic):
            return jsonable(value.item(), where)
    mpmath = sys.modules.get("mpmath")
    if mpmath is not None and isinstance(value, mpmath.mpf):
        return float(value)
    sympy = sys.modules.get("sympy")
    if sympy is not None and isinstance(value, sympy.Basic):
        if value is sympy.true or value is sympy.false:
            return bool(value)
        if isinstance(value, sympy.Integer):
            return int(value)
        if isinstance(value, sympy.Expr) and value.is_number and value.is_extended_real:
            return float(value)
        if isinstance(value, sympy.Expr) and value.is_number:
            raise TypeError(f"{where}: cannot write the complex number {value} as JSON")
        return str(value)
    return _UNKNOWN


def _key(key, where: str) -> str:
    """An object key as JSON writes it: strings stay, numbers, booleans and None are spelled out."""
    key = jsonable(key, f"{where} key")
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, (bool, int, float)):
        return json.dumps(key)
    raise TypeError(f"{where}: a {type(key).__name__} cannot be a JSON key")


def json_dumps(value, **options) -> str:
    """:func:`json.dumps` of :func:`jsonable` ``(value)``; ``options`` are :func:`json.dumps`'s."""
    return json.dumps(jsonable(value), **options)


def write_atomically(path, content: str | bytes) -> None:
    """Replace ``path`` by ``content``, whole or not at all (see the module docstring).

    The directory of ``path`` must exist.  ``str`` content is written as UTF-8.
    """
    path = pathlib.Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644 & ~_UMASK)  # mkstemp makes it private; outputs are meant to be read
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: The process's umask, read once at import (``os.umask`` can only be read by setting it).
_UMASK = _read_umask()
