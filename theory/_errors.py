"""The exceptions and warnings of the toolkit.

One small hierarchy, shared by all three packages (``theory`` is the bottom layer,
so it lives here).  Every message is one sentence that names the offending
parameter and says what is allowed; the command-line interface prints it on one
line and exits with status 2.

Messages name the parameters of the library's functions, never a command line's
flags.  A message starts with the parameter at fault (``InvalidParameter.parameter``);
another parameter named inside it is written in backquotes (`` `start` ``), so
that a command line can put its own flag in both places.
"""

from __future__ import annotations

__all__ = [
    "KramersError",
    "InvalidParameter",
    "ForbiddenExpression",
    "NoBarrierError",
    "DegenerateStationaryPoint",
    "CompilationError",
    "SimulationError",
    "OutOfRegimeWarning",
]


class KramersError(Exception):
    """Base class of every error raised on purpose by ``kramers``."""


class InvalidParameter(ValueError, KramersError):
    """A parameter is outside its allowed domain.

    Likely causes: a non-positive temperature, time step, friction or trajectory
    count; a parameter given twice; a point outside the landscape's domain.

    ``parameter`` names the library parameter at fault (``"temperature"``,
    ``"start"``, ...) where one is; a command line maps it to its own flag.
    """

    def __init__(self, message: str = "", *, parameter: str | None = None):
        super().__init__(message)
        self.parameter = parameter


def quoted_message(error: Exception) -> str:
    """The message of ``error`` for quoting inside another: its leading parameter in backquotes."""
    message, parameter = str(error), getattr(error, "parameter", None)
    if parameter and message.startswith(parameter):
        return f"`{parameter}`{message[len(parameter):]}"
    return message


class ForbiddenExpression(InvalidParameter):
    """A user-supplied expression string was refused by the parser.

    Likely causes: a name that is neither a declared variable, a declared
    parameter nor a whitelisted function; attribute access, calls of unknown
    functions, lambdas, subscripts, or any other Python construct that is not
    arithmetic.  Strings are parsed, never evaluated.
    """


class NoBarrierError(InvalidParameter):
    """There is no barrier between the start and the target.

    Likely causes: the potential decreases monotonically from the start basin
    to the target, the target lies inside the start basin, or (under EWC) the
    penalties have removed the new-task minimum.
    """


class DegenerateStationaryPoint(InvalidParameter):
    """A minimum or saddle has vanishing curvature (U'' = 0).

    Kramers' prefactor contains sqrt(U''), so the formula does not apply; the
    escape time then scales with a different power of T (Berglund-Gentz).
    """


class CompilationError(KramersError):
    """A generated kernel failed to compile.

    Likely causes: a function in the potential that Numba cannot lower, or a
    corrupted on-disk kernel cache (delete the cache directory and retry).
    """


class SimulationError(KramersError):
    """A simulation produced an invalid state (NaN or infinity).

    Likely causes: a time step too large for the stiffness of the potential,
    or a potential that is unbounded below in the direction of travel.
    """


class OutOfRegimeWarning(UserWarning):
    """A formula was evaluated outside its declared validity regime.

    The number is returned, but its declared error bound does not hold there
    (for Kramers' formula: a barrier not large compared with the temperature).
    """
