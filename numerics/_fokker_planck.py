"""The Fokker-Planck equation with an absorbing boundary: a second, independent oracle.

For overdamped dynamics with friction gamma and temperature T(t) the density
p(x, t) obeys the conservation law (Risken 1989, ch. 5; Gardiner 2009, sec. 5.2)

    dp/dt = -dJ/dx,        J = -(1/gamma) (U'(x) p + T(t) dp/dx),

on [L, b] with a reflecting end, J(L) = 0, and an absorbing end, p(b) = 0.
The survival S(t) = int p dx, the outflux J(b, t), the hazard rate
J(b)/S and the cumulative hazard H(t) = -ln S(t) follow from p.

Discretisation (vertex-centred finite volumes).  Nodes x_j = L + j h,
j = 0..N, the absorbing node x_N = b carries p = 0; node j owns the control
volume [x_j - h/2, x_j + h/2] cut to [L, b] (h/2 at the reflecting node).
The flux between neighbours is Scharfetter and Gummel's (1969)
exponentially fitted flux, written with the potential difference
dU = U(x_{j+1}) - U(x_j),

    J_{j+1/2} = (T / (gamma h)) [B(dU/T) p_j - B(-dU/T) p_{j+1}],
    B(z) = z / (e^z - 1)  (the Bernoulli function),

which vanishes exactly on the Boltzmann density p ∝ e^{-U/T} (B(-z) = e^z B(z))
and gives an M-matrix for any cell Peclet number, so densities stay positive.
The semi-discrete system is  M dp/dt = K(T) p  with M the diagonal of
control volumes and K tridiagonal.  For smooth data the scheme is second order
in h (Markowich 1986; the MFPT and the eigenvalue convergence orders are
measured in the tests and in ``kramers verify fpe_vs_exact``).

Time stepping.  Crank-Nicolson, (M - dt/2 K(t_{n+1})) p^{n+1} = (M + dt/2 K(t_n)) p^n,
preceded by four backward-Euler half steps (Rannacher 1984), which damp the
non-smooth modes of the point-mass start that plain Crank-Nicolson would keep
oscillating; the scheme is second order in dt.  Each step is a tridiagonal
solve (scipy.linalg.solve_banded).  The absorbed mass is accumulated from the
outflux with the same trapezoidal weights, so 1 - S is conservative and
accurate even when it is 1e-12.

Stationary problems (constant T).  At low T the generator is nearly
singular (condition number ~ tau T / h^2, 1e13 at T = dU/20), and a banded LU
solve loses digits to cancellation.  Detailed balance,
forward_j pi_j = backward_j pi_{j+1} with pi = e^{-U/T}, turns both
tridiagonal solves into sums of positive terms, exact to rounding:
* The mean first-passage time u_j from node j solves the discrete backward
  equation K^T u = -M 1 (the adjoint of the semi-discrete generator), i.e.
      u_j = sum_{i >= j} (sum_{m <= i} M_m pi_m) / (pi_i forward_i),
  the discrete form of the double integral in theory._mfpt; the value at x0
  is interpolated linearly between its bracketing nodes.
* The exact escape rate is the lowest eigenvalue lambda_1 of the
  generalised problem -K v = lambda M v, by inverse iteration with
  p = (-K)^{-1} M w computed as J_{j+1/2} = sum_{i <= j} M_i w_i,
  p_j = pi_j sum_{i >= j} J_{i+1/2} / (pi_i forward_i), which keeps a positive
  vector positive; it converges at the rate lambda_1/lambda_2.  Higher
  eigenvalues (lambda_2: the relaxation rate of the well) come from the
  symmetrised matrix by shift-invert Lanczos (scipy.sparse.linalg.eigsh).

Every solver takes an :class:`~theory.EscapeProblem` as its one positional
argument, as the exact quadrature and the Langevin ensembles do: the potential,
the start x0, the absorbing half-line beyond b, the temperature (a constant or,
for the survival, a schedule T(t)) and the friction all come from it.  The
equation is the overdamped one, so a problem with a mass is refused; grid and
time-step options (``reflect``, ``cells``, ``steps``, ...) are keywords.

The start x0 is a point mass split between its bracketing nodes so that the
mass and the mean are those of the delta.  The reflecting end defaults to the
point beyond the start where U first exceeds its minimum on the grid by
``confinement`` T (neglected mass below e^{-confinement}).  For b < x0 the
problem is mirrored (x -> -x).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import sympy

from theory._errors import InvalidParameter
from theory._problem import EscapeProblem
from theory._symbols import t as time_symbol

from ._validate import check_memory, escape_problem, finite_real, integer, positive_real

__all__ = [
    "FokkerPlanckGrid",
    "SurvivalCurve",
    "fokker_planck_grid",
    "fokker_planck_survival",
    "fokker_planck_mfpt",
    "fokker_planck_eigenvalues",
    "initial_temperature",
    "overdamped_problem",
    "richardson",
    "temperature_function",
]

#: Default number of cells between the reflecting end and the absorbing point.
DEFAULT_CELLS = 2000
#: Default number of time steps over the horizon.
DEFAULT_STEPS = 4000
#: U at the automatic reflecting end exceeds its minimum by this many T.
DEFAULT_CONFINEMENT = 40.0
#: Rannacher start-up: backward-Euler half steps before Crank-Nicolson.
RANNACHER_HALF_STEPS = 4


def _bernoulli(z: np.ndarray) -> np.ndarray:
    """B(z) = z / (e^z - 1), with B(0) = 1, accurate for every z."""
    z = np.asarray(z, dtype=float)
    small = np.abs(z) < 1e-8
    safe = np.where(small, 1.0, z)
    with np.errstate(over="ignore"):
        value = safe / np.expm1(safe)
    return np.where(small, 1.0 - z / 2, value)


#: Peak bytes per cell of a solve: about 24 float64 arrays of the grid's length alive at once (nodes,
#: potential, volumes, fluxes, the banded K and M - cK, the LU workspace of solve_banded, densities).
_BYTES_PER_CELL = 24 * 8


def temperature_function(temperature: float | sympy.Expr) -> tuple[Callable[[float], float], bool]:
    """A problem's temperature as a float function of time, and whether it is constant.

    ``temperature`` is :attr:`theory.EscapeProblem.temperature`: a float, or a T(t)
    in :data:`theory.symbols.t` that the problem checked to depend on t only and
    to start positive; a T(t) that reaches zero later is refused where it does.
    """
    if isinstance(temperature, float):
        return (lambda _time: temperature), True
    function = sympy.lambdify(time_symbol, temperature, modules="math")

    def evaluate(time: float) -> float:
        try:
            value = float(function(time))
        except (ValueError, OverflowError, ZeroDivisionError):
            value = math.nan
        if not (math.isfinite(value) and value > 0):
            raise InvalidParameter(f"temperature: T(t) must be positive and finite, but T({time:.6g}) = {value}")
        return value

    return evaluate, False


@dataclasses.dataclass(frozen=True)
class FokkerPlanckGrid:
    """Nodes from the reflecting end to the absorbing point, in the working coordinate.

    In the working coordinate u = s x (s = -1 when the problem is mirrored) the
    absorbing point is the right end.  ``potential`` holds U at the nodes
    0..N (node N is the absorbing point).
    """

    nodes: np.ndarray
    potential: np.ndarray
    volumes: np.ndarray
    spacing: float
    start: float
    mirrored: bool

    @property
    def cells(self) -> int:
        return self.nodes.size - 1

    @property
    def reflect(self) -> float:
        """The reflecting end in the user's coordinate."""
        return -self.nodes[0] if self.mirrored else self.nodes[0]

    def initial_masses(self) -> np.ndarray:
        """A point mass at the start split between its bracketing unknown nodes (mass and mean preserved)."""
        position = (self.start - self.nodes[0]) / self.spacing
        left = min(int(math.floor(position)), self.cells - 1)
        weight = position - left
        masses = np.zeros(self.cells)
        masses[left] += 1.0 - weight
        if left + 1 < self.cells:
            masses[left + 1] += weight
        return masses

    def interpolate(self, values: np.ndarray) -> float:
        """Linear interpolation of node values (0 at the absorbing node) at the start."""
        return float(np.interp(self.start, self.nodes, np.append(values, 0.0)))


