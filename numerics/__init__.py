"""Numerical kernels of ``kramers``: generated, disk-cached Numba code.

Importing this package does not import Numba; kernels are generated and
compiled (or loaded from the on-disk cache) on first use.
"""

from ._codegen import build_kernel_module as build_kernel_module
from ._codegen import cache_directory as cache_directory
from ._first_passage import DEFAULT_MAXIMUM_STEPS as DEFAULT_MAXIMUM_STEPS
from ._first_passage import FirstPassageSample as FirstPassageSample
from ._first_passage import first_passage_ensemble as first_passage_ensemble
from ._first_passage import replay_trajectory as replay_trajectory
from ._jit import SAFE_FASTMATH_FLAGS as SAFE_FASTMATH_FLAGS
from ._jit import CompilationStatistics as CompilationStatistics
from ._jit import compilation_statistics as compilation_statistics
from ._jit import jit as jit
from ._absorbing import AbsorbingSet as AbsorbingSet
from ._absorbing import Ball as Ball
from ._absorbing import Condition as Condition
from ._absorbing import HalfSpace as HalfSpace
from ._absorbing import absorbing_set_from_condition as absorbing_set_from_condition
from ._absorbing import half_line as half_line
from ._langevin import DtLadder as DtLadder
from ._langevin import LangevinSample as LangevinSample
from ._langevin import dt_ladder as dt_ladder
from ._langevin import langevin_first_passage as langevin_first_passage
from ._langevin import replay_langevin_trajectory as replay_langevin_trajectory

__all__ = [
    "DEFAULT_MAXIMUM_STEPS",
    "SAFE_FASTMATH_FLAGS",
    "CompilationStatistics",
    "FirstPassageSample",
    "build_kernel_module",
    "cache_directory",
    "compilation_statistics",
    "first_passage_ensemble",
    "jit",
    "replay_trajectory",
    "AbsorbingSet",
    "Ball",
    "Condition",
    "HalfSpace",
    "absorbing_set_from_condition",
    "half_line",
    "DtLadder",
    "LangevinSample",
    "dt_ladder",
    "langevin_first_passage",
    "replay_langevin_trajectory",
]
