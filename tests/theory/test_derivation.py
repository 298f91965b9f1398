"""The Derivation object: evaluation, conditions, regimes, LaTeX and references."""

import math

import pytest
import sympy

from theory import DERIVATIONS, Derivation, InvalidParameter, OutOfRegimeWarning, ValidityRegime, derivations
from theory import kramers_rate, symbols as s


def test_evaluate_by_name_and_by_symbol_agree_with_the_formula():
    rate = kramers_rate()
    by_name = rate.evaluate(T=0.1, gamma=2, DeltaU=1, kappa_a=8, kappa_b=4)
    by_symbol = rate.evaluate({s.T: 0.1, s.gamma: 2, s.DeltaU: 1, s.kappa_a: 8, s.kappa_b: 4})
    hand = math.sqrt(32) / (2 * math.pi * 2) * math.exp(-10)
    assert by_name == by_symbol
    assert float(by_name) == pytest.approx(hand, rel=1e-14)


def test_definitely_false_condition_is_refused():
    with pytest.raises(InvalidParameter, match="kappa_a > 0"):
        kramers_rate().evaluate(T=0.1, gamma=1, DeltaU=1, kappa_a=-8, kappa_b=4)


def test_missing_and_unknown_values_are_named():
    with pytest.raises(InvalidParameter, match="no value given for DeltaU"):
        kramers_rate().evaluate(T=0.1, gamma=1, kappa_a=8, kappa_b=4)
    with pytest.raises(InvalidParameter, match="unknown symbol 'beta'"):
        kramers_rate().evaluate(beta=1)


def test_outside_the_regime_warns_but_answers():
    with pytest.warns(OutOfRegimeWarning, match="T/DeltaU"):
        value = kramers_rate().evaluate(T=1, gamma=1, DeltaU=1, kappa_a=8, kappa_b=4)
    assert value > 0


def test_undeclared_symbols_and_unknown_references_are_refused():
    x = sympy.Symbol("x")
    with pytest.raises(InvalidParameter, match="no meaning declared"):
        Derivation("bad", "Bad", s.k, x * s.T, symbols={s.T: "temperature"})
    with pytest.raises(InvalidParameter, match="unknown reference"):
        Derivation("bad", "Bad", s.k, s.T, symbols={s.T: "temperature"}, references=("Nobody1999",))


def test_every_derivation_exports_labelled_latex_with_citations():
    for name, derivation in derivations().items():
        latex = derivation.latex()
        assert rf"\label{{eq:{name}}}" in latex
        assert r"\cite{" in latex and "Validity" in latex
        assert derivation._repr_latex_().startswith("$")
        for key in derivation.references:
            assert f"{{{key}," in derivation.bibtex()
    assert set(DERIVATIONS) >= {"kramers_rate", "kramers_escape_time", "kramers_correction", "exact_mfpt"}


def test_substitution_specialises_a_derivation():
    special = kramers_rate().substitute({"kappa_a": 8, "kappa_b": 4, "DeltaU": 1})
    assert special.expression.free_symbols == {s.T, s.gamma}
    assert float(special.evaluate(T=0.1, gamma=1)) == pytest.approx(math.sqrt(32) / (2 * math.pi) * math.exp(-10))


def test_validity_regime_prints_its_error_order():
    regime = ValidityRegime("small T", small_parameter=s.T, error_order=s.T**2)
    assert "O" in regime.latex() and not regime.exact
    assert ValidityRegime("exact").exact
