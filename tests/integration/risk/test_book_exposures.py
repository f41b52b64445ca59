"""BookExposures reads the insurer's book: totals reconcile with independent SQL."""

from __future__ import annotations

import json
from decimal import Decimal

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.builders.buyers import register_buyer
from tests.conftest import Cast, Database
from tests.integration.limits.caps_book import apply, insureds, set_aggregate
from tradecover.db.engine import transaction
from tradecover.demo.seed import seed_demo_book
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import minor_unit
from tradecover.limits.fx import USD_PER_UNIT
from tradecover.risk.exposures import ExposureSource, GeneratedExposures
from tradecover.risk.repository import BookExposures


def _profile_totals(session: Session) -> tuple[Decimal, int]:
    """Sum of maximum liability x reported share over policies in force, in USD."""
    rows = session.execute(
        text(
            "SELECT p.maximum_liability_minor, p.currency, e.main_buyers FROM policies p "
            "JOIN exporter_profiles e ON e.org_id = p.exporter_org_id "
            "WHERE p.state IN ('active', 'suspended')"
        )
    ).all()
    total, count = Decimal(0), 0
    for minor, currency, buyers in rows:
        entries = json.loads(buyers) if isinstance(buyers, str) else buyers
        for entry in entries:
            amount = Decimal(minor).scaleb(-minor_unit(currency))
            total += amount * Decimal(entry["share_pct"]) / 100 * USD_PER_UNIT[currency]
            count += 1
    return total, count


def _limit_totals(session: Session) -> Decimal:
    """Sum of active credit limits in USD, by an independent SQL query."""
    rows = session.execute(
        text(
            "SELECT currency, SUM(amount_minor) FROM credit_limits WHERE status = 'active' "
            "GROUP BY currency"
        )
    ).all()
    return sum(
        (
            Decimal(int(minor)).scaleb(-minor_unit(currency)) * USD_PER_UNIT[currency]
            for currency, minor in rows
        ),
        Decimal(0),
    )


def test_the_demo_book_yields_a_portfolio_whose_ead_reconciles(session: Session) -> None:
    seed_demo_book(session, exporters=10, seed=1)
    session.flush()
    source = BookExposures(session, basis="limit")
    assert isinstance(source, ExposureSource)
    port = source.portfolio()
    assert port.size > 0
    expected = (
        _limit_totals(session) if source.source() == "limits" else _profile_totals(session)[0]
    )
    assert expected > 0
    assert float(port.ead.sum()) == pytest.approx(float(expected), rel=1e-9)
    assert np.all((port.pd > 0) & (port.pd < 1))
    assert port.currency == "USD"


def test_the_profile_book_reconciles_with_the_policies_in_force(session: Session) -> None:
    seed_demo_book(session, exporters=10, seed=1)
    session.flush()
    expected, count = _profile_totals(session)
    assert count > 0
    port = BookExposures(session, basis="limit", book="profiles", group_related=False).portfolio()
    assert port.size == count
    assert float(port.ead.sum()) == pytest.approx(float(expected), rel=1e-9)
    grouped = BookExposures(session, basis="limit", book="profiles").portfolio()
    assert grouped.size <= count
    assert float(grouped.ead.sum()) == pytest.approx(float(expected), rel=1e-9)
    outstanding = BookExposures(
        session, basis="outstanding", book="profiles", group_related=False
    ).portfolio()
    assert np.all(outstanding.ead <= port.ead + 1e-9)
    assert float(outstanding.ead.sum()) > 0


def test_an_empty_book_is_refused(session: Session) -> None:
    with pytest.raises(ValidationFailed) as refused:
        BookExposures(session).portfolio()
    assert (refused.value.code, refused.value.field) == ("empty_book", "source")


def test_generated_books_are_reproducible() -> None:
    a = GeneratedExposures(buyers=50, seed=3).portfolio()
    b = GeneratedExposures(buyers=50, seed=3).portfolio()
    assert a.size == 50
    assert np.array_equal(a.ead, b.ead)
    assert np.array_equal(a.pd, b.pd)
    limit = GeneratedExposures(buyers=50, seed=3, basis="limit").portfolio()
    assert np.all(limit.ead >= a.ead)
    with pytest.raises(ValidationFailed) as refused:
        GeneratedExposures(buyers=0)
    assert refused.value.field == "buyers"


def test_the_limit_book_is_read_when_limits_exist(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    insured = insureds(app_client, cast, db, 1)[0]
    buyer_id = register_buyer(app_client, cast.exporter)
    set_aggregate(app_client, cast, buyer_id, "500000")
    decided = apply(app_client, insured, buyer_id, "40000")
    assert decided["status"] == "decided", decided
    with transaction(db.factory) as s:
        limits_usd = s.execute(
            text(
                "SELECT SUM(amount_minor) FROM credit_limits WHERE status = 'active' "
                "AND currency = 'USD'"
            )
        ).scalar_one()
        rating_pd = s.execute(
            text("SELECT pd FROM buyer_ratings WHERE buyer_id = :b ORDER BY id DESC LIMIT 1"),
            {"b": buyer_id},
        ).scalar_one()
        source = BookExposures(s, basis="limit")
        assert source.source() == "limits"
        port = source.portfolio()
        with pytest.raises(ValidationFailed) as nothing_declared:
            BookExposures(s, basis="outstanding").portfolio()
    assert limits_usd == 4_000_000
    assert port.size == 1
    assert float(port.ead.sum()) == pytest.approx(40_000.0)
    assert float(port.pd[0]) == pytest.approx(float(Decimal(str(rating_pd))))
    assert str(port.countries[0]) == "DE"
    assert str(port.sectors[0]) == "machinery"
    assert (nothing_declared.value.code, nothing_declared.value.field) == ("empty_book", "basis")
