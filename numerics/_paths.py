"""Minimum-energy paths in d dimensions, the saddles and minima on them, and the hops they make.

The minimum-energy path (MEP) from a minimum a to a minimum b is a curve
phi(s) along which the gradient of U is tangent, (grad U)^perp(phi) = 0.  Every
local maximum of U along it is an index-1 saddle, every interior local minimum
an intermediate minimum: the escape from a to b is then a chain of hops.

String method (E, Ren, Vanden-Eijnden, J. Chem. Phys. 126, 164103, 2007, the
"simplified and improved" variant).  The curve is discretised into M images
phi_0 = a, ..., phi_{M-1} = b, initially equally spaced on the segment.  One
iteration is

    1. evolution:        phi_i <- phi_i - dt grad U(phi_i)      (interior images; the ends are minima)
    2. reparametrisation: the images are moved back to equal arc length
                           along the piecewise-linear curve through them.

Step 2 removes the tangential part of step 1, so the fixed point satisfies
(grad U)^perp = 0 up to the discretisation.  The step dt is half the
stability limit 2/lambda_max of explicit Euler, lambda_max the largest
Hessian eigenvalue met on the string (re-estimated as the string moves).  The
iteration stops when the largest perpendicular gradient |(grad U)^perp| on
the string, relative to the largest gradient on the initial segment, is below
``tolerance``, or when it stops decreasing (the floor set by the
discretisation).

A straight initial string can lie on an invariant line of the dynamics: on a
landscape symmetric about the segment (the "banana" of a ring-shaped valley)
the gradient has no component off the segment and the string converges to a
curve through a maximum of U.  The index of the stationary point at the top
tells: an index >= 2 is not on a minimum-energy path.  The string is then bent
along the unstable direction of that point orthogonal to the string (both
signs) and relaxed again; the bend whose highest saddle is lower is kept.

Refinement.  The highest image between two consecutive local minima of U
along the string seeds Newton's method on grad U = 0 with the exact Hessian
(:func:`theory.critical_point`, 30 digits), which must reach an index-1 saddle;
interior local minima seed the same Newton iteration for index 0.  This is
the role the climbing image plays in the climbing-image nudged elastic band
(Henkelman, Uberuaga, Jonsson, J. Chem. Phys. 113, 9901, 2000): the string
only has to bring the seed into Newton's basin, so M ~ 20-50 images suffice.

Hops and the chain.  Consecutive minima m_i, m_{i+1} and the saddle z_i
between them make one hop, with Eyring-Kramers rates forward and back
(:func:`theory.escape_over`, symbolic prefactor evaluated at the points found);
the passage a -> b is the chain of hops, whose mean first-passage time
:func:`theory.chain_mean_first_passage_time` solves the chain's backward
equation.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import sympy

from theory import (
    CHAIN_FORMULA, CriticalPoint, EyringKramersEscape, InvalidParameter, KramersError, NoBarrierError, Potential,
    chain_mean_first_passage_time, critical_point, escape_over,
)

__all__ = ["DEFAULT_IMAGES", "StringPath", "string_method", "Hop", "TransitionPath", "transition_path"]

#: Images of the string unless asked otherwise.
DEFAULT_IMAGES = 41
#: Iterations of the string method before it stops (converged or at its discretisation floor).
MAXIMUM_ITERATIONS = 20000
#: Relative perpendicular gradient at which the string counts as converged.
TOLERANCE = 1e-6
#: Iterations between two estimates of the largest Hessian eigenvalue (which sets dt).
STEP_REFRESH = 50
#: Times the string is bent off an invariant line through a maximum before giving up.
MAXIMUM_BENDS = 3
#: Amplitude of that bend, relative to |b - a|.
BEND_AMPLITUDE = 0.2


# ------------------------------------------------------------ the landscape as NumPy functions
@dataclasses.dataclass(frozen=True)
class _Landscape:
    """U, grad U and the Hessian of a potential, vectorised over points of shape (M, d)."""

    energy: Callable[[np.ndarray], np.ndarray]
    gradient: Callable[[np.ndarray], np.ndarray]
    hessian: Callable[[np.ndarray], np.ndarray]


def _landscape(potential: Potential) -> _Landscape:
    return _landscape_of(potential.numeric, potential.variables)


@functools.lru_cache(maxsize=64)
def _landscape_of(expression: sympy.Expr, variables: tuple[sympy.Symbol, ...]) -> _Landscape:
    gradient = [sympy.diff(expression, v) for v in variables]
    hessian = [[sympy.diff(g, v) for v in variables] for g in gradient]
    energy_function = sympy.lambdify(variables, expression, modules="numpy")
    gradient_function = sympy.lambdify(variables, gradient, modules="numpy", cse=True)
    hessian_function = sympy.lambdify(variables, hessian, modules="numpy", cse=True)

    def columns(points):
        points = np.atleast_2d(np.asarray(points, dtype=float))
        return len(points), [points[:, j] for j in range(points.shape[1])]

    def broadcast(value, count):
        return np.broadcast_to(np.asarray(value, dtype=float), (count,))

    def energy(points):
        count, x = columns(points)
        return broadcast(energy_function(*x), count).copy()

    def gradient_of(points):
        count, x = columns(points)
        return np.stack([broadcast(g, count) for g in gradient_function(*x)], axis=1)

    def hessian_of(points):
        count, x = columns(points)
        return np.stack([np.stack([broadcast(h, count) for h in row], axis=1) for row in hessian_function(*x)], axis=1)

    return _Landscape(energy, gradient_of, hessian_of)


# ------------------------------------------------------------ the string method
@dataclasses.dataclass(frozen=True)
class StringPath:
    """The converged images of the string, their energies, and how the iteration ended.

    ``residual`` is the largest perpendicular gradient on the string relative
    to the largest gradient on the initial segment.
    """

    images: np.ndarray
    energies: np.ndarray
    iterations: int
    residual: float


def _equal_arc_length(images: np.ndarray) -> np.ndarray:
    """The same piecewise-linear curve, resampled at equally spaced arc length (ends kept)."""
    steps = np.linalg.norm(np.diff(images, axis=0), axis=1)
    arc = np.concatenate([[0.0], np.cumsum(steps)])
    if arc[-1] == 0:
        return images
    targets = np.linspace(0.0, arc[-1], len(images))
    return np.stack([np.interp(targets, arc, images[:, j]) for j in range(images.shape[1])], axis=1)


def _perpendicular_gradient(images: np.ndarray, gradient: np.ndarray) -> np.ndarray:
    tangent = np.zeros_like(images)
    tangent[1:-1] = images[2:] - images[:-2]
    norms = np.linalg.norm(tangent, axis=1, keepdims=True)
    tangent = np.divide(tangent, norms, out=np.zeros_like(tangent), where=norms > 0)
    perpendicular = gradient - np.sum(gradient * tangent, axis=1, keepdims=True) * tangent
    perpendicular[[0, -1]] = 0.0
    return perpendicular


def _relax(landscape: _Landscape, images: np.ndarray, *, tolerance: float, maximum_iterations: int,
           scale: float) -> StringPath:
    images = _equal_arc_length(images.copy())
    best = np.inf
    stalled = 0
    residual = np.inf
    iteration = 0
    for iteration in range(1, maximum_iterations + 1):
        if iteration % STEP_REFRESH == 1:
            curvature = np.max(np.abs(np.linalg.eigvalsh(landscape.hessian(images))))
            dt = 1.0 / max(curvature, 1e-300)  # half of the explicit-Euler stability limit 2 / lambda_max
        gradient = landscape.gradient(images)
        if not np.all(np.isfinite(gradient)):
            raise InvalidParameter("potential: grad U is not finite on the string; the landscape has a singularity "
                                   "between the minima")
        residual = float(np.max(np.linalg.norm(_perpendicular_gradient(images, gradient), axis=1))) / scale
        if residual <= tolerance:
            break
        if residual < best * (1 - 1e-3):
            best, stalled = residual, 0
        else:
            stalled += 1
            if stalled >= 10 * STEP_REFRESH:  # the discretisation floor: the string no longer moves
                break
        gradient[[0, -1]] = 0.0
        images = _equal_arc_length(images - dt * gradient)
    return StringPath(images, landscape.energy(images), iteration, residual)


def string_method(
    potential: Potential, start: Any, end: Any, *, images: int = DEFAULT_IMAGES, tolerance: float = TOLERANCE,
    maximum_iterations: int = MAXIMUM_ITERATIONS, initial: np.ndarray | None = None,
) -> StringPath:
    """The minimum-energy path between the minima ``start`` and ``end`` by the simplified string method.

    ``initial`` (M x d) replaces the straight initial string.
    """
    if images < 3:
        raise InvalidParameter(f"images must be at least 3, got {images}")
    landscape = _landscape(potential)
    a, b = np.asarray(start, dtype=float), np.asarray(end, dtype=float)
    if initial is None:
        initial = a + np.linspace(0.0, 1.0, images)[:, None] * (b - a)
    scale = max(float(np.max(np.linalg.norm(landscape.gradient(initial), axis=1))), 1e-300)
    return _relax(landscape, np.asarray(initial, dtype=float), tolerance=tolerance,
                  maximum_iterations=maximum_iterations, scale=scale)


# ------------------------------------------------------------ stationary points on the string
def _floats(potential: Potential, point: CriticalPoint) -> np.ndarray:
    return np.array([float(sympy.N(c.subs(potential.values), 17)) for c in point.location])


def _seed(point: np.ndarray) -> tuple[float, ...]:
    return tuple(float(c) for c in point)


def _energy(potential: Potential, point: CriticalPoint) -> float:
    return float(sympy.N(point.value.subs(potential.values), 17))


def _descend(potential: Potential, landscape: _Landscape, seed: Any, what: str, exact: bool) -> CriticalPoint:
    """The minimum near ``seed``: Newton's point from it if that is a minimum, else where descent leads.

    Newton's method (30 digits) is tried first, since a quasi-Newton line
    search may leap into a neighbouring basin; where Newton reaches no
    minimum, BFGS descends and Newton refines its end point (index 0).
    """
    from scipy.optimize import minimize

    try:
        return critical_point(potential, _seed(np.asarray(seed, dtype=float)), what=what, index=0, exact=exact)
    except KramersError:
        pass
    x0 = np.asarray(seed, dtype=float)
    result = minimize(lambda x: landscape.energy(x)[0], x0, jac=lambda x: landscape.gradient(x)[0], method="BFGS",
                      options={"gtol": 1e-10, "maxiter": 10000})
    if not np.all(np.isfinite(result.x)) or not np.isfinite(result.fun):
        raise NoBarrierError(f"{what}: descent from {tuple(x0)} found no minimum (U looks unbounded below)",
                             parameter=what)
    return critical_point(potential, _seed(result.x), what=what, index=0, exact=exact)


def _local_extrema(energies: np.ndarray) -> tuple[list[int], list[int]]:
    """Interior indices of local maxima and local minima of the energy along the string (plateaus once)."""
    maxima, minima = [], []
    for i in range(1, len(energies) - 1):
        if energies[i - 1] < energies[i] >= energies[i + 1]:
            maxima.append(i)
        elif energies[i - 1] > energies[i] <= energies[i + 1]:
            minima.append(i)
    return maxima, minima


@dataclasses.dataclass(frozen=True)
class _Reading:
    """What a relaxed string says: the minima and saddles in path order, or the maximum it is stuck on."""

    minima: tuple[CriticalPoint, ...]
    saddles: tuple[CriticalPoint, ...]
    stuck: CriticalPoint | None = None
    stuck_image: int | None = None


def _read(potential, landscape, string: StringPath, a: CriticalPoint, b: CriticalPoint, exact: bool) -> _Reading:
    maxima, minima = _local_extrema(string.energies)
    if not maxima:
        raise NoBarrierError(
            "to: U has no maximum along the minimum-energy path between the two minima; no barrier to cross"
        )
    # between two consecutive maxima the lowest image seeds an intermediate minimum
    between = [min(range(i, j + 1), key=lambda k: string.energies[k]) for i, j in zip(maxima, maxima[1:])]
    intermediate = []
    for image in between:
        point = critical_point(potential, _seed(string.images[image]), what=f"intermediate minimum (image {image})",
                               exact=exact)
        if point.index != 0:
            raise InvalidParameter(
                f"images: the lowest image {image} between two maxima of the path leads Newton to a point of index "
                f"{point.index}, not an intermediate minimum; use more images"
            )
        intermediate.append(point)
    saddles = []
    for image in maxima:
        point = critical_point(potential, _seed(string.images[image]), what=f"saddle (image {image})", exact=exact)
        if point.index >= 2:
            return _Reading((), (), stuck=point, stuck_image=image)
        if point.index != 1:
            raise InvalidParameter(
                f"images: the highest image {image} of a stretch of the path leads Newton to a minimum, not a saddle; "
                "use more images"
            )
        saddles.append(point)
    ordered_minima = (a, *intermediate, b)
    for left, saddle, right in zip(ordered_minima, saddles, ordered_minima[1:]):
        if np.allclose(_floats(potential, left), _floats(potential, right), rtol=0, atol=1e-9):
            raise InvalidParameter("images: two neighbouring minima on the path coincide; use more images")
        height = _energy(potential, saddle)
        if not height > max(_energy(potential, left), _energy(potential, right)):
            raise InvalidParameter(
                f"images: the saddle at {tuple(np.round(_floats(potential, saddle), 6))} is not above its two "
                "neighbouring minima on the path; use more images"
            )
    return _Reading(ordered_minima, tuple(saddles))


def _bend(potential: Potential, string: StringPath, stuck: CriticalPoint, image: int) -> list[np.ndarray]:
    """Two initial strings bent off a maximum along its unstable direction orthogonal to the string."""
    hessian = np.array([[float(sympy.N(h.subs(potential.values), 17)) for h in row] for row in stuck.hessian.tolist()])
    values, vectors = np.linalg.eigh(hessian)
    tangent = string.images[min(image + 1, len(string.images) - 1)] - string.images[max(image - 1, 0)]
    tangent /= np.linalg.norm(tangent)
    unstable = [vectors[:, k] for k in range(len(values)) if values[k] < 0]
    direction = min(unstable, key=lambda v: abs(float(v @ tangent)))
    direction = direction - (direction @ tangent) * tangent
    direction /= np.linalg.norm(direction)
    s = np.linspace(0.0, 1.0, len(string.images))[:, None]
    length = np.linalg.norm(string.images[-1] - string.images[0])
    bump = BEND_AMPLITUDE * length * np.sin(np.pi * s) * direction
    return [string.images + bump, string.images - bump]


# ------------------------------------------------------------ hops and the chain
@dataclasses.dataclass(frozen=True)
class Hop:
    """One hop m_i -> m_{i+1} over the saddle z_i: the Eyring-Kramers escape forward and back."""

    forward: EyringKramersEscape
    backward: EyringKramersEscape


@dataclasses.dataclass(frozen=True)
class TransitionPath:
    """The minimum-energy path from a to b: the string, its minima and saddles in order, its hops."""

    potential: Potential
    string: StringPath
    minima: tuple[CriticalPoint, ...]
    saddles: tuple[CriticalPoint, ...]

    @functools.cached_property
    def hops(self) -> tuple[Hop, ...]:
        return tuple(
            Hop(escape_over(self.potential, left, saddle), escape_over(self.potential, right, saddle))
            for left, saddle, right in zip(self.minima, self.saddles, self.minima[1:])
        )

    def escape_time(self, temperature: Any, friction: Any = 1) -> float:
        """Mean first-passage time of the chain of hops a -> ... -> b (one hop: 1/k, Eyring-Kramers)."""
        forward = [hop.forward.numbers(temperature, friction)["rate"] for hop in self.hops]
        backward = [hop.backward.numbers(temperature, friction)["rate"] for hop in self.hops]
        return float(chain_mean_first_passage_time(forward, backward))

    def numbers(self, temperature: Any | None = None, friction: Any = 1) -> dict[str, Any]:
        """The JSON payload of ``kramers path``; rates and times are None without a temperature."""
        point = lambda p: [float(c) for c in _floats(self.potential, p)]  # noqa: E731
        hops = []
        for hop, left, saddle, right in zip(self.hops, self.minima, self.saddles, self.minima[1:]):
            forward = hop.forward.numbers(temperature if temperature is not None else 1, friction)
            backward = hop.backward.numbers(temperature if temperature is not None else 1, friction)
            hops.append({
                "from": point(left), "saddle": point(saddle), "to": point(right),
                "barrier": forward["barrier"], "rate": forward["rate"] if temperature is not None else None,
                "return_barrier": backward["barrier"],
                "return_rate": backward["rate"] if temperature is not None else None,
            })
        escape_time = None if temperature is None else self.escape_time(temperature, friction)
        return {
            "minima": [{"point": point(m), "energy": _energy(self.potential, m)} for m in self.minima],
            "saddles": [{"point": point(z), "energy": _energy(self.potential, z),
                         "negative_eigenvalue": float(sympy.N(z.negative_eigenvalue.subs(self.potential.values), 17))}
                        for z in self.saddles],
            "hops": hops,
            "path": [[float(c) for c in image] for image in self.string.images],
            "rate": None if escape_time is None else 1 / escape_time,
            "escape_time": escape_time,
            "formula": CHAIN_FORMULA,
        }


def transition_path(
    potential: Potential, start: Any, target: Any, *, images: int = DEFAULT_IMAGES, exact: bool = True,
    tolerance: float = TOLERANCE, maximum_iterations: int = MAXIMUM_ITERATIONS,
) -> TransitionPath:
    """The minimum-energy path from the basin of ``start`` to the basin of ``target``, and every saddle on it.

    The two ends are the minima near ``start`` and ``target`` (Newton's
    method, or descent where Newton reaches no minimum); the string between them is relaxed,
    bent off any maximum it is stuck on, and read for its saddles and
    intermediate minima (module docstring).  ``exact`` asks theory for closed
    forms of the points where SymPy solves grad U = 0.
    """
    if isinstance(images, bool) or not isinstance(images, int) or images < 3:
        raise InvalidParameter(f"images must be an integer >= 3, got {images!r}")
    dimension = potential.dimension
    start = tuple(start) if isinstance(start, (tuple, list)) else (start,)
    target = tuple(target) if isinstance(target, (tuple, list)) else (target,)
    for value, what in ((start, "start"), (target, "target")):
        if len(value) != dimension:
            raise InvalidParameter(f"{what}: expected {dimension} coordinates, got {len(value)}", parameter=what)
    landscape = _landscape(potential)
    a = _descend(potential, landscape, start, "start", exact)
    b = _descend(potential, landscape, target, "target", exact)
    a_point, b_point = _floats(potential, a), _floats(potential, b)
    if np.allclose(a_point, b_point, rtol=0, atol=1e-9 * (1 + np.linalg.norm(a_point))):
        raise NoBarrierError(
            f"target: the target lies in the basin of the start's minimum {tuple(np.round(a_point, 6))}; no barrier",
            parameter="target",
        )
    options = dict(images=images, tolerance=tolerance, maximum_iterations=maximum_iterations)
    candidates = [string_method(potential, a_point, b_point, **options)]
    found = []
    for _ in range(MAXIMUM_BENDS + 1):
        next_candidates = []
        for string in candidates:
            try:
                reading = _read(potential, landscape, string, a, b, exact=False)
            except KramersError:
                continue
            if reading.stuck is None:
                found.append((string, reading))
            else:
                next_candidates += [string_method(potential, a_point, b_point, initial=bent, **options)
                                    for bent in _bend(potential, string, reading.stuck, reading.stuck_image)]
        if found or not next_candidates:
            break
        candidates = next_candidates
    if not found:
        # read the first string again to raise its own error
        _read(potential, landscape, candidates[0], a, b, exact=False)
        raise InvalidParameter(
            "images: the string stays on a maximum of U after bending it off; seed the saddle directly "
            "(theory.eyring_kramers_escape with saddle=...)"
        )
    string, reading = min(found, key=lambda pair: max(_energy(potential, z) for z in pair[1].saddles))
    if exact:  # the closed forms of the points, where SymPy finds them
        reading = _Reading(
            (a, *(critical_point(potential, _seed(_floats(potential, m)), what="intermediate minimum", index=0)
                  for m in reading.minima[1:-1]), b),
            tuple(critical_point(potential, _seed(_floats(potential, z)), what="saddle", index=1)
                  for z in reading.saddles),
        )
    return TransitionPath(potential, string, reading.minima, reading.saddles)
