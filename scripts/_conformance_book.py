"""The throwaway book the conformance script attaches into: a SQLite database in a temporary
folder with one exporter, a flat-rated policy per currency and year its documents need,
their buyers related to it with large limits, and its customs, UBL and CII sources
connected.  A helper of ``feeds_conformance.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tradecover import access, policies
from tradecover.access import Principal
from tradecover.access.roles import OrganisationKind
from tradecover.buyers.identity import normalise_name, normalise_national_id
from tradecover.buyers.model import Buyer, ExporterBuyerRelationship
from tradecover.db import bootstrap, migrate
from tradecover.db.engine import make_engine, make_session_factory, transaction
from tradecover.feeds import IdentifierScheme, TradeDocument, shipment_date
from tradecover.feeds import connection_repository as connections
from tradecover.feeds.stream.envelope import FeedSource
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import DomainError
from tradecover.kit.money import Money
from tradecover.limits.model import CreditLimit, CreditLimitVersion
from tradecover.policies.schedule import (
    DeclarationFrequency,
    InsurableScope,
    PolicySchedule,
    Product,
)
from tradecover.reference.payment_terms import PaymentTerms

LIMIT_MINOR = 10**14


def _policy(
    session: Session, system: Principal, org_id: int, currency: str, inception: date
) -> int:
    terms = (PaymentTerms.OA,)
    application = policies.submit_application(
        session,
        principal=system,
        exporter_org_id=org_id,
        product=Product.SHORT_TERM_COMPREHENSIVE,
        currency=currency,
        expected_turnover=Money.of("10000000", currency),
        requested_inception=inception,
        destination_countries=[],
        payment_terms=list(terms),
        max_credit_days=360,
        hs_chapters=[],
        notes=None,
    )
    schedule = PolicySchedule(
        currency=currency,
        expected_turnover=Money.of("10000000", currency),
        maximum_liability=Money.of("5000000", currency),
        indemnity_commercial_pct=Decimal(90),
        indemnity_political_pct=Decimal(95),
        declaration_frequency=DeclarationFrequency.MONTHLY,
        rate_table="ST-2026",
        base_rate_pct=Decimal("0.45"),
        flat_rate_option=True,
        flat_rate_pct=Decimal("0.45"),
        scope=InsurableScope(payment_terms=terms, max_credit_days=360),
    )
    policy = policies.underwrite(
        session,
        principal=system,
        application_id=application.id,
        schedule=schedule,
        inception=inception,
    )
    policies.quote(session, principal=system, policy_id=policy.id)
    policies.issue(session, principal=system, policy_id=policy.id, today=inception)
    return int(policy.id)


def _buyer(session: Session, org_id: int, name: str, country: str, vat: str | None) -> int:
    now = utc_now()
    tax_id = None
    if vat:
        try:
            tax_id = normalise_national_id(vat, country=country, field="tax_id")
        except DomainError:
            tax_id = None
    row = Buyer(
        kind="buyer",
        legal_name=name,
        normalised_name=normalise_name(name),
        other_names=[],
        country=country,
        tax_id=tax_id,
        financials={},
        adverse_events=[],
        overdue_reports=0,
        defaults_on_record=0,
        created_at=now,
        created_by="conformance",
        updated_at=now,
    )
    session.add(row)
    session.flush()
    session.add(ExporterBuyerRelationship(org_id=org_id, buyer_id=row.id, created_at=now))
    return int(row.id)


def _limit(
    session: Session,
    org_id: int,
    policy_id: int,
    buyer_id: int,
    country: str,
    currency: str,
    start: date,
) -> None:
    now = utc_now()
    limit = CreditLimit(
        org_id=org_id,
        policy_id=policy_id,
        buyer_id=buyer_id,
        country=country,
        currency=currency,
        amount_minor=LIMIT_MINOR,
        committed_usd_minor=0,
        status="active",
        payment_terms="OA",
        credit_period_days=360,
        effective_from=start,
        current_version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(limit)
    session.flush()
    session.add(
        CreditLimitVersion(
            limit_id=limit.id,
            number=1,
            kind="new_limit",
            currency=currency,
            amount_minor=LIMIT_MINOR,
            effective_from=start,
            created_at=now,
            created_by="conformance",
        )
    )


def book_for(url: str, documents: Sequence[TradeDocument]) -> tuple[Engine, int, list[str]]:
    """Migrate ``url`` and seed the book ``documents`` need; the engine, the exporter's id
    and what could not be seeded (currencies no policy can be written in).
    """
    migrate.upgrade(url)
    engine = make_engine(url)
    problems: list[str] = []
    with transaction(make_session_factory(engine)) as session:
        bootstrap.load_reference_data(session)
        system = access.system_principal(session)
        org = access.create_organisation(
            session,
            principal=system,
            slug="conformance-exports",
            name="Conformance Exports",
            kind=OrganisationKind.EXPORTER,
            country="CN",
            region="CN-ZJ",
        )
        for source in (FeedSource.CUSTOMS, FeedSource.UBL, FeedSource.CII):
            connections.create_connection(
                session, principal=system, exporter_org_id=org.id, source=source
            )
        periods: dict[tuple[str, int], date] = {}
        for doc in documents:
            shipped = shipment_date(doc) or doc.issue_date
            if doc.currency and shipped:
                periods[(doc.currency, shipped.year)] = date(shipped.year, 1, 1)
        covered: list[tuple[int, str, date]] = []
        for (currency, _year), start in sorted(periods.items()):
            savepoint = session.begin_nested()
            try:
                covered.append((_policy(session, system, org.id, currency, start), currency, start))
                savepoint.commit()
            except DomainError as error:
                savepoint.rollback()
                problems.append(f"no {currency} policy from {start}: {error.code}")
        seen: set[tuple[str, str]] = set()
        for doc in documents:
            name, country = doc.buyer.name, (doc.buyer.country or "").upper()
            if not name or len(country) != 2 or (normalise_name(name), country) in seen:
                continue
            seen.add((normalise_name(name), country))
            buyer_id = _buyer(
                session, org.id, name, country, doc.buyer.identifier(IdentifierScheme.VAT)
            )
            for policy_id, currency, start in covered:
                _limit(
                    session,
                    org.id,
                    policy_id,
                    buyer_id,
                    country,
                    currency,
                    start - timedelta(days=1),
                )
        org_id = int(org.id)
    return engine, org_id, problems
