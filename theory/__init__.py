"""Symbolic derivations of escape over energy barriers.

This layer imports SymPy and mpmath only; ``numerics`` builds kernels from its
objects and ``verify`` checks them.  Nothing here imports either.
"""

from ._catalog import DERIVATIONS as DERIVATIONS
from ._catalog import derivation as derivation
from ._catalog import derivations as derivations
from ._derivation import Derivation as Derivation
from ._derivation import ValidityRegime as ValidityRegime
from ._errors import CompilationError as CompilationError
from ._errors import DegenerateStationaryPoint as DegenerateStationaryPoint
from ._errors import ForbiddenExpression as ForbiddenExpression
from ._errors import InvalidParameter as InvalidParameter
from ._errors import KramersError as KramersError
from ._errors import NoBarrierError as NoBarrierError
from ._errors import OutOfRegimeWarning as OutOfRegimeWarning
from ._errors import SimulationError as SimulationError
from ._kramers import KramersEscape as KramersEscape
from ._kramers import escape_time_series as escape_time_series
from ._kramers import kramers_correction as kramers_correction
from ._kramers import kramers_escape as kramers_escape
from ._kramers import kramers_escape_time as kramers_escape_time
from ._kramers import kramers_rate as kramers_rate
from ._kramers import laplace_series as laplace_series
from ._mfpt import MeanFirstPassageTime as MeanFirstPassageTime
from ._mfpt import exact_escape_time as exact_escape_time
from ._mfpt import exact_mfpt as exact_mfpt
from ._mfpt import mean_first_passage_time as mean_first_passage_time
from ._parse import ALLOWED_FUNCTIONS as ALLOWED_FUNCTIONS
from ._parse import as_expression as as_expression
from ._parse import parse_expression as parse_expression
from ._potential import Potential as Potential
from ._references import REFERENCES as REFERENCES
from ._references import bibtex as bibtex
from ._stationary import EscapePoints as EscapePoints
from ._stationary import StationaryPoint as StationaryPoint
from ._stationary import basin_minimum as basin_minimum
from ._stationary import escape_points as escape_points
from ._stationary import stationary_points as stationary_points
from . import _symbols as symbols  # noqa: F401  (the canonical symbols: theory.symbols.T, ...)
from ._schedules import Schedule as Schedule
from ._schedules import Constant as Constant
from ._schedules import Plateau as Plateau
from ._schedules import GaussianSpike as GaussianSpike
from ._schedules import ExponentialSpike as ExponentialSpike
from ._schedules import ExpressionPulse as ExpressionPulse
from ._schedules import ScheduleSum as ScheduleSum
from ._schedules import parse_schedule as parse_schedule
from ._schedules import AdiabaticEscape as AdiabaticEscape
from ._schedules import adiabatic_escape as adiabatic_escape
from ._schedules import PulseDesign as PulseDesign
from ._schedules import design_pulse as design_pulse
from ._schedules import best_pulse_height as best_pulse_height
from ._schedules import spike_laplace_series as spike_laplace_series
from ._schedules import ADIABATIC_RATIO as ADIABATIC_RATIO
from . import _skills as skills  # noqa: F401  (skill learning: theory.skills.resource_time_ratio(), ...)
from ._eyring_kramers import CriticalPoint as CriticalPoint
from ._eyring_kramers import EyringKramersEscape as EyringKramersEscape
from ._eyring_kramers import critical_point as critical_point
from ._eyring_kramers import eyring_kramers_escape as eyring_kramers_escape
from ._eyring_kramers import eyring_kramers_rate as eyring_kramers_rate
from ._ewc import EWCBarrier as EWCBarrier
from ._ewc import EWCTask as EWCTask
from ._ewc import QuadraticPenalty as QuadraticPenalty
from ._ewc import canonical_ewc as canonical_ewc
from ._ewc import ewc_barrier as ewc_barrier
from ._ewc import ewc_barrier_series as ewc_barrier_series
from ._ewc import ewc_canonical_barrier as ewc_canonical_barrier
from ._ewc import ewc_critical_tasks as ewc_critical_tasks
from ._ewc import ewc_penalty_reduction as ewc_penalty_reduction
from ._ewc import ewc_plasticity_ratio as ewc_plasticity_ratio
from ._ewc import ewc_rate as ewc_rate
from ._ewc import ewc_task as ewc_task
from ._ewc import reduce_penalties as reduce_penalties
from ._parse import parse_condition as parse_condition
from ._absorbing import AbsorbingSet as AbsorbingSet
from ._absorbing import Ball as Ball
from ._absorbing import Condition as Condition
from ._absorbing import HalfSpace as HalfSpace
from ._absorbing import Interval as Interval
from ._absorbing import absorbing_set_from_condition as absorbing_set_from_condition
from ._absorbing import half_line as half_line
from ._problem import EscapeProblem as EscapeProblem
