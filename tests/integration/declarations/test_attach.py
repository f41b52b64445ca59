"""The attachment service: bad input writes nothing, cover decisions end to end, premium,
limit versions, corrections and cancellations keeping history."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.builders.buyers import add_buyer
from tests.builders.declarations import TODAY, World, shipment, world
from tests.builders.limits import add_limit, add_version
from tests.builders.principals import exporter_principal as exporter
from tests.conftest import Cast, Database
from tests.integration.declarations.helpers import counts, outstanding_by_view, reserved
from tradecover.access import service as access
from tradecover.access.principal import Principal
from tradecover.access.roles import OrganisationKind, Role
from tradecover.audit.model import AuditEntry
from tradecover.country_risk import service as country_risk
from tradecover.country_risk.cover import CoverStatus
from tradecover.db.engine import transaction
from tradecover.declarations import service
from tradecover.declarations.attachment.record import DeclarationRecord
from tradecover.declarations.shipment import Shipment
from tradecover.kit.errors import DomainError
from tradecover.kit.money import Money
from tradecover.policies import service as policies
from tradecover.reporting import RenewalReviewMetrics
from tradecover.wiring import store_for


def attach(db: Database, cast: Cast, item: Shipment, *, today: date = TODAY) -> DeclarationRecord:
    with transaction(db.factory) as s:
        return service.attach(
            s,
            principal=exporter(db, cast),
            shipment=item,
            channel="api",
            today=today,
            store=store_for(db.engine),
        )


def refused(db: Database, cast: Cast, item: Shipment, *, today: date = TODAY) -> DomainError:
    before = counts(db)
    with pytest.raises(DomainError) as caught:
        attach(db, cast, item, today=today)
    assert counts(db) == before
    return caught.value


@pytest.fixture
def w(app_client: TestClient, cast: Cast, db: Database) -> World:
    return world(app_client, cast, db)


@pytest.mark.parametrize(
    ("over", "status", "code", "field"),
    [
        ({"prepayment": Decimal("10000.01")}, 422, "prepayment_exceeds_invoice", "prepayment"),
        (
            {"shipment_date": TODAY + timedelta(days=1), "due_date": TODAY + timedelta(days=30)},
            422,
            "shipment_date_in_future",
            "shipment_date",
        ),
        ({"due_date": TODAY - timedelta(days=1)}, 422, "due_date_before_shipment", "due_date"),
        ({"currency": "XYZ"}, 422, "unknown_currency", "currency"),
        ({"currency": "EUR"}, 422, "currency_mismatch", "currency"),
        ({"hs_code": "0000.00"}, 422, "unknown_hs_code", "hs_code"),
        ({"invoice_amount": Decimal("0")}, 422, "invoice_amount_not_positive", "invoice_amount"),
        ({"prepayment": Decimal("-1")}, 422, "negative_prepayment", "prepayment"),
        ({"invoice_amount": Decimal("10.001")}, 422, "too_many_decimals", "invoice_amount"),
        ({"due_date": TODAY + timedelta(days=181)}, 422, "credit_period_outside_scope", "due_date"),
        ({"invoice_number": "  "}, 422, "missing_invoice_number", "invoice_number"),
        ({"policy_id": 999_999}, 404, "policy_not_found", "policy_id"),
        ({"buyer_id": 999_999}, 404, "buyer_not_found", "buyer_id"),
    ],
)
def test_bad_input_is_refused_with_its_code_and_writes_nothing(
    db: Database, cast: Cast, w: World, over: dict[str, object], status: int, code: str, field: str
) -> None:
    error = refused(db, cast, shipment(w, **over))
    assert (error.status, error.code, error.field) == (status, code, field)


def test_shipment_before_the_policy_period_is_refused(db: Database, cast: Cast, w: World) -> None:
    error = refused(db, cast, shipment(w, shipment_date=w.inception - timedelta(days=1)))
    assert error.code == "shipment_outside_policy_period"


def test_every_problem_of_a_shipment_is_listed(db: Database, cast: Cast, w: World) -> None:
    error = refused(
        db, cast, shipment(w, currency="XYZ", hs_code="00", due_date=TODAY - timedelta(days=2))
    )
    assert [p["code"] for p in error.details["problems"]] == [
        "unknown_currency",
        "due_date_before_shipment",
        "unknown_hs_code",
    ]


def test_another_exporters_policy_and_buyer_answer_404(
    app_client: TestClient, db: Database, cast: Cast, w: World
) -> None:
    with transaction(db.factory) as s:
        foreign_buyer = add_buyer(s, org_id=cast.other_exporter.org_id, name="Foreign Buyer")
        unrelated = add_buyer(s, org_id=cast.exporter.org_id, name="Stranger", related=False)
    assert refused(db, cast, shipment(w, buyer_id=foreign_buyer)).code == "buyer_not_found"
    assert refused(db, cast, shipment(w, buyer_id=unrelated)).code == "buyer_not_found"
    with db.factory() as s:
        other = access.org_by_slug(s, cast.other_exporter.org_slug)
        intruder = Principal(
            actor="apikey:x",
            org_id=other.id,
            org_slug=other.slug,
            org_kind=OrganisationKind.EXPORTER,
            role=Role.EXPORTER,
        )
    before = counts(db)
    for item in (shipment(w), shipment(w, insured_org_id=other.id)):
        with pytest.raises(DomainError) as caught, transaction(db.factory) as s:
            service.attach(
                s,
                principal=intruder,
                shipment=item,
                channel="api",
                today=TODAY,
                store=store_for(db.engine),
            )
        assert (caught.value.status, caught.value.code) == (404, "policy_not_found")
    assert counts(db) == before


def test_duplicate_invoice_for_the_same_buyer_is_refused(
    db: Database, cast: Cast, w: World
) -> None:
    attach(db, cast, shipment(w))
    error = refused(db, cast, shipment(w, invoice_amount=Decimal("5")))
    assert (error.status, error.code, error.field) == (
        409,
        "duplicate_invoice_number",
        "invoice_number",
    )
    with transaction(db.factory) as s:
        second = add_buyer(s, org_id=w.org_id, name="Second Buyer")
    assert attach(db, cast, shipment(w, buyer_id=second)).reason_code == "no_limit"


def test_covered_in_full_with_premium_and_audit(db: Database, cast: Cast, w: World) -> None:
    row = attach(
        db, cast, shipment(w, invoice_amount=Decimal("12345.67"), prepayment=Decimal("2000.00"))
    )
    assert (row.cover_status, row.reason_code) == ("covered_in_full", "within_limit")
    assert (row.insured_minor, row.covered_minor, row.uninsured_minor) == (1034567, 1034567, 0)
    assert row.rate == Decimal("0.0045")
    # 10345.67 x 0.0045 = 46.555515 -> 46.56 (half-up, cents)
    assert row.premium_minor == 4656
    assert row.rate_explanation["final_rate"] == "0.0045"
    assert (row.limit_id, row.limit_version_id) == (w.limit_id, w.version_id)
    assert (row.late, row.declaration_date, row.channel) == (False, TODAY, "api")
    assert reserved(db, w.limit_id) == 1034567 == outstanding_by_view(db, w.limit_id)
    with db.factory() as s:
        entries = (
            s.execute(select(AuditEntry).where(AuditEntry.entity_type == "declaration"))
            .scalars()
            .all()
        )
        assert [(e.org_id, e.action, e.entity_id) for e in entries] == [
            (w.org_id, "declaration.attached", str(row.id))
        ]
        assert entries[0].after["covered_minor"] == 1034567


def test_partly_covered_then_exhausted(db: Database, cast: Cast, w: World) -> None:
    first = attach(db, cast, shipment(w, invoice_amount=Decimal("70000")))
    second = attach(db, cast, shipment(w, invoice_number="INV-2", invoice_amount=Decimal("50000")))
    assert (second.cover_status, second.reason_code) == (
        "covered_partly",
        "exceeds_available_limit",
    )
    assert (second.covered_minor, second.uninsured_minor) == (3_000_000, 2_000_000)
    assert second.premium_minor == 22500  # premium on the whole insured 50000 x 0.45 %
    third = attach(db, cast, shipment(w, invoice_number="INV-3"))
    assert (third.cover_status, third.reason_code, third.premium_minor) == (
        "not_covered",
        "limit_exhausted",
        0,
    )
    assert first.covered_minor + second.covered_minor == 10_000_000
    assert reserved(db, w.limit_id) == 10_000_000 == outstanding_by_view(db, w.limit_id)


def test_fully_prepaid_takes_nothing_from_the_limit(db: Database, cast: Cast, w: World) -> None:
    row = attach(db, cast, shipment(w, prepayment=Decimal("10000.00")))
    assert (row.cover_status, row.reason_code, row.premium_minor) == (
        "covered_in_full",
        "fully_prepaid",
        0,
    )
    assert outstanding_by_view(db, w.limit_id) == 0


def test_no_limit_and_cancelled_limit(db: Database, cast: Cast, w: World) -> None:
    with transaction(db.factory) as s:
        other = add_buyer(s, org_id=w.org_id, name="No Limit Ltd")
        cancelled = add_buyer(s, org_id=w.org_id, name="Cancelled Ltd")
        limit_id, _ = add_limit(
            s,
            org_id=w.org_id,
            policy_id=w.policy_id,
            buyer_id=cancelled,
            amount=50_000,
            effective_from=w.inception,
        )
        add_version(
            s,
            limit_id=limit_id,
            number=2,
            kind="cancellation",
            amount=0,
            effective_from=TODAY - timedelta(days=3),
        )
    assert attach(db, cast, shipment(w, buyer_id=other)).reason_code == "no_limit"
    row = attach(db, cast, shipment(w, buyer_id=cancelled))
    assert (row.cover_status, row.reason_code, row.covered_minor) == (
        "not_covered",
        "limit_cancelled",
        0,
    )
    # shipped before the cancellation: the old version still covers it
    before = attach(
        db,
        cast,
        shipment(
            w, buyer_id=cancelled, invoice_number="INV-OLD", shipment_date=TODAY - timedelta(days=5)
        ),
    )
    assert (before.cover_status, before.covered_minor) == ("covered_in_full", 1_000_000)


def test_reduction_after_the_shipment_keeps_the_old_versions_cover(
    db: Database, cast: Cast, w: World
) -> None:
    with transaction(db.factory) as s:
        reduced = add_version(
            s,
            limit_id=w.limit_id,
            number=2,
            kind="reduction",
            amount=20_000,
            effective_from=TODAY - timedelta(days=2),
        )
    old = attach(
        db,
        cast,
        shipment(w, invoice_amount=Decimal("60000"), shipment_date=TODAY - timedelta(days=4)),
    )
    assert (old.limit_version_id, old.cover_status, old.covered_minor) == (
        w.version_id,
        "covered_in_full",
        6_000_000,
    )
    new = attach(db, cast, shipment(w, invoice_number="INV-2"))
    assert (new.limit_version_id, new.reason_code) == (reduced, "limit_exhausted")


def test_late_declaration_is_flagged_and_not_covered(db: Database, cast: Cast, w: World) -> None:
    shipped = TODAY - timedelta(days=1)
    # a monthly declaration is due the 15th of the next month
    due = (shipped.replace(day=1) + timedelta(days=32)).replace(day=15)
    row = attach(db, cast, shipment(w, shipment_date=shipped), today=due + timedelta(days=1))
    assert (row.late, row.days_late, row.declaration_due) == (True, 1, due)
    assert (row.cover_status, row.reason_code, row.premium_minor) == (
        "not_covered",
        "late_declaration",
        0,
    )
    on_time = attach(
        db, cast, shipment(w, shipment_date=shipped, invoice_number="INV-2"), today=due
    )
    assert (on_time.late, on_time.cover_status) == (False, "covered_in_full")


def test_country_off_cover(db: Database, cast: Cast, w: World) -> None:
    with transaction(db.factory) as s:
        country_risk.change(
            s,
            principal=access.system_principal(s),
            country="DE",
            reason="sanctions",
            effective_from=TODAY,
            cover_status=CoverStatus.OFF_COVER,
        )
    row = attach(db, cast, shipment(w))
    assert (row.cover_status, row.reason_code) == ("not_covered", "country_off_cover")
    assert outstanding_by_view(db, w.limit_id) == 0


def test_suspended_policy(db: Database, cast: Cast, w: World) -> None:
    with transaction(db.factory) as s:
        policies.suspend(
            s, principal=access.system_principal(s), policy_id=w.policy_id, reason="premium arrears"
        )
    row = attach(db, cast, shipment(w))
    assert (row.cover_status, row.reason_code) == ("not_covered", "policy_suspended")


def test_correction_keeps_history_and_moves_the_reservation(
    db: Database, cast: Cast, w: World
) -> None:
    old = attach(db, cast, shipment(w, invoice_amount=Decimal("40000")))
    with transaction(db.factory) as s:
        new = service.correct(
            s,
            principal=exporter(db, cast),
            declaration_id=old.id,
            shipment=shipment(w, invoice_amount=Decimal("25000")),
            reason="amount typo",
            today=TODAY,
            store=store_for(db.engine),
        )
    assert (new.supersedes_id, new.covered_minor, new.status) == (old.id, 2_500_000, "active")
    assert reserved(db, w.limit_id) == 2_500_000 == outstanding_by_view(db, w.limit_id)
    with db.factory() as s:
        chain = service.history(s, principal=exporter(db, cast), declaration_id=new.id)
        assert [(d.id, d.status, d.end_reason) for d in chain] == [
            (old.id, "corrected", "amount typo"),
            (new.id, "active", None),
        ]
    with transaction(db.factory) as s:
        service.cancel(
            s, principal=exporter(db, cast), declaration_id=new.id, reason="order cancelled"
        )
    assert reserved(db, w.limit_id) == 0 == outstanding_by_view(db, w.limit_id)
    before = counts(db)
    with pytest.raises(DomainError) as caught, transaction(db.factory) as s:
        service.cancel(s, principal=exporter(db, cast), declaration_id=new.id, reason="again")
    assert caught.value.code == "declaration_not_active"
    assert counts(db) == before
    # the invoice number is free again once the declaration is cancelled
    assert attach(db, cast, shipment(w)).status == "active"


def test_review_metrics_source(db: Database, cast: Cast, w: World) -> None:
    shipped = TODAY - timedelta(days=1)
    due = (shipped.replace(day=1) + timedelta(days=32)).replace(day=15)
    attach(db, cast, shipment(w, shipment_date=shipped, invoice_amount=Decimal("30000")), today=due)
    attach(
        db,
        cast,
        shipment(w, shipment_date=shipped, invoice_number="INV-2", invoice_amount=Decimal("10000")),
        today=due + timedelta(days=2),
    )
    with transaction(db.factory) as s:
        service.submit_turnover_return(
            s,
            principal=exporter(db, cast),
            policy_id=w.policy_id,
            month=shipped.replace(day=1),
            amount=Money.of("50000", "USD"),
        )
    with transaction(db.factory) as s:
        metrics = RenewalReviewMetrics(s).metrics(
            policy_id=w.policy_id, start=shipped.replace(day=1), end=shipped
        )
    assert metrics.compliance_rate == Decimal("0.5000")
    assert metrics.declared_share_of_turnover == Decimal("0.8000")
    assert metrics.declared_amount == Decimal("40000.00")
    assert metrics.premium_earned == Decimal("135.00")  # 30000 x 0.45 %; the late one: none
