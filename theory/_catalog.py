"""The catalogue of named derivations.

``kramers list`` prints it, ``kramers latex NAME`` exports from it, and the
verification layer requires a registered check for every entry.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

from ._derivation import Derivation
from ._errors import InvalidParameter
from ._kramers import kramers_correction, kramers_escape_time, kramers_rate
from ._mfpt import exact_mfpt
from ._exit_statistics import conditional_exit_time, exit_time_moments, splitting_probability
from ._schedules import (
    adiabatic_hazard, convexity_threshold, exponential_spike_laplace, exponential_spike_laplace_corrected,
    gaussian_spike_laplace, gaussian_spike_laplace_corrected, mean_transition_time, plateau_hazard,
    plateau_mean_transition_time, pulse_gain, pulse_tangent_condition, thermal_budget, transition_probability,
)
from ._skills import SKILL_DERIVATIONS
from ._eyring_kramers import eyring_kramers_rate
from ._chain import chain_escape_time
from ._underdamped import mel_nikov_meshkov_rate, underdamped_energy_diffusion_rate, underdamped_spatial_diffusion_rate
from ._ewc import (
    ewc_barrier_series, ewc_canonical_barrier, ewc_critical_tasks, ewc_penalty_reduction, ewc_plasticity_ratio,
    ewc_rate,
)

__all__ = ["DERIVATIONS", "derivation", "derivations"]

#: Name -> constructor of every general derivation the toolkit provides.
DERIVATIONS: Mapping[str, Callable[[], Derivation]] = {
    "kramers_rate": kramers_rate,
    "kramers_escape_time": kramers_escape_time,
    "kramers_correction": kramers_correction,
    "exact_mfpt": exact_mfpt,
    "splitting_probability": splitting_probability,
    "exit_time_moments": exit_time_moments,
    "conditional_exit_time": conditional_exit_time,
    "adiabatic_hazard": adiabatic_hazard,
    "transition_probability": transition_probability,
    "mean_transition_time": mean_transition_time,
    "thermal_budget": thermal_budget,
    "plateau_hazard": plateau_hazard,
    "plateau_mean_transition_time": plateau_mean_transition_time,
    "gaussian_spike_laplace": gaussian_spike_laplace,
    "gaussian_spike_laplace_corrected": gaussian_spike_laplace_corrected,
    "exponential_spike_laplace": exponential_spike_laplace,
    "exponential_spike_laplace_corrected": exponential_spike_laplace_corrected,
    "convexity_threshold": convexity_threshold,
    "pulse_gain": pulse_gain,
    "pulse_tangent_condition": pulse_tangent_condition,
    **SKILL_DERIVATIONS,
    "eyring_kramers_rate": eyring_kramers_rate,
    "chain_escape_time": chain_escape_time,
    "underdamped_spatial_diffusion_rate": underdamped_spatial_diffusion_rate,
    "underdamped_energy_diffusion_rate": underdamped_energy_diffusion_rate,
    "mel_nikov_meshkov_rate": mel_nikov_meshkov_rate,
    "ewc_penalty_reduction": ewc_penalty_reduction,
    "ewc_barrier_series": ewc_barrier_series,
    "ewc_canonical_barrier": ewc_canonical_barrier,
    "ewc_critical_tasks": ewc_critical_tasks,
    "ewc_rate": ewc_rate,
    "ewc_plasticity_ratio": ewc_plasticity_ratio,
}


def derivation(name: str) -> Derivation:
    """The derivation called ``name`` (built once: a derivation is immutable, some take seconds of SymPy)."""
    if name not in DERIVATIONS:
        raise InvalidParameter(f"derivation {name!r} is unknown; known: {', '.join(DERIVATIONS)}")
    return _built(DERIVATIONS[name])


@functools.lru_cache(maxsize=None)
def _built(make: Callable[[], Derivation]) -> Derivation:
    return make()


def derivations() -> dict[str, Derivation]:
    """Every derivation, by name."""
    return {name: derivation(name) for name in DERIVATIONS}
