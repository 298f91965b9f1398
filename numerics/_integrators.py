r"""Integrators of Langevin dynamics as objects that state their mathematics.

Each integrator is a final frozen dataclass (diffrax's ``AbstractSolver`` is the
model) that declares, as data:

* ``weak_order``: the order p of the weak error |E f(X_T^h) - E f(X_T)| = O(h^p)
  for smooth f at a fixed time, away from any boundary;
* :meth:`exit_time_bias_order`: the order of the bias of the mean *exit time*,
  which the boundary limits: a path monitored at grid points only misses
  excursions between them, O(sqrt(h)) for overdamped dynamics (Gobet 2000),
  O(h) once the Brownian-bridge test kills the trajectories that crossed in
  between (Gobet 2000; Gobet & Menozzi 2010); for underdamped dynamics the
  positions are C^1 and the monitoring bias is O(h);
* ``underdamped``: whether it integrates the underdamped (mass m) or the
  overdamped equation, which must match the problem's ``mass``;
* ``stability_bound``: the largest dt * lambda for which the scheme is stable
  on the linear test problem (lambda = max|U''| / gamma overdamped,
  sqrt(max|U''| / m) underdamped).  The engine refuses dt * lambda above half
  of it (``accuracy_bound``): stable but no longer accurate.

The schemes, with a = -grad U / gamma, s = sqrt(2 T_n dt / gamma), xi_n ~ N(0, I):

``EulerMaruyama``  x_{n+1} = x_n + a(x_n) dt + s xi_n (Kloeden & Platen 1992,
    ch. 14): weak order 1; on x' = -lambda x the factor 1 - lambda dt, stable
    for lambda dt < 2.
``StochasticHeun``  predictor y = x_n + a(x_n) dt + s xi_n, corrector
    x_{n+1} = x_n + (a(x_n) + a(y)) dt / 2 + s xi_n with the same xi_n
    (Kloeden & Platen 1992, eq. 15.1.5): weak order 2 for additive noise; the
    factor 1 - lambda dt + (lambda dt)^2 / 2, stable for lambda dt < 2.
``BAOAB``  (Leimkuhler & Matthews 2013) half kick, half drift, the exact
    Ornstein-Uhlenbeck velocity update v <- c v + sqrt((1 - c^2) T / m) xi,
    c = exp(-gamma dt / m), half drift, half kick; one gradient per step.  Its
    configurational averages are second order (exact for a harmonic well);
    Verlet-type stability omega dt < 2.

The engine (:mod:`numerics._langevin`) generates the kernel of each scheme; it
reads ``name`` to choose the code path.
"""

from __future__ import annotations

import abc
import dataclasses
from typing import ClassVar

from theory._errors import InvalidParameter

__all__ = ["AbstractIntegrator", "EulerMaruyama", "StochasticHeun", "BAOAB", "INTEGRATORS", "integrator_named"]


class AbstractIntegrator(abc.ABC):
    """What an integrator of the engine declares (see the module docstring)."""

    name: ClassVar[str]
    weak_order: ClassVar[float]
    underdamped: ClassVar[bool]
    stability_bound: ClassVar[float]
    references: ClassVar[tuple[str, ...]]

    @property
    def accuracy_bound(self) -> float:
        """dt * lambda above this is refused: half the stability bound."""
        return self.stability_bound / 2

    @abc.abstractmethod
    def exit_time_bias_order(self, bridge: bool) -> float:
        """Order p of the mean exit time's bias c h^p, with or without the Brownian-bridge test."""

    def __str__(self) -> str:
        return self.name


class _Overdamped(AbstractIntegrator):
    underdamped = False
    stability_bound = 2.0

    def exit_time_bias_order(self, bridge: bool) -> float:
        # with the bridge the boundary costs O(h) (Gobet 2000), without it O(sqrt(h))
        return 1.0 if bridge else 0.5


@dataclasses.dataclass(frozen=True)
class EulerMaruyama(_Overdamped):
    """Euler-Maruyama for overdamped Langevin dynamics: weak order 1."""

    name = "em"
    weak_order = 1.0
    references = ("KloedenPlaten1992", "Gobet2000")


@dataclasses.dataclass(frozen=True)
class StochasticHeun(_Overdamped):
    """The explicit weak order-2 scheme for additive noise (stochastic Heun)."""

    name = "heun"
    weak_order = 2.0
    references = ("KloedenPlaten1992", "Gobet2000")


@dataclasses.dataclass(frozen=True)
class BAOAB(AbstractIntegrator):
    """Leimkuhler-Matthews BAOAB splitting of underdamped Langevin dynamics."""

    name = "baoab"
    weak_order = 2.0
    underdamped = True
    stability_bound = 2.0
    references = ("LeimkuhlerMatthews2013",)

    def exit_time_bias_order(self, bridge: bool) -> float:
        if bridge:
            raise InvalidParameter(
                "bridge: the Brownian-bridge correction is for overdamped dynamics, whose paths between grid points "
                "are Brownian bridges; underdamped positions are smooth.", parameter="bridge",
            )
        return 1.0


#: The integrators by name (the ``--integrator`` choices).
INTEGRATORS = {cls.name: cls for cls in (EulerMaruyama, StochasticHeun, BAOAB)}


def integrator_named(integrator) -> AbstractIntegrator:
    """An integrator object from itself or its name (``"em"``, ``"heun"``, ``"baoab"``)."""
    if isinstance(integrator, AbstractIntegrator):
        return integrator
    if isinstance(integrator, str) and integrator in INTEGRATORS:
        return INTEGRATORS[integrator]()
    raise InvalidParameter(
        f"integrator must be one of {sorted(INTEGRATORS)} or an integrator object, got {integrator!r}.",
        parameter="integrator",
    )