_DIMENSION_WORDS = {1: "one", 2: "two"}


def overdamped_problem(problem: EscapeProblem, dimension: int, *, constant: bool = False) -> EscapeProblem:
    """``problem``, checked for a Fokker-Planck solve in ``dimension`` variables (the 1-D and 2-D solvers).

    The equation solved is the overdamped (Smoluchowski) one, so the problem
    must have no mass; the stationary solves (MFPT and eigenvalues,
    ``constant=True``) need a constant temperature.
    """
    problem = escape_problem(problem)
    if not problem.overdamped:
        raise InvalidParameter(f"mass: the Fokker-Planck solver is for overdamped dynamics (mass None), the problem "
                               f"has mass {problem.mass:g}.", parameter="mass")
    if problem.dimension != dimension:
        raise InvalidParameter(f"potential: this Fokker-Planck solver is {_DIMENSION_WORDS[dimension]}-dimensional, "
                               f"the problem has {problem.dimension} variables.", parameter="potential")
    if constant and problem.schedule is not None:
        raise InvalidParameter("temperature: the MFPT and the eigenvalues need a constant temperature, the problem "
                               f"has the schedule T(t) = {problem.schedule}.", parameter="temperature")
    return problem


def initial_temperature(problem: EscapeProblem) -> float:
    """T(0), which sets the automatic reflecting end (1-D) or box (2-D)."""
    return temperature_function(problem.temperature)[0](0.0)


