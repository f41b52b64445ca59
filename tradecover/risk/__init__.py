"""Portfolio credit risk of the insured book: pure, library-style calculations.

Entry point: :func:`run_risk` on a :class:`RiskRunSpec`.  Methods: multi-sector CreditRisk+
(stable FFT of the log-PGF), a multi-factor Gaussian copula Monte Carlo with Glasserman-Li
importance sampling (numba, counter-based random numbers, optional Dask scale-out), and the
one-factor Vasicek limit with its granularity adjustment.  Every amount is a float estimate
in the book's reporting currency, not booked money.

The use cases of recorded runs need the database and are resolved lazily
(:mod:`tradecover.kit.public_face`).
"""

from typing import TYPE_CHECKING

from tradecover.kit.public_face import lazy_exports
from tradecover.risk.creditrisk_plus import CreditRiskPlusResult, creditrisk_plus
from tradecover.risk.history import (
    PortfolioYear,
    loss_ratio,
    sinosure_2015_2020,
    yearly_portfolio_table,
)
from tradecover.risk.measures import Concentration, LossDistribution, concentration
from tradecover.risk.montecarlo import MonteCarloResult, monte_carlo
from tradecover.risk.portfolio import (
    DEFAULT_RATING_SCALE,
    Exposure,
    FactorModel,
    Portfolio,
    build_portfolio,
    group_related_buyers,
)
from tradecover.risk.run import RiskRunResult, RiskRunSpec, default_factor_model, run_risk
from tradecover.risk.stress import (
    SCENARIOS,
    LimitAction,
    PdShock,
    RecoveryShift,
    Selection,
    StressScenario,
    tariff_shock,
)
from tradecover.risk.vasicek import (
    granularity_adjustment,
    one_factor_loss_distribution,
    vasicek_expected_shortfall,
    vasicek_value_at_risk,
)

if TYPE_CHECKING:
    from tradecover.risk.jobs import execute_run as execute_run
    from tradecover.risk.schemas import RiskRunIn as RiskRunIn
    from tradecover.risk.service import RunSpec as RunSpec
    from tradecover.risk.service import check_spec as check_spec
    from tradecover.risk.service import create_run as create_run
    from tradecover.risk.service import get_run as get_run

_LAZY = {
    "RiskRunIn": "schemas",
    "RunSpec": "service",
    "check_spec": "service",
    "create_run": "service",
    "execute_run": "jobs",
    "get_run": "service",
}
__getattr__ = lazy_exports(__name__, _LAZY)
__all__ = [
    "DEFAULT_RATING_SCALE",
    "SCENARIOS",
    "Concentration",
    "CreditRiskPlusResult",
    "Exposure",
    "FactorModel",
    "LimitAction",
    "LossDistribution",
    "MonteCarloResult",
    "PdShock",
    "Portfolio",
    "PortfolioYear",
    "RecoveryShift",
    "RiskRunIn",
    "RiskRunResult",
    "RiskRunSpec",
    "RunSpec",
    "Selection",
    "StressScenario",
    "build_portfolio",
    "check_spec",
    "concentration",
    "create_run",
    "creditrisk_plus",
    "default_factor_model",
    "execute_run",
    "get_run",
    "granularity_adjustment",
    "group_related_buyers",
    "loss_ratio",
    "monte_carlo",
    "one_factor_loss_distribution",
    "run_risk",
    "sinosure_2015_2020",
    "tariff_shock",
    "vasicek_expected_shortfall",
    "vasicek_value_at_risk",
    "yearly_portfolio_table",
]
