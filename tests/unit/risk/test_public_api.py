"""Pins the risk context's public face, and that importing it loads no adapter."""

from __future__ import annotations

import subprocess
import sys

import tradecover.risk as face


def test_public_names_are_pinned() -> None:
    assert sorted(face.__all__) == [
        "Concentration",
        "CreditRiskPlusResult",
        "DEFAULT_RATING_SCALE",
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
        "SCENARIOS",
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
    assert all(getattr(face, name) is not None for name in face.__all__)


def test_the_face_loads_neither_the_database_nor_the_web_until_used() -> None:
    code = (
        "import sys, tradecover.risk; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sqlalchemy', 'fastapi', 'starlette', 'alembic', 'jinja2'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