def _numpy_potential(problem: EscapeProblem) -> Callable[[np.ndarray], np.ndarray]:
    function = sympy.lambdify(problem.variables[0], problem.potential.numeric, modules="numpy")
    return lambda x: np.broadcast_to(np.asarray(function(x), dtype=float), np.shape(x)).copy()


def fokker_planck_grid(
    problem: EscapeProblem,
    *,
    reflect: Any = None,
    cells: int = DEFAULT_CELLS,
    confinement: float = DEFAULT_CONFINEMENT,
) -> FokkerPlanckGrid:
    """The grid of ``problem`` on [L, b] (or its mirror image); T(0) sets the automatic reflecting end."""
    problem = overdamped_problem(problem, 1)
    return _grid(problem, initial_temperature(problem), reflect, cells, confinement)


def _grid(problem: EscapeProblem, temperature: float, reflect: Any, cells: int,
          confinement: float = DEFAULT_CONFINEMENT) -> FokkerPlanckGrid:
    """:func:`fokker_planck_grid` of a checked problem, the automatic reflecting end set by ``temperature``."""
    U = _numpy_potential(problem)
    x_start, x_target = problem.start[0], problem.target
    cells = integer("cells", cells, 8)
    check_memory("cells", cells, _BYTES_PER_CELL * cells)
    sign = -1.0 if x_target < x_start else 1.0
    u_start, u_target = sign * x_start, sign * x_target
    W = lambda u: U(sign * np.asarray(u, dtype=float))  # noqa: E731  (U in the working coordinate)
    if reflect is not None:
        u_reflect = sign * finite_real("reflect", reflect)
        if not u_reflect <= u_start:
            raise InvalidParameter("reflect must lie on the far side of start from target (or at start)")
    else:
        # walk away from the target until U exceeds its minimum over the walked range by `confinement` T
        step = max(u_target - u_start, 1e-3) / 64
        probe = u_start - np.arange(0, 1_000_000) * step
        values = W(probe[:64])
        lowest = float(min(values.min(), W(np.array([u_start, u_target])).min()))
        u_reflect = None
        for chunk in range(1, 15_625):
            segment = probe[(chunk - 1) * 64: chunk * 64]
            values = W(segment)
            if not np.all(np.isfinite(values)):
                break
            lowest = min(lowest, float(values.min()))
            above = np.nonzero(values - lowest >= confinement * temperature)[0]
            if above.size:
                u_reflect = float(segment[above[0]])
                break
        if u_reflect is None:
            raise InvalidParameter(
                f"reflect: U does not rise by {confinement:g} T beyond start; give a finite reflecting end"
            )
    nodes = np.linspace(u_reflect, u_target, cells + 1)
    values = W(nodes)
    if not np.all(np.isfinite(values)):
        raise InvalidParameter("potential: U is not finite everywhere between the reflecting end and the target")
    spacing = float(nodes[1] - nodes[0])
    volumes = np.full(cells, spacing)
    volumes[0] = spacing / 2
    return FokkerPlanckGrid(nodes, values, volumes, spacing, u_start, sign < 0)


