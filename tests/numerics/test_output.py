"""The one JSON encoder and the one atomic writer (numerics._output)."""

import enum
import fractions
import json
import math
import os
import pathlib

import mpmath
import numpy as np
import pytest
import sympy

from numerics._output import json_dumps, jsonable, write_atomically


class Outcome(enum.IntEnum):
    ESCAPED = 1


@pytest.mark.parametrize(
    "value, expected",
    [
        (np.bool_(True), True),  # the type that lost six minutes of results (NumPy 2)
        (np.bool_(False), False),
        (np.int64(7), 7),
        (np.float32(0.5), 0.5),
        (np.float64(2.25), 2.25),
        (np.array([[1, 2], [3, 4]], dtype=np.int32), [[1, 2], [3, 4]]),
        (np.array([True, False]), [True, False]),
        (np.array(1.5), 1.5),
        (mpmath.mpf("0.1"), 0.1),
        (sympy.Integer(10) ** 30, 10**30),
        (sympy.Rational(1, 4), 0.25),
        (sympy.sqrt(2), 2**0.5),
        (sympy.pi, math.pi),
        (sympy.Float("1e-300"), 1e-300),
        (sympy.true, True),
        (sympy.Symbol("x") ** 2 - 1, "x**2 - 1"),
        (fractions.Fraction(3, 8), 0.375),
        (pathlib.Path("a/b.json"), "a/b.json"),
        (Outcome.ESCAPED, 1),
        ((1, (2, 3)), [1, [2, 3]]),
        (frozenset({3, 1, 2}), [1, 2, 3]),
        ({np.int64(2): np.float64(1.0), "k": None, 1.5: "x"}, {"2": 1.0, "k": None, "1.5": "x"}),
    ],
)
def test_every_number_type_becomes_plain_json(value, expected):
    converted = jsonable(value)
    assert converted == expected and type(converted) is type(expected)
    assert json.loads(json_dumps({"value": value})) == {"value": expected}


def test_nested_values_of_a_check_result_round_trip():
    payload = {"passed": np.bool_(True), "rows": [{"mean": np.float64(1.25), "se": mpmath.mpf(2) ** -3,
                                                     "exact": sympy.Rational(5, 2), "n": np.int32(3)}]}
    assert json.loads(json_dumps(payload, indent=2)) == {
        "passed": True, "rows": [{"mean": 1.25, "se": 0.125, "exact": 2.5, "n": 3}]}


def test_non_finite_floats_follow_json_dumps():
    assert json_dumps([math.inf, np.float64("nan")]) == "[Infinity, NaN]"
    with pytest.raises(ValueError):
        json_dumps([math.inf], allow_nan=False)


@pytest.mark.parametrize("value, fragment", [
    ({"rows": [1, object()]}, "value['rows'][1]: cannot write a object"),
    ({"z": 1 + 2j}, "cannot write a complex"),
    ({"z": sympy.I}, "complex number I"),
    ({(1, 2): 3}, "cannot be a JSON key"),
])
def test_what_has_no_json_form_is_refused_naming_where_it_is(value, fragment):
    with pytest.raises(TypeError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        json_dumps(value)


def test_atomic_write_replaces_whole_or_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "out.json"
    write_atomically(target, "old")
    write_atomically(target, b"new")
    assert target.read_text() == "new" and oct(target.stat().st_mode & 0o777) != oct(0o600)

    def failing_replace(source, destination):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, "half")
    assert target.read_text() == "new" and os.listdir(tmp_path) == ["out.json"]
