"""Risk runs read aggregates only [domain CS-16]: the contract's consent does not cover
portfolio monitoring, so a run's rows carry no exporter and no private field."""

from __future__ import annotations

from dataclasses import fields

from tradecover.consents import Purpose, Scope, contract_covers
from tradecover.reporting.portfolio_exposure import ExposureRow


def test_the_contract_does_not_cover_portfolio_monitoring() -> None:
    assert not contract_covers("insurer", Scope.SHIPMENT_CORE, Purpose.PORTFOLIO_MONITORING)
    assert not contract_covers("insurer", Scope.BUYER_IDENTITY, Purpose.PORTFOLIO_MONITORING)


def test_a_runs_rows_are_aggregates_without_an_exporter() -> None:
    assert [f.name for f in fields(ExposureRow)] == [
        "buyer_id",
        "group_id",
        "country",
        "sector",
        "limit",
        "outstanding",
        "share",
        "pd",
    ]
