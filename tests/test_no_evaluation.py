"""User strings are parsed, never evaluated: no ``sympify``, ``S(...)``, ``eval``, ``exec`` in the packages.

An AST walk over every module of theory, numerics and verify (and the
benchmarks) refuses any call of a function that evaluates a string, whatever
its argument: the one door from a value to SymPy is ``theory.as_expression``
(strings go through ``theory.parse_expression``).
"""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGES = ("theory", "numerics", "verify", "benchmarks")

#: Functions that evaluate a string (as Python or through SymPy's ``eval``-based parser).
EVALUATING = {"eval", "exec", "compile", "__import__", "sympify", "S", "parse_expr"}


def evaluating_calls(source: str) -> list[str]:
    """``"line: name"`` for each call of an evaluating function, and each import of one by name."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            function = node.func
            name = function.id if isinstance(function, ast.Name) else function.attr if isinstance(
                function, ast.Attribute) else None
            if name in EVALUATING and not _is_regex_compile(function):
                found.append(f"{node.lineno}: {name}(...)")
        elif isinstance(node, ast.ImportFrom):
            found += [f"{node.lineno}: from {node.module} import {a.name}" for a in node.names if a.name in EVALUATING]
    return found


def _is_regex_compile(function) -> bool:
    """``re.compile`` builds a regular expression, it evaluates nothing."""
    return isinstance(function, ast.Attribute) and function.attr == "compile" and isinstance(
        function.value, ast.Name) and function.value.id == "re"


def test_the_detector_finds_every_form():
    source = """
import sympy
from sympy import sympify
sympy.sympify(text)
sympy.S("x + 1")
S(text)
eval(text)
exec(code)
builtins.compile(text, "<string>", "exec")
__import__("os")
sympy.parsing.sympy_parser.parse_expr(text)
re.compile("[a-z]+")
sympy.S.Zero
"""
    assert [item.split(": ")[0] for item in evaluating_calls(source)] == [
        "3", "4", "5", "6", "7", "8", "9", "10", "11"]


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_evaluates_a_string(package):
    offending = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        calls = evaluating_calls(path.read_text())
        if calls:
            offending[str(path.relative_to(ROOT))] = calls
    assert not offending, f"strings must be parsed (theory.as_expression / parse_expression), not evaluated: {offending}"
