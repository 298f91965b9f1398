"""The Fokker-Planck equation in two dimensions on a tensor grid: the oracle for 2-D ensembles.

Overdamped dynamics in U(x, y) with friction gamma and temperature T(t) has the
density p(x, y, t) with (Risken 1989, ch. 6; Gardiner 2009, sec. 6.1)

    dp/dt = -div J,        J = -(1/gamma) (grad U p + T(t) grad p),

in a box with zero flux through its walls (reflecting) and p = 0 on the
absorbing set A.  S(t) = int p, the outflux into A, the hazard J_A/S and
H = -ln S follow as in one dimension (:mod:`numerics._fokker_planck`).

Discretisation (cell-centred finite volumes).  The box [x_0, x_1] x [y_0, y_1]
is cut into n_x x n_y cells of sides h_x, h_y with centres c_ij.  A cell whose
centre lies in A is absorbing (p = 0, Dirichlet); every other cell is an
unknown.  The flux through the face between neighbours along x is the
one-dimensional Scharfetter-Gummel flux (the same function as the 1-D solver,
:func:`numerics._fokker_planck.scharfetter_gummel`) times the face length h_y:

    F_{i+1/2,j} = h_y (T / (gamma h_x)) [B(dU/T) p_ij - B(-dU/T) p_{i+1,j}],

dU = U(c_{i+1,j}) - U(c_ij), and likewise along y.  It vanishes on the
Boltzmann density and gives an M-matrix, so the density stays positive; the
semi-discrete system M dp/dt = K(T) p (M = h_x h_y) is sparse
(scipy.sparse), five-point, its pattern assembled once per grid.  Faces on
the box walls carry no flux.

Where the boundary of A lies (cut faces).  On a face between an unknown cell
and an absorbing one the boundary point is found by bisection along the
segment joining their centres, a fraction theta of the way; the flux then runs
from the unknown's centre to that point, where p = 0, over the distance
theta h and with U taken at the boundary point (the Shortley-Weller
treatment of a Dirichlet boundary between grid points).  Summed, these fluxes
are the outflux.  A boundary that does not run through cell centres (an
oblique half-plane, a disc, any condition) so keeps the scheme second order
instead of the first order of a staircase; the measured order is reported by
``kramers fpe`` (tests: 2.0-2.1 on the MFPT for an axis-aligned and an
oblique half-plane).

The box.  Given, or chosen from the potential: starting from a square around
the start, each side is pushed out while unknown points of a coarse probe grid
on it have U - U_min below ``confinement`` T (U_min over the unknowns); the box
is then the bounding box of those low points plus two probe cells each side,
and reaches a tenth of its width into A where A borders them (so that coarse
grids still have absorbing cells).  The mass so neglected is about
e^{-confinement}.

Time stepping (:func:`numerics._fokker_planck.march`, shared with 1-D):
Rannacher start-up and Crank-Nicolson, second order in dt.  Each step solves
(M - dt/2 K(T)) p = r; the LU factorisation (scipy.sparse.linalg.splu) of one
step's matrix serves the next ones by defect correction (iterative
refinement to a relative residual of 1e-10), and is renewed when the
correction needs more than eight sweeps, so a schedule T(t) costs a
few factorisations rather than one per step (measured on 64^2 cells, 300
steps through a spike: 10 factorisations instead of 153, half the time).

Stationary problems (constant T).  The mean first-passage time u solves the
discrete backward equation K^T u = -M 1 (a sparse direct solve), interpolated
bilinearly to the start (u = 0 on absorbing cells).  The escape rate is the
lowest eigenvalue of -K v = lambda M v, from the matrix symmetrised by detailed
balance and shift-invert Lanczos at sigma = 0 (shared with 1-D).

The call.  Like the 1-D solver, every solver takes a two-dimensional, overdamped
:class:`~theory.EscapeProblem` as its one positional argument (potential, start,
absorbing set, temperature or schedule, friction) and the grid options as
keywords.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import sympy

from theory._absorbing import AbsorbingSet, Ball, Condition, HalfSpace
from theory._errors import InvalidParameter
from theory._problem import EscapeProblem

from ._fokker_planck import (
    MAXIMUM_EXPONENT, SemiDiscrete, initial_temperature, lowest_eigenvalues, march, overdamped_problem,
    scharfetter_gummel, survival_from_absorbed, survival_options,
)
from ._validate import finite_real, integer

__all__ = [
    "TensorGrid",
    "TensorSurvival",
    "tensor_grid",
    "fokker_planck_2d_survival",
    "fokker_planck_2d_mfpt",
    "fokker_planck_2d_eigenvalues",
    "DEFAULT_CELLS_2D",
    "DEFAULT_STEPS_2D",
    "DEFAULT_CONFINEMENT_2D",
]

#: Default cells per axis, and time steps over the horizon.
DEFAULT_CELLS_2D = 128
DEFAULT_STEPS_2D = 400
#: The automatic box ends where U exceeds its minimum over the unknowns by this many T.
DEFAULT_CONFINEMENT_2D = 30.0
#: Probe points per axis when the box is chosen from the potential.
_PROBE = 129
#: Defect correction: target relative residual and sweeps before the LU is renewed.
_RESIDUAL = 1e-10
_SWEEPS = 12
_RENEW_AFTER = 8


@dataclasses.dataclass(frozen=True)
class TensorGrid:
    """Cell centres, spacings, the box, U at the centres and which cells are absorbing."""

    centres: tuple[np.ndarray, np.ndarray]
    spacing: tuple[float, float]
    box: tuple[tuple[float, float], tuple[float, float]]
    potential: np.ndarray        # U at the centres, shape (n_x, n_y)
    absorbed: np.ndarray         # True where the centre is in the absorbing set
    start: tuple[float, float]
    absorbing: AbsorbingSet = dataclasses.field(repr=False)
    function: Any = dataclasses.field(repr=False, compare=False)   # U(x, y) on arrays

    @property
    def cells(self) -> tuple[int, int]:
        return self.potential.shape

    @property
    def unknowns(self) -> np.ndarray:
        """Flat indices (C order) of the cells that are not absorbing."""
        return np.flatnonzero(~self.absorbed.ravel())

    @property
    def volumes(self) -> np.ndarray:
        return np.full(self.unknowns.size, self.spacing[0] * self.spacing[1])

    def as_dict(self) -> dict:
        return {
            "cells": list(self.cells),
            "box": [list(side) for side in self.box],
            "spacing": list(self.spacing),
            "unknowns": int(self.unknowns.size),
            "absorbing_cells": int(self.absorbed.sum()),
        }

    def _bilinear(self, point) -> list[tuple[int, int, float]]:
        """(i, j, weight) of the four centres around ``point`` (weights sum to 1)."""
        corners = []
        for axis in range(2):
            centres = self.centres[axis]
            position = (point[axis] - centres[0]) / self.spacing[axis]
            low = min(max(int(math.floor(position)), 0), centres.size - 2)
            weight = min(max(position - low, 0.0), 1.0)
            corners.append(((low, 1.0 - weight), (low + 1, weight)))
        return [(i, j, wi * wj) for i, wi in corners[0] for j, wj in corners[1] if wi * wj > 0]

    def initial_density(self) -> np.ndarray:
        """A point mass at the start spread bilinearly over the surrounding unknown cells (unit mass)."""
        full = np.zeros(self.cells)
        for i, j, weight in self._bilinear(self.start):
            if not self.absorbed[i, j]:
                full[i, j] += weight
        total = full.sum()
        if total == 0:
            raise InvalidParameter("start: every cell around the start is absorbing; refine the grid")
        return (full / total).ravel()[self.unknowns] / (self.spacing[0] * self.spacing[1])

    def interpolate(self, values: np.ndarray) -> float:
        """Bilinear interpolation at the start of values on the unknowns (0 on absorbing cells)."""
        full = np.zeros(self.cells).ravel()
        full[self.unknowns] = values
        full = full.reshape(self.cells)
        return float(sum(weight * full[i, j] for i, j, weight in self._bilinear(self.start)))


def absorbing_mask(absorbing: AbsorbingSet, coordinates) -> np.ndarray:
    """Membership in ``absorbing`` of many points at once (``coordinates[k]``: the k-th coordinates, one shape)."""
    coordinates = [np.asarray(x, dtype=float) for x in coordinates]
    shape = np.broadcast_shapes(*(x.shape for x in coordinates))
    if isinstance(absorbing, HalfSpace):
        return sum(n * x for n, x in zip(absorbing.normal, coordinates)) >= absorbing.offset
    if isinstance(absorbing, Ball):
        return sum((x - c) ** 2 for c, x in zip(absorbing.center, coordinates)) <= absorbing.radius**2
    if isinstance(absorbing, Condition):
        function = sympy.lambdify(absorbing.variables, absorbing.condition, modules="numpy")
        return np.broadcast_to(np.asarray(function(*coordinates), dtype=bool), shape)
    raise InvalidParameter(f"absorbing: a {type(absorbing).__name__} has no two-dimensional grid form")


def _numpy_potential(problem: EscapeProblem):
    function = sympy.lambdify(problem.variables, problem.potential.numeric, modules="numpy")

    def evaluate(x, y):
        with np.errstate(all="ignore"):
            return np.broadcast_to(np.asarray(function(x, y), dtype=float), np.shape(x)).copy()

    return evaluate


def _automatic_box(U, absorbing: AbsorbingSet, start, temperature: float, confinement: float):
    """The box where U - U_min < confinement T on the unknowns, from a growing probe grid."""
    near = absorbing.nearest_point(start)
    reach = max(1.0, 2 * math.dist(start, near))
    box = [[s - reach, s + reach] for s in start]
    for _ in range(60):
        axes = [np.linspace(low, high, _PROBE) for low, high in box]
        X, Y = np.meshgrid(*axes, indexing="ij")
        values = U(X, Y)
        live = ~absorbing_mask(absorbing, (X, Y)) & np.isfinite(values)
        if not live.any():
            raise InvalidParameter("absorbing set: it covers every probed point around the start")
        low = live & (values - values[live].min() < confinement * temperature)
        edges = ((0, 0, low[0, :]), (0, 1, low[-1, :]), (1, 0, low[:, 0]), (1, 1, low[:, -1]))
        grow = [(axis, side) for axis, side, edge in edges if edge.any()]
        if not grow:
            break
        for axis, side in grow:
            width = box[axis][1] - box[axis][0]
            box[axis][side] += (width / 2) * (1 if side else -1)
    else:
        raise InvalidParameter(f"box: U does not rise by {confinement:g} T around the start; give a finite box")
    near = np.zeros_like(low)  # probe points next to a low one
    near[1:] |= low[:-1]; near[:-1] |= low[1:]; near[:, 1:] |= low[:, :-1]; near[:, :-1] |= low[:, 1:]  # noqa: E702
    border = near & ~live      # absorbing points bordering the low region
    result = []
    for axis in range(2):
        low_indices = np.nonzero(low.any(axis=1 - axis))[0]
        border_indices = np.nonzero(border.any(axis=1 - axis))[0]
        first, last = low_indices.min(), low_indices.max()
        step = axes[axis][1] - axes[axis][0]
        reach = 0.1 * (axes[axis][last] - axes[axis][first])
        # where the absorbing set borders the low region, reach a tenth of the width into it, so that
        # even a coarse grid (8 cells per axis) has absorbing cells there
        below = max(2 * step, reach if border_indices.size and border_indices.min() < first else 0.0)
        above = max(2 * step, reach if border_indices.size and border_indices.max() > last else 0.0)
        result.append((axes[axis][first] - below, axes[axis][last] + above))
    return tuple(result)


def tensor_grid(
    problem: EscapeProblem,
    *,
    box: Sequence[Sequence[Any]] | None = None,
    cells: int | Sequence[int] = DEFAULT_CELLS_2D,
    confinement: float = DEFAULT_CONFINEMENT_2D,
) -> TensorGrid:
    """The tensor grid of a 2-D first-passage ``problem``; T(0) sets the automatic box.

    ``box`` is ((x_0, x_1), (y_0, y_1)) or None (chosen from the potential);
    ``cells`` is a count per axis or a pair.
    """
    problem = overdamped_problem(problem, 2)
    return _grid(problem, initial_temperature(problem), box, cells, confinement)


def _grid(problem: EscapeProblem, temperature: float, box, cells,
          confinement: float = DEFAULT_CONFINEMENT_2D) -> TensorGrid:
    """:func:`tensor_grid` of a checked problem, the automatic box set by ``temperature``."""
    U = _numpy_potential(problem)
    start, absorbing = problem.start, problem.absorbing
    counts = (cells, cells) if isinstance(cells, (int, np.integer)) and not isinstance(cells, bool) else tuple(cells)
    if len(counts) != 2:
        raise InvalidParameter(f"cells must be one count or a pair of counts, got {cells!r}")
    counts = tuple(integer("cells", n, 8) for n in counts)
    if box is None:
        box = _automatic_box(U, absorbing, start, temperature, confinement)
    else:
        try:
            box = tuple((finite_real("box", low), finite_real("box", high)) for low, high in box)
        except (TypeError, ValueError):
            raise InvalidParameter(f"box must be ((x0, x1), (y0, y1)), got {box!r}") from None
        if len(box) != 2 or not all(low < high for low, high in box):
            raise InvalidParameter(f"box must be ((x0, x1), (y0, y1)) with x0 < x1 and y0 < y1, got {box!r}")
    centres = [low + (np.arange(n) + 0.5) * (high - low) / n for (low, high), n in zip(box, counts)]
    spacing = [(high - low) / n for (low, high), n in zip(box, counts)]
    X, Y = np.meshgrid(*centres, indexing="ij")
    absorbed = np.asarray(absorbing_mask(absorbing, (X, Y)), dtype=bool)
    values = U(X, Y)
    if not np.all(np.isfinite(values[~absorbed])):
        raise InvalidParameter("potential: U is not finite at every cell centre of the box")
    if absorbed.all() or not absorbed.any():
        raise InvalidParameter(f"cells: on {counts[0]} x {counts[1]} cells {'every' if absorbed.all() else 'no'} "
                               f"cell centre of the box lies in the absorbing set {absorbing}; refine the grid or "
                               "change the box")
    if not all(low <= s <= high for s, (low, high) in zip(start, box)):
        raise InvalidParameter(f"box: the start {start} lies outside the box {box}")
    return TensorGrid(tuple(centres), tuple(spacing), tuple(box), values, absorbed, start, absorbing, U)


@dataclasses.dataclass(frozen=True)
class _Faces:
    """Neighbouring cells (first -> second, along one axis): unknown indices (-1: absorbing), U differences,
    distances between the points the flux joins, and the face length."""

    first: np.ndarray
    second: np.ndarray
    difference: np.ndarray
    distance: np.ndarray
    length: float


#: Bisection steps locating the boundary of A on a cut face (2^-40 of a cell), and the least cut fraction.
_BISECTIONS = 40
_LEAST_FRACTION = 1e-3


def _boundary_fraction(absorbing: AbsorbingSet, inside: np.ndarray, outside: np.ndarray) -> np.ndarray:
    """theta in (0, 1]: the boundary of A at inside + theta (outside - inside), by bisection (vectorised)."""
    low, high = np.zeros(inside.shape[0]), np.ones(inside.shape[0])
    for _ in range(_BISECTIONS):
        middle = (low + high) / 2
        points = inside + middle[:, None] * (outside - inside)
        hit = np.asarray(absorbing_mask(absorbing, (points[:, 0], points[:, 1])), dtype=bool)
        high, low = np.where(hit, middle, high), np.where(hit, low, middle)
    return np.maximum(high, _LEAST_FRACTION)


def _faces(grid: TensorGrid) -> list[_Faces]:
    """The faces of the grid; a face between an unknown and an absorbing cell is cut at the boundary of A.

    On a cut face the flux runs from the unknown's centre to the boundary point
    a fraction theta of the way to the absorbing centre, where p = 0
    (Shortley-Weller): distance theta h, and U at the boundary point.  This keeps
    the scheme second order for any absorbing set, not only for boundaries
    through cell centres.
    """
    index = -np.ones(grid.cells, dtype=np.int64)
    index.ravel()[grid.unknowns] = np.arange(grid.unknowns.size)
    X, Y = np.meshgrid(*grid.centres, indexing="ij")
    centres = np.stack([X, Y], axis=-1)
    faces = []
    for axis in range(2):
        lower = (slice(None, -1), slice(None)) if axis == 0 else (slice(None), slice(None, -1))
        upper = (slice(1, None), slice(None)) if axis == 0 else (slice(None), slice(1, None))
        first, second = index[lower].ravel(), index[upper].ravel()
        keep = (first >= 0) | (second >= 0)
        first, second = first[keep], second[keep]
        first_point, second_point = centres[lower].reshape(-1, 2)[keep], centres[upper].reshape(-1, 2)[keep]
        difference = (grid.potential[upper] - grid.potential[lower]).ravel()[keep]
        distance = np.full(first.size, grid.spacing[axis])
        for cut, live, dead in (((first >= 0) & (second < 0), first_point, second_point),
                                ((first < 0) & (second >= 0), second_point, first_point)):
            theta = _boundary_fraction(grid.absorbing, live[cut], dead[cut])
            boundary = live[cut] + theta[:, None] * (dead[cut] - live[cut])
            at_boundary = grid.function(boundary[:, 0], boundary[:, 1])
            at_live = grid.function(live[cut][:, 0], live[cut][:, 1])
            # difference is U(second) - U(first); the boundary point replaces the absorbing cell's centre
            difference[cut] = (at_boundary - at_live) * (1 if dead is second_point else -1)
            distance[cut] = theta * grid.spacing[axis]
        faces.append(_Faces(first, second, difference, distance, grid.spacing[1 - axis]))
    return faces


class _Assembly:
    """The generator's sparsity pattern, built once per grid; K(T) then only fills in numbers.

    Each face contributes up to four entries (a -> b: -forward at (a, a), +forward at
    (b, a), -backward at (b, b), +backward at (a, b)); a cut face contributes its
    diagonal entry and its outflux coefficient only.  Entries of one position are
    summed into CSR order by ``bincount`` over a precomputed inverse index.
    """

    def __init__(self, grid: TensorGrid, faces: list[_Faces]):
        n = grid.unknowns.size
        rows, columns = [], []
        self.faces, self.masks = faces, []
        for face in faces:
            a, b = face.first, face.second
            both, into, out_of = (a >= 0) & (b >= 0), (a >= 0) & (b < 0), (a < 0) & (b >= 0)
            self.masks.append((both, into, out_of))
            rows += [a[both], b[both], b[both], a[both], a[into], b[out_of]]
            columns += [a[both], a[both], b[both], b[both], a[into], b[out_of]]
        rows, columns = np.concatenate(rows), np.concatenate(columns)
        keys, self.inverse = np.unique(rows * n + columns, return_inverse=True)
        self.indices = (keys % n).astype(np.int32)
        self.indptr = np.searchsorted(keys // n, np.arange(n + 1)).astype(np.int32)
        self.diagonal = np.searchsorted(keys, np.arange(n) * (n + 1))
        self.size = n

    def __call__(self, temperature: float, friction: float):
        """(K, e): the sparse generator on the unknowns and the outflux coefficients (outflux = e . p)."""
        import scipy.sparse

        entries = []
        exit_rate = np.zeros(self.size)
        for face, (both, into, out_of) in zip(self.faces, self.masks):
            forward, backward = scharfetter_gummel(face.difference, temperature, friction, face.distance)
            forward, backward = forward * face.length, backward * face.length
            # flux a -> b is forward p_a - backward p_b: it leaves a and enters b
            entries += [-forward[both], forward[both], -backward[both], backward[both],
                        -forward[into], -backward[out_of]]
            np.add.at(exit_rate, face.first[into], forward[into])
            np.add.at(exit_rate, face.second[out_of], backward[out_of])
        data = np.bincount(self.inverse, weights=np.concatenate(entries), minlength=self.indices.size)
        return scipy.sparse.csr_matrix((data, self.indices, self.indptr), shape=(self.size, self.size)), exit_rate

    def shifted(self, K, volumes: np.ndarray, factor: float):
        """M - factor K on the same pattern (every unknown has a diagonal entry)."""
        import scipy.sparse

        data = -factor * K.data
        data[self.diagonal] += volumes
        return scipy.sparse.csr_matrix((data, self.indices, self.indptr), shape=K.shape)


def _generator(grid: TensorGrid, temperature: float, friction: float):
    """(K, e) of a grid at one temperature."""
    return _Assembly(grid, _faces(grid))(temperature, friction)


class _ReusedFactorisation:
    """Solves (M - factor K) q = r by the LU of an earlier such matrix and defect correction."""

    def __init__(self, assembly: _Assembly, volumes: np.ndarray):
        self.assembly = assembly
        self.volumes = volumes
        self.lu = None
        self.factorisations = 0

    def _factorise(self, A):
        import scipy.sparse.linalg

        self.lu = scipy.sparse.linalg.splu(A.tocsc(), permc_spec="MMD_AT_PLUS_A")
        self.factorisations += 1

    def __call__(self, K, factor: float):
        A = self.assembly.shifted(K, self.volumes, factor)
        if self.lu is None:
            self._factorise(A)

        def solve(right: np.ndarray) -> np.ndarray:
            scale = np.max(np.abs(right)) or 1.0
            q = self.lu.solve(right)
            for sweep in range(_SWEEPS):
                residual = right - A @ q
                if np.max(np.abs(residual)) <= _RESIDUAL * scale:
                    if sweep > _RENEW_AFTER:  # converging slowly: renew the LU for the steps to come
                        self._factorise(A)
                    return q
                q = q + self.lu.solve(residual)
            self._factorise(A)
            return self.lu.solve(right)

        return solve


def _sparse_problem(grid: TensorGrid, friction: float) -> SemiDiscrete:
    assembly = _Assembly(grid, _faces(grid))
    volumes = grid.volumes
    return SemiDiscrete(
        volumes,
        generator=lambda T: assembly(T, friction),
        apply=lambda K, p: K[0] @ p,
        solver=lambda K, factor, _reuse=_ReusedFactorisation(assembly, volumes): _reuse(K[0], factor),
        outflux=lambda K, p: float(K[1] @ p),
    )


@dataclasses.dataclass(frozen=True)
class TensorSurvival:
    """Survival, cumulative hazard and hazard rate on a time grid, from the 2-D Fokker-Planck equation."""

    times: np.ndarray
    survival: np.ndarray
    hazard: np.ndarray
    hazard_rate: np.ndarray
    temperatures: np.ndarray
    grid: TensorGrid
    steps: int


def fokker_planck_2d_survival(
    problem: EscapeProblem,
    *,
    horizon: Any,
    box=None,
    cells: int | Sequence[int] = DEFAULT_CELLS_2D,
    steps: int = DEFAULT_STEPS_2D,
    outputs: int | None = None,
    confinement: float = DEFAULT_CONFINEMENT_2D,
) -> TensorSurvival:
    """Solve the 2-D Fokker-Planck equation of ``problem`` from a point mass at its start up to ``horizon``.

    The problem's temperature is a constant or a schedule T(t); the automatic
    box is set by T(0) (give ``box`` when T(t) rises far above T(0)).
    """
    problem = overdamped_problem(problem, 2)
    T_of, constant, horizon, steps, stride = survival_options(problem, horizon, steps, outputs)
    grid = _grid(problem, T_of(0.0), box, cells, confinement)
    times, absorbed, rates, temperatures = march(_sparse_problem(grid, problem.friction), grid.initial_density(),
                                                 T_of, constant, horizon, steps, stride)
    times, survival, hazard, hazard_rate = survival_from_absorbed(times, absorbed, rates)
    return TensorSurvival(times, survival, hazard, hazard_rate, np.array(temperatures), grid, steps)


def fokker_planck_2d_mfpt(
    problem: EscapeProblem, *, box=None, cells: int | Sequence[int] = DEFAULT_CELLS_2D,
    confinement: float = DEFAULT_CONFINEMENT_2D,
) -> float:
    """Mean first-passage time of ``problem`` (constant T) from the backward equation K^T u = -M 1."""
    import scipy.sparse.linalg

    problem = overdamped_problem(problem, 2, constant=True)
    temperature, friction = problem.constant_temperature, problem.friction
    grid = _grid(problem, temperature, box, cells, confinement)
    K, _ = _generator(grid, temperature, friction)
    u = scipy.sparse.linalg.spsolve(K.T.tocsc(), -grid.volumes)
    return grid.interpolate(u)


def fokker_planck_2d_eigenvalues(
    problem: EscapeProblem, *, box=None, cells: int | Sequence[int] = DEFAULT_CELLS_2D, count: int = 1,
    confinement: float = DEFAULT_CONFINEMENT_2D,
) -> np.ndarray:
    """The ``count`` lowest eigenvalues of -K v = lambda M v (lambda_1: the exact escape rate), ascending.

    ``problem`` has a constant temperature.
    """
    problem = overdamped_problem(problem, 2, constant=True)
    temperature, friction = problem.constant_temperature, problem.friction
    count = integer("count", count, 1)
    grid = _grid(problem, temperature, box, cells, confinement)
    values = grid.potential.ravel()[grid.unknowns]
    if (values.max() - values.min()) / temperature > MAXIMUM_EXPONENT:
        raise InvalidParameter(
            f"temperature: (U_max - U_min)/T on the grid exceeds {MAXIMUM_EXPONENT:g}; raise T or give a smaller box")
    K, _ = _generator(grid, temperature, friction)
    return lowest_eigenvalues(K, grid.volumes, values, temperature, count)
