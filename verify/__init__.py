"""Verification: every derivation against an independent measurement.

Imports ``theory`` and ``numerics``; nothing imports it back.
"""

from . import _checks_kramers  # noqa: F401  (registers the Kramers checks)
from . import _checks_skills  # noqa: F401  (registers the skill-learning checks)
from ._budget import Comparison as Comparison
from ._budget import ErrorBudget as ErrorBudget
from ._check import CHECKS as CHECKS
from ._check import FULL as FULL
from ._check import QUICK as QUICK
from ._check import Check as Check
from ._check import CheckResult as CheckResult
from ._check import register as register
from ._check import run_checks as run_checks
from ._report import format_table as format_table
from ._report import results_json as results_json
from ._statistics import Estimate as Estimate
from ._statistics import exponential_rate as exponential_rate
from ._statistics import mean_first_passage as mean_first_passage
from . import _checks_schedules  # noqa: F401,E402  (registers the temperature-schedule checks)
from . import _checks_fpe  # noqa: F401  (registers the Fokker-Planck checks)
from . import _checks_time_dependent  # noqa: F401,E402  (ensembles under T(t) vs Fokker-Planck)
from . import _checks_underdamped  # noqa: F401,E402  (BAOAB friction ladder vs underdamped Kramers)
from ._statistics import KolmogorovSmirnov as KolmogorovSmirnov
from ._statistics import SurvivalEstimate as SurvivalEstimate
from ._statistics import kaplan_meier as kaplan_meier
from ._statistics import kolmogorov_smirnov as kolmogorov_smirnov
from . import _checks_ewc  # noqa: F401,E402  (registers the EWC and Eyring-Kramers checks)
from . import _checks_paths  # noqa: F401,E402  (registers the transition-path, chain and 2-D EWC checks)
