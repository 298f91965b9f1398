"""The underdamped check passes in quick mode and its budget catches a factor-2 error in a rate."""

from verify._checks_underdamped import _comparisons, friction_study


def test_quick_ladder_passes_and_a_doubled_or_halved_rate_fails():
    rows = friction_study((0.1, 2.0), trajectories=300, dt=0.04)
    comparisons = _comparisons(rows)
    assert all(c.passed for c in comparisons), [c.as_dict() for c in comparisons if not c.passed]
    assert {c.case.split(": ")[1] for c in comparisons} == {"k_ens / k_turnover", "k_ens / k_spatial_diffusion"}
    for factor in (2.0, 0.5):  # e.g. the symmetric-well factor 2, or absorbing at the saddle
        wrong = [{**row, **{key: factor * row[key] for key in ("rate_turnover", "rate_spatial_diffusion")}}
                 for row in rows]
        assert not any(c.passed for c in _comparisons(wrong))
