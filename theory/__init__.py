"""Symbolic derivations of escape over energy barriers.

This layer imports SymPy and mpmath only, and only when a public name is first
used; ``numerics`` builds kernels from its objects and ``verify`` checks them.
Nothing here imports either.
"""

from __future__ import annotations

import importlib

#: Public name -> (module, name in it).  Nothing is imported until a name is first used
#: (PEP 562), so ``import theory._cache`` and the command line start without SymPy.
_PUBLIC = {
    "DERIVATIONS": ("_catalog", "DERIVATIONS"),
    "derivation": ("_catalog", "derivation"),
    "derivations": ("_catalog", "derivations"),
    "Derivation": ("_derivation", "Derivation"),
    "ValidityRegime": ("_derivation", "ValidityRegime"),
    "Intermediate": ("_derivation", "Intermediate"),
    "Prose": ("_typeset", "Prose"),
    "latex": ("_typeset", "latex"),
    "latex_text": ("_typeset", "text"),
    "written_sum": ("_typeset", "written_sum"),
    "written_product": ("_typeset", "written_product"),
    "written_ratio": ("_typeset", "written_ratio"),
    "written_root": ("_typeset", "written_root"),
    "much_greater": ("_typeset", "much_greater"),
    "tends_to": ("_typeset", "tends_to"),
    "proportional_to": ("_typeset", "proportional_to"),
    "CompilationError": ("_errors", "CompilationError"),
    "DegenerateStationaryPoint": ("_errors", "DegenerateStationaryPoint"),
    "ForbiddenExpression": ("_errors", "ForbiddenExpression"),
    "InvalidParameter": ("_errors", "InvalidParameter"),
    "KramersError": ("_errors", "KramersError"),
    "NoBarrierError": ("_errors", "NoBarrierError"),
    "OutOfRegimeWarning": ("_errors", "OutOfRegimeWarning"),
    "SimulationError": ("_errors", "SimulationError"),
    "KramersEscape": ("_kramers", "KramersEscape"),
    "escape_time_series": ("_kramers", "escape_time_series"),
    "kramers_correction": ("_kramers", "kramers_correction"),
    "kramers_escape": ("_kramers", "kramers_escape"),
    "kramers_escape_time": ("_kramers", "kramers_escape_time"),
    "kramers_rate": ("_kramers", "kramers_rate"),
    "laplace_series": ("_kramers", "laplace_series"),
    "MeanFirstPassageTime": ("_mfpt", "MeanFirstPassageTime"),
    "exact_mfpt": ("_mfpt", "exact_mfpt"),
    "conditional_exit_time": ("_exit_statistics", "conditional_exit_time"),
    "exit_time_moments": ("_exit_statistics", "exit_time_moments"),
    "splitting_probability": ("_exit_statistics", "splitting_probability"),
    "mean_first_passage_time": ("_mfpt", "mean_first_passage_time"),
    "ALLOWED_FUNCTIONS": ("_parse", "ALLOWED_FUNCTIONS"),
    "as_expression": ("_parse", "as_expression"),
    "parse_expression": ("_parse", "parse_expression"),
    "Potential": ("_potential", "Potential"),
    "REFERENCES": ("_references", "REFERENCES"),
    "bibtex": ("_references", "bibtex"),
    "EscapePoints": ("_stationary", "EscapePoints"),
    "StationaryPoint": ("_stationary", "StationaryPoint"),
    "basin_minimum": ("_stationary", "basin_minimum"),
    "escape_points": ("_stationary", "escape_points"),
    "stationary_points": ("_stationary", "stationary_points"),
    "Schedule": ("_schedules", "Schedule"),
    "Constant": ("_schedules", "Constant"),
    "Plateau": ("_schedules", "Plateau"),
    "GaussianSpike": ("_schedules", "GaussianSpike"),
    "ExponentialSpike": ("_schedules", "ExponentialSpike"),
    "ExpressionPulse": ("_schedules", "ExpressionPulse"),
    "ScheduleSum": ("_schedules", "ScheduleSum"),
    "parse_schedule": ("_schedules", "parse_schedule"),
    "AdiabaticEscape": ("_schedules", "AdiabaticEscape"),
    "adiabatic_escape": ("_schedules", "adiabatic_escape"),
    "PulseDesign": ("_schedules", "PulseDesign"),
    "design_pulse": ("_schedules", "design_pulse"),
    "optimal_pulse": ("_schedules", "optimal_pulse"),
    "best_pulse_height": ("_schedules", "best_pulse_height"),
    "spike_laplace_series": ("_schedules", "spike_laplace_series"),
    "ADIABATIC_RATIO": ("_schedules", "ADIABATIC_RATIO"),
    "CriticalPoint": ("_eyring_kramers", "CriticalPoint"),
    "EyringKramersEscape": ("_eyring_kramers", "EyringKramersEscape"),
    "critical_point": ("_eyring_kramers", "critical_point"),
    "eyring_kramers_escape": ("_eyring_kramers", "eyring_kramers_escape"),
    "escape_over": ("_eyring_kramers", "escape_over"),
    "eyring_kramers_rate": ("_eyring_kramers", "eyring_kramers_rate"),
    "CHAIN_FORMULA": ("_chain", "CHAIN_FORMULA"),
    "chain_escape_time": ("_chain", "chain_escape_time"),
    "chain_mean_first_passage_time": ("_chain", "chain_mean_first_passage_time"),
    "EWCBarrier": ("_ewc", "EWCBarrier"),
    "EWCTask": ("_ewc", "EWCTask"),
    "QuadraticPenalty": ("_ewc", "QuadraticPenalty"),
    "canonical_ewc": ("_ewc", "canonical_ewc"),
    "ewc_barrier": ("_ewc", "ewc_barrier"),
    "ewc_barrier_series": ("_ewc", "ewc_barrier_series"),
    "ewc_canonical_barrier": ("_ewc", "ewc_canonical_barrier"),
    "ewc_critical_tasks": ("_ewc", "ewc_critical_tasks"),
    "ewc_penalty_reduction": ("_ewc", "ewc_penalty_reduction"),
    "ewc_plasticity_ratio": ("_ewc", "ewc_plasticity_ratio"),
    "ewc_rate": ("_ewc", "ewc_rate"),
    "ewc_task": ("_ewc", "ewc_task"),
    "reduce_penalties": ("_ewc", "reduce_penalties"),
    "parse_condition": ("_parse", "parse_condition"),
    "UnderdampedEscape": ("_underdamped", "UnderdampedEscape"),
    "depopulation_factor": ("_underdamped", "depopulation_factor"),
    "mel_nikov_meshkov_rate": ("_underdamped", "mel_nikov_meshkov_rate"),
    "underdamped_energy_diffusion_rate": ("_underdamped", "underdamped_energy_diffusion_rate"),
    "underdamped_escape": ("_underdamped", "underdamped_escape"),
    "underdamped_spatial_diffusion_rate": ("_underdamped", "underdamped_spatial_diffusion_rate"),
    "AbsorbingSet": ("_absorbing", "AbsorbingSet"),
    "Ball": ("_absorbing", "Ball"),
    "Condition": ("_absorbing", "Condition"),
    "HalfSpace": ("_absorbing", "HalfSpace"),
    "Interval": ("_absorbing", "Interval"),
    "absorbing_set_from_condition": ("_absorbing", "absorbing_set_from_condition"),
    "half_line": ("_absorbing", "half_line"),
    "EscapeProblem": ("_problem", "EscapeProblem"),
}

#: Submodules published under a public name: ``theory.symbols.T``, ``theory.skills.resource_time_ratio()``.
_MODULES = {
    "symbols": "_symbols",
    "skills": "_skills",
}

__all__ = sorted(_PUBLIC) + sorted(_MODULES)


def __getattr__(name: str):
    if name in _MODULES:
        value = importlib.import_module(f"{__name__}.{_MODULES[name]}")
    elif name in _PUBLIC:
        module, attribute = _PUBLIC[name]
        value = getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_PUBLIC) | set(_MODULES))
