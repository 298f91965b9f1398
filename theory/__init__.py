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
from ._mfpt import exact_mfpt as exact_mfpt
from ._mfpt import mean_first_passage_time as mean_first_passage_time
from ._parse import ALLOWED_FUNCTIONS as ALLOWED_FUNCTIONS
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
from ._parse import parse_condition as parse_condition