def scharfetter_gummel(difference: np.ndarray, temperature: float, friction: float,
                       spacing: float) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients (forward, backward) of the Scharfetter-Gummel flux across faces of width ``spacing``.

    For neighbours i -> j along one axis with U_j - U_i = ``difference``, the flux
    per unit face area is J = forward p_i - backward p_j with
    forward = T/(gamma h) B(dU/T) and backward = T/(gamma h) B(-dU/T).  Both are
    positive for every dU (an M-matrix), and J vanishes on p ∝ e^{-U/T}.  The 1-D
    solver here and the tensor-grid solver of :mod:`numerics._fokker_planck_2d`
    both build their generators from it.
    """
    z = difference / temperature
    scale = temperature / (friction * spacing)
    return scale * _bernoulli(z), scale * _bernoulli(-z)


def _fluxes(grid: FokkerPlanckGrid, temperature: float, friction: float) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients (forward, backward) of J_{j+1/2} = forward_j p_j - backward_j p_{j+1}, j = 0..N-1."""
    return scharfetter_gummel(np.diff(grid.potential), temperature, friction, grid.spacing)


def _generator_bands(grid: FokkerPlanckGrid, temperature: float, friction: float) -> np.ndarray:
    """K as a (3, N) banded array (upper, diagonal, lower) in scipy.linalg.solve_banded's layout."""
    forward, backward = _fluxes(grid, temperature, friction)
    n = grid.cells
    bands = np.zeros((3, n))
    # d(M p)_j/dt = J_{j-1/2} - J_{j+1/2}
    bands[1, :] -= forward[:n]          # -J_{j+1/2} contains -forward_j p_j
    bands[1, 1:] -= backward[: n - 1]   # +J_{j-1/2} contains -backward_{j-1} p_j
    bands[0, 1:] = backward[: n - 1]    # K_{j, j+1} = backward_j
    bands[2, :-1] = forward[: n - 1]    # K_{j+1, j} = forward_j
    return bands


def _generator_sparse(grid: FokkerPlanckGrid, temperature: float, friction: float):
    import scipy.sparse

    bands = _generator_bands(grid, temperature, friction)
    return scipy.sparse.diags([bands[2, :-1], bands[1], bands[0, 1:]], [-1, 0, 1], format="csc")


#: Largest (U_max - U_min) / T on the grid: beyond it e^{U/T} overflows double precision.
MAXIMUM_EXPONENT = 600.0


def _boltzmann_sums(grid: FokkerPlanckGrid, temperature: float, friction: float):
    """(pi at the unknown nodes, 1 / (pi_i forward_i)) with pi = e^{-(U - U_min)/T}."""
    values = grid.potential[:-1]
    exponent = (values - values.min()) / temperature
    if exponent.max() > MAXIMUM_EXPONENT:
        raise InvalidParameter(
            f"temperature: (U_max - U_min)/T = {exponent.max():.0f} on the grid exceeds {MAXIMUM_EXPONENT:g}; "
            "raise T or give a nearer reflecting end"
        )
    forward, _ = _fluxes(grid, temperature, friction)
    return np.exp(-exponent), np.exp(exponent) / forward


