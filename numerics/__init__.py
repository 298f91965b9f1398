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
]
from ._fokker_planck import FokkerPlanckGrid as FokkerPlanckGrid
from ._fokker_planck import SurvivalCurve as SurvivalCurve
from ._fokker_planck import fokker_planck_eigenvalues as fokker_planck_eigenvalues
from ._fokker_planck import fokker_planck_grid as fokker_planck_grid
from ._fokker_planck import fokker_planck_mfpt as fokker_planck_mfpt
from ._fokker_planck import fokker_planck_survival as fokker_planck_survival
from ._fokker_planck import richardson as richardson
__all__ += [
    "FokkerPlanckGrid", "SurvivalCurve", "fokker_planck_eigenvalues", "fokker_planck_grid", "fokker_planck_mfpt",
    "fokker_planck_survival", "richardson",
]
