"""Numerical kernels of ``kramers``: generated, disk-cached Numba code.

Importing this package does not import Numba; kernels are generated and
compiled (or loaded from the on-disk cache) on first use.
"""

from ._codegen import build_kernel_module as build_kernel_module
from ._codegen import cache_directory as cache_directory
from ._jit import SAFE_FASTMATH_FLAGS as SAFE_FASTMATH_FLAGS
from ._jit import CompilationStatistics as CompilationStatistics
from ._jit import compilation_statistics as compilation_statistics
from ._jit import jit as jit
# The absorbing sets and the problem are theory's objects; numerics compiles them.
from theory._absorbing import AbsorbingSet as AbsorbingSet
from theory._absorbing import Ball as Ball
from theory._absorbing import Condition as Condition
from theory._absorbing import HalfSpace as HalfSpace
from theory._absorbing import Interval as Interval
from theory._absorbing import absorbing_set_from_condition as absorbing_set_from_condition
from theory._absorbing import half_line as half_line
from theory._problem import EscapeProblem as EscapeProblem
from ._integrators import AbstractIntegrator as AbstractIntegrator
from ._integrators import BAOAB as BAOAB
from ._integrators import EulerMaruyama as EulerMaruyama
from ._integrators import StochasticHeun as StochasticHeun
from ._integrators import integrator_named as integrator_named
from ._langevin import DEFAULT_MAXIMUM_STEPS as DEFAULT_MAXIMUM_STEPS
from ._langevin import DtLadder as DtLadder
from ._langevin import LangevinSample as LangevinSample
from ._langevin import Outcome as Outcome
from ._langevin import dt_ladder as dt_ladder
from ._langevin import langevin_first_passage as langevin_first_passage
from ._langevin import replay_trajectory as replay_trajectory

__all__ = [
    "DEFAULT_MAXIMUM_STEPS",
    "SAFE_FASTMATH_FLAGS",
    "CompilationStatistics",
    "build_kernel_module",
    "cache_directory",
    "compilation_statistics",
    "jit",
    "AbsorbingSet",
    "Ball",
    "Condition",
    "HalfSpace",
    "Interval",
    "absorbing_set_from_condition",
    "half_line",
    "EscapeProblem",
    "AbstractIntegrator",
    "BAOAB",
    "EulerMaruyama",
    "StochasticHeun",
    "integrator_named",
    "DtLadder",
    "LangevinSample",
    "Outcome",
    "dt_ladder",
    "langevin_first_passage",
    "replay_trajectory",
]
from ._skills import GeometryRun as GeometryRun
from ._skills import GeometryScalingTasks as GeometryScalingTasks
from ._skills import eta_effective as eta_effective
from ._skills import geometry_model as geometry_model
from ._skills import learning_times as learning_times
from ._skills import COMPOSITIONAL_STRUCTURES as COMPOSITIONAL_STRUCTURES
from ._skills import gated_learning_order as gated_learning_order
from ._skills import power_law_frequencies as power_law_frequencies
from ._skills import resource_model as resource_model
from ._skills import task_vectors as task_vectors

# Chunked ensembles: checkpoints and the optional Dask backend (numerics._ensemble, _checkpoint, _distributed).
from ._checkpoint import Checkpoint as Checkpoint  # noqa: E402
from ._checkpoint import CheckpointError as CheckpointError  # noqa: E402
from ._ensemble import EnsembleRun as EnsembleRun  # noqa: E402
from ._ensemble import LangevinChunks as LangevinChunks  # noqa: E402
from ._ensemble import merge_samples as merge_samples  # noqa: E402
from ._ensemble import run_ensemble as run_ensemble  # noqa: E402
from ._distributed import DaskBackend as DaskBackend  # noqa: E402

__all__ += ["Checkpoint", "CheckpointError", "DaskBackend", "EnsembleRun", "LangevinChunks", "merge_samples",
            "run_ensemble"]
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
from ._quadrature import ExitTimeStatistics as ExitTimeStatistics
from ._quadrature import exit_time_statistics as exit_time_statistics
from ._quadrature import exact_escape_time as exact_escape_time
__all__ += ["ExitTimeStatistics", "exact_escape_time", "exit_time_statistics"]
from ._paths import DEFAULT_IMAGES as DEFAULT_IMAGES
from ._paths import Hop as Hop
from ._paths import StringPath as StringPath
from ._paths import TransitionPath as TransitionPath
from ._paths import string_method as string_method
from ._paths import transition_path as transition_path
__all__ += ["DEFAULT_IMAGES", "Hop", "StringPath", "TransitionPath", "string_method", "transition_path"]
from ._fokker_planck_2d import TensorGrid as TensorGrid  # noqa: E402
from ._fokker_planck_2d import TensorSurvival as TensorSurvival  # noqa: E402
from ._fokker_planck_2d import fokker_planck_2d_eigenvalues as fokker_planck_2d_eigenvalues  # noqa: E402
from ._fokker_planck_2d import fokker_planck_2d_mfpt as fokker_planck_2d_mfpt  # noqa: E402
from ._fokker_planck_2d import fokker_planck_2d_survival as fokker_planck_2d_survival  # noqa: E402
from ._fokker_planck_2d import tensor_grid as tensor_grid  # noqa: E402
__all__ += [
    "TensorGrid", "TensorSurvival", "fokker_planck_2d_eigenvalues", "fokker_planck_2d_mfpt", "fokker_planck_2d_survival",
    "tensor_grid",
]