def fokker_planck_mfpt(problem: EscapeProblem, *, reflect: Any = None, cells: int = DEFAULT_CELLS) -> float:
    """Mean first-passage time of ``problem`` (constant T) from the discrete backward equation K^T u = -M 1."""
    problem = overdamped_problem(problem, 1, constant=True)
    temperature, friction = problem.constant_temperature, problem.friction
    grid = _grid(problem, temperature, reflect, cells)
    pi, resistance = _boltzmann_sums(grid, temperature, friction)
    increments = np.cumsum(grid.volumes * pi) * resistance
    u = np.cumsum(increments[::-1])[::-1]
    return grid.interpolate(u)


def _inverse_iteration(grid: FokkerPlanckGrid, temperature: float, friction: float,
                       tolerance: float = 1e-14, iterations: int = 500) -> float:
    pi, resistance = _boltzmann_sums(grid, temperature, friction)
    w = pi.copy()
    estimate = math.inf
    for _ in range(iterations):
        flux = np.cumsum(grid.volumes * w)
        p = pi * np.cumsum((flux * resistance)[::-1])[::-1]
        new = float(np.sum(grid.volumes * w) / np.sum(grid.volumes * p))
        w = p / np.max(p)
        if abs(new - estimate) <= tolerance * new:
            return new
        estimate = new
    return estimate


def lowest_eigenvalues(K, volumes: np.ndarray, potential: np.ndarray, temperature: float, count: int) -> np.ndarray:
    """The ``count`` lowest eigenvalues of -K v = lambda M v for a generator K in detailed balance.

    With pi = e^{-(U - U_min)/T} at the unknowns, K diag(pi) is symmetric, so
    -D^{-1/2} K diag(pi) D^{-1/2} with D = M diag(pi), i.e.
    -diag(1/(sqrt(pi) sqrt(M))) K diag(sqrt(pi)/sqrt(M)), is symmetric with the
    same eigenvalues; they come from shift-invert Lanczos at sigma = 0
    (scipy.sparse.linalg.eigsh), ascending.  The Lanczos start vector is
    ARPACK's kind (uniform on (-1, 1)) but drawn from a fixed seed: ARPACK's own
    random start made the values differ from run to run in the 13th digit.
    """
    import scipy.sparse
    import scipy.sparse.linalg

    shift = potential - potential.min()
    root = np.exp(-shift / (2 * temperature))
    left = scipy.sparse.diags(1.0 / (root * np.sqrt(volumes)))
    right = scipy.sparse.diags(root / np.sqrt(volumes))
    symmetric = -(left @ K @ right)
    symmetric = (symmetric + symmetric.T) / 2
    start = np.random.default_rng(0).uniform(-1.0, 1.0, symmetric.shape[0])
    return np.sort(scipy.sparse.linalg.eigsh(symmetric.tocsc(), k=count, sigma=0, which="LM", v0=start,
                                             return_eigenvectors=False))


def fokker_planck_eigenvalues(
    problem: EscapeProblem, *, reflect: Any = None, cells: int = DEFAULT_CELLS, count: int = 1,
) -> np.ndarray:
    """The ``count`` lowest eigenvalues of -K v = lambda M v (lambda_1: the exact escape rate), ascending.

    ``problem`` has a constant temperature.
    """
    problem = overdamped_problem(problem, 1, constant=True)
    temperature, friction = problem.constant_temperature, problem.friction
    count = integer("count", count, 1)
    grid = _grid(problem, temperature, reflect, cells)
    lowest = _inverse_iteration(grid, temperature, friction)
    if count == 1:
        return np.array([lowest])
    K = _generator_sparse(grid, temperature, friction)
    values = lowest_eigenvalues(K, grid.volumes, grid.potential[:-1], temperature, count)
    values[0] = lowest
    return values


@dataclasses.dataclass(frozen=True)
class SurvivalCurve:
    """Survival, cumulative hazard and hazard rate on a time grid, from the Fokker-Planck equation."""

    times: np.ndarray
    survival: np.ndarray
    hazard: np.ndarray         # cumulative hazard H(t) = -ln S(t)
    hazard_rate: np.ndarray    # outflux J(b, t) / S(t)
    temperatures: np.ndarray
    cells: int
    steps: int
    reflect: float

    def as_dict(self) -> dict:
        return {
            "times": self.times.tolist(),
            "survival": self.survival.tolist(),
            "hazard": self.hazard.tolist(),
            "hazard_rate": self.hazard_rate.tolist(),
            "temperatures": self.temperatures.tolist(),
            "cells": self.cells,
            "steps": self.steps,
            "reflect": self.reflect,
        }


