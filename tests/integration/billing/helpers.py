"""Builders for billing tests: policies cloned in SQL, declarations inserted in bulk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import bindparam, func, insert, select, text
from sqlalchemy.orm import Session

from tests.builders.policies import active
from tests.conftest import Actor, Cast, Database, make_org
from tradecover.access import service as access
from tradecover.access.roles import OrganisationKind
from tradecover.billing.model import NoticeSplit, PremiumNotice, PremiumNoticePart
from tradecover.buyers import service as buyers
from tradecover.db.base import UTCDateTime
from tradecover.db.engine import transaction
from tradecover.declarations.model import Declaration
from tradecover.kit.dates import utc_now
from tradecover.ledger.model import LedgerEntry, LedgerLine
from tradecover.policies.model import Policy
from tradecover.subsidies import service as subsidies
from tradecover.subsidies.model import SubsidyProgramme
from tradecover.subsidies.programme import Programme

NOW = datetime(2026, 10, 31, 12, tzinfo=UTC)
OCT = date(2026, 10, 1)


@dataclass
class Book:
    """Policies of the exporter, its buyer, and the other exporter's policy."""

    policy_ids: list[int]
    buyer_id: int
    exporter_org_id: int


def profile(
    client: TestClient, actor: Actor, *, exports: str = "3000000", region: str = "CN-ZJ"
) -> None:
    """Give the exporter a profile (region, previous-year exports) for subsidy eligibility."""
    r = client.put(
        f"/api/v1/exporters/{actor.org_id}/profile",
        headers=actor.headers,
        json={
            "legal_name": "Acme Exports Ltd",
            "region": region,
            "size_class": "small",
            "cross_border_ecommerce": False,
            "currency": "USD",
            "previous_year_exports": exports,
            "export_history": [],
            "products": ["84"],
            "destination_countries": ["DE"],
            "main_buyers": [],
        },
    )
    assert r.status_code == 200, r.text


def clone_policies(session: Session, policy_id: int, count: int) -> list[int]:
    """``count`` more policies like ``policy_id`` (same exporter), written in SQL."""
    cols = [c.name for c in Policy.__table__.columns if c.name not in ("id", "number")]
    names = ", ".join(cols)
    for _ in range(count):
        session.execute(
            text(f"INSERT INTO policies ({names}) SELECT {names} FROM policies WHERE id = :id"),
            {"id": policy_id},
        )
    return [
        int(i)
        for i in session.execute(
            select(Policy.id).where(Policy.id != policy_id).order_by(Policy.id)
        ).scalars()
    ]


def book(db: Database, client: TestClient, cast: Cast, *, policies: int = 1) -> Book:
    """An active policy (and clones) of ``cast.exporter`` and a buyer it trades with."""
    policy = active(client, cast)
    with transaction(db.factory) as s:
        exporter = access.principal_from_api_key(s, cast.exporter.headers["X-API-Key"])
        buyer = buyers.register_buyer(
            s, principal=exporter, name="Muller Maschinenbau GmbH", country="DE"
        )
        ids = [policy["id"]] + (
            clone_policies(s, policy["id"], policies - 1) if policies > 1 else []
        )
        return Book(ids, buyer.buyer.id, cast.exporter.org_id)


def declaration_row(
    *,
    policy_id: int,
    org_id: int,
    buyer_id: int,
    premium_minor: int,
    day: date,
    n: int,
    hs: str = "8471.30",
    country: str = "DE",
    status: str = "active",
    currency: str = "USD",
    declared_at: datetime = NOW,
) -> dict[str, Any]:
    """The columns of one declaration, as the attachment service would write them."""
    insured = premium_minor * 200
    return {
        "exporter_org_id": org_id,
        "policy_id": policy_id,
        "buyer_id": buyer_id,
        "buyer_country": country,
        "limit_id": None,
        "limit_version_id": None,
        "invoice_number": f"INV-{policy_id}-{n}",
        "shipment_date": day,
        "due_date": day,
        "credit_days": 60,
        "payment_terms": "OA",
        "transport_mode": "sea",
        "hs_code": hs,
        "goods_description": "machine parts",
        "currency": currency,
        "invoice_minor": insured,
        "prepayment_minor": 0,
        "insured_minor": insured,
        "covered_minor": insured,
        "uninsured_minor": 0,
        "collected_minor": 0,
        "cover_status": "covered_in_full",
        "reason_code": "covered",
        "cover_explanation": "covered",
        "rate": Decimal("0.005"),
        "rate_explanation": None,
        "premium_minor": premium_minor,
        "declaration_date": day,
        "declaration_due": day,
        "late": False,
        "days_late": 0,
        "status": status,
        "supersedes_id": None,
        "channel": "api",
        "declared_at": declared_at,
        "declared_by": "test",
        # like the attachment service: a row that is no longer active has ended
        "ended_at": None if status == "active" else declared_at,
        "ended_by": None if status == "active" else "test",
    }


def declare(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert declaration rows in bulk."""
    session.execute(insert(Declaration), rows)


def programme_org(session: Session, slug: str = "sz-programme") -> int:
    """A sponsor organisation of kind subsidy_programme."""
    return make_org(session, slug=slug, kind=OrganisationKind.SUBSIDY_PROGRAMME, region=None)


def add_programme(
    session: Session,
    programme: Programme,
    *,
    slug: str = "sz-programme",
    sponsor: int | None = None,
) -> int:
    """Register ``programme`` for a (new) sponsor organisation."""
    sponsor_id = sponsor if sponsor is not None else programme_org(session, slug)
    row = subsidies.create_programme(
        session,
        principal=access.system_principal(session),
        sponsor_org_id=sponsor_id,
        programme=programme,
    )
    return row.id


def counts(db: Database) -> dict[str, int]:
    """Rows of every table the billing run writes."""
    with db.factory() as s:
        return {
            m.__tablename__: int(s.execute(select(func.count()).select_from(m)).scalar_one())
            for m in (
                PremiumNotice,
                PremiumNoticePart,
                NoticeSplit,
                LedgerEntry,
                LedgerLine,
                SubsidyProgramme,
            )
        }


def end_declaration(
    session: Session, declaration_id: int, *, status: str = "cancelled", at: datetime | None = None
) -> None:
    """End a declaration as the attachment service's cancellation does (status, when, who)."""
    session.execute(
        text(
            "UPDATE declarations SET status = :st, ended_at = :at, ended_by = 'test', "
            "end_reason = 'cancelled by the exporter' WHERE id = :id"
        ).bindparams(bindparam("at", type_=UTCDateTime())),
        {"st": status, "at": at or utc_now(), "id": declaration_id},
    )