@dataclasses.dataclass(frozen=True)
class SemiDiscrete:
    """A semi-discrete Fokker-Planck problem M dp/dt = K(T) p, as the time stepper sees it.

    ``volumes`` is the diagonal of M; ``generator(T)`` builds K(T) in whatever
    storage the spatial scheme uses (bands in 1-D, a sparse matrix on a tensor
    grid); ``apply(K, p)`` is K p, ``solver(K, factor)`` returns a function
    solving (M - factor K) q = r for q, and ``outflux(K, p)`` is the flux into
    the absorbing set.  :func:`march` steps any such problem.
    """

    volumes: np.ndarray
    generator: Callable[[float], Any]
    apply: Callable[[Any, np.ndarray], np.ndarray]
    solver: Callable[[Any, float], Callable[[np.ndarray], np.ndarray]]
    outflux: Callable[[Any, np.ndarray], float]


def march(problem: SemiDiscrete, density: np.ndarray, temperature_of: Callable[[float], float], constant: bool,
          horizon: float, steps: int, stride: int):
    """Rannacher start-up and Crank-Nicolson from ``density`` to ``horizon``.

    Returns (times, absorbed, outfluxes, temperatures) every ``stride`` steps,
    t = 0 included.  The absorbed mass is the trapezoidal integral of the
    outflux with the weights of the scheme, so 1 - S is conservative.
    """
    dt = horizon / steps
    volumes = problem.volumes
    T0 = temperature_of(0.0)
    K0 = problem.generator(T0)
    times, absorbed_list, rates, temperatures = [0.0], [0.0], [problem.outflux(K0, density)], [T0]
    absorbed = 0.0
    now = 0.0
    # Rannacher start-up: backward-Euler half steps, then Crank-Nicolson
    half = dt / 2
    start_up = min(RANNACHER_HALF_STEPS, 2 * steps)
    step_index = 0
    for index in range(start_up):
        T_new = temperature_of(now + half)
        K = problem.generator(T_new)
        density = problem.solver(K, half)(volumes * density)
        absorbed += half * problem.outflux(K, density)
        now += half
        if index % 2 == 1:
            step_index += 1
            if step_index % stride == 0:
                times.append(now); absorbed_list.append(absorbed)  # noqa: E702
                rates.append(problem.outflux(K, density)); temperatures.append(T_new)  # noqa: E702
    T_old = temperature_of(now)
    K_old = problem.generator(T_old)
    constant_solve = problem.solver(K_old, dt / 2) if constant else None
    while step_index < steps:
        T_new = temperature_of(now + dt)
        if constant:
            solve, K_new = constant_solve, K_old
        else:
            K_new = problem.generator(T_new)
            solve = problem.solver(K_new, dt / 2)
        right = volumes * density + dt / 2 * problem.apply(K_old, density)
        flux_old = problem.outflux(K_old, density)
        density = solve(right)
        flux_new = problem.outflux(K_new, density)
        absorbed += dt / 2 * (flux_old + flux_new)
        now += dt
        step_index += 1
        T_old, K_old = T_new, K_new
        if step_index % stride == 0:
            times.append(now); absorbed_list.append(absorbed)  # noqa: E702
            rates.append(flux_new); temperatures.append(T_new)  # noqa: E702
    return times, absorbed_list, rates, temperatures


def survival_from_absorbed(times, absorbed_list, rates):
    """(times, S, H = -ln S, hazard rate = outflux / S) as arrays, from :func:`march`'s lists."""
    times = np.array(times)
    absorbed_array = np.clip(np.array(absorbed_list), 0.0, 1.0)
    survival = 1.0 - absorbed_array
    with np.errstate(divide="ignore"):
        hazard = -np.log1p(-absorbed_array)
        hazard_rate = np.array(rates) / np.where(survival > 0, survival, np.nan)
    return times, survival, hazard, hazard_rate


def _banded_problem(grid: FokkerPlanckGrid, friction: float) -> SemiDiscrete:
    """The vertex-centred 1-D scheme: K as solve_banded bands, with the outflux coefficient of the last node."""
    import scipy.linalg

    def generator(T):
        forward, _ = _fluxes(grid, T, friction)
        return _generator_bands(grid, T, friction), forward[-1]

    def apply(K, p):
        bands = K[0]
        result = bands[1] * p
        result[:-1] += bands[0, 1:] * p[1:]
        result[1:] += bands[2, :-1] * p[:-1]
        return result

    def solver(K, factor):
        A = -factor * K[0]
        A[1] += grid.volumes
        return lambda right: scipy.linalg.solve_banded((1, 1), A, right, check_finite=False)

    return SemiDiscrete(grid.volumes, generator, apply, solver, lambda K, p: K[1] * p[-1])


def fokker_planck_survival(
    problem: EscapeProblem,
    *,
    horizon: Any,
    reflect: Any = None,
    cells: int = DEFAULT_CELLS,
    steps: int = DEFAULT_STEPS,
    outputs: int | None = None,
) -> SurvivalCurve:
    """Solve the Fokker-Planck equation of ``problem`` from a point mass at its start up to ``horizon``.

    The problem's temperature is a constant or a schedule T(t); the automatic
    reflecting end is set by T(0) (pass ``reflect`` when T(t) rises far above
    T(0)).  ``outputs`` time points (default: every step) are returned,
    equally spaced, including t = 0.
    """
    problem = overdamped_problem(problem, 1)
    T_of, constant, horizon, steps, stride = survival_options(problem, horizon, steps, outputs)
    grid = _grid(problem, T_of(0.0), reflect, cells)
    density = grid.initial_masses() / grid.volumes
    times, absorbed, rates, temperatures = march(_banded_problem(grid, problem.friction), density, T_of, constant,
                                                 horizon, steps, stride)
    times, survival, hazard, hazard_rate = survival_from_absorbed(times, absorbed, rates)
    return SurvivalCurve(times, survival, hazard, hazard_rate, np.array(temperatures), grid.cells, steps, grid.reflect)


def survival_options(problem: EscapeProblem, horizon, steps, outputs):
    """The validated options of a survival solve of ``problem``, in one and two dimensions.

    Returns ``(T_of, constant, horizon, steps, stride)``: the problem's temperature
    as a function of time and whether it is constant, then the checked numbers and
    the output stride.
    """
    T_of, constant = temperature_function(problem.temperature)
    horizon = positive_real("horizon", horizon)
    steps = integer("steps", steps, 8)
    return T_of, constant, horizon, steps, output_stride(steps, outputs)


def output_stride(steps: int, outputs: int | None) -> int:
    """Steps between reported time points: ``outputs`` (default: every step) must divide ``steps``."""
    outputs = steps if outputs is None else integer("outputs", outputs, 1)
    if steps % outputs:
        raise InvalidParameter(f"outputs must divide steps = {steps}, got {outputs}")
    return steps // outputs


def richardson(coarse: float, medium: float, fine: float, ratio: float = 2.0) -> tuple[float, float, float]:
    """Observed order p, Richardson-extrapolated value and error estimate of ``fine`` from three refinements.

    With e_h = C h^p: p = log(|coarse - medium| / |medium - fine|) / log(ratio), and the
    error of the finest value is (fine - medium) / (ratio^p - 1).
    """
    d1, d2 = coarse - medium, medium - fine
    if d2 == 0 or d1 == 0 or d1 * d2 < 0:
        raise InvalidParameter("richardson: the refinements are not in the asymptotic range (differences change sign or vanish)")
    order = math.log(abs(d1) / abs(d2)) / math.log(ratio)
    error = (fine - medium) / (ratio**order - 1)
    return order, fine + error, abs(error)
