"""Seeding of the attachment benchmark's database: exporters with API keys, issued
policies, rated buyers with large credit limits (``attachment.py``, ``upload_flood.py``).

A helper, not a benchmark (``run_all.py`` skips files whose name starts with ``_``).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import psycopg
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from tradecover.access import service as access
from tradecover.access.roles import OrganisationKind, Role
from tradecover.buyers.identity import normalise_name
from tradecover.buyers.model import Buyer, BuyerRating, ExporterBuyerRelationship
from tradecover.db import bootstrap, migrate
from tradecover.db.engine import make_engine, make_session_factory, transaction
from tradecover.kit.dates import business_today, utc_now
from tradecover.kit.money import Money
from tradecover.limits.model import CreditLimit, CreditLimitVersion
from tradecover.policies import service as policies
from tradecover.policies.schedule import (
    DeclarationFrequency,
    InsurableScope,
    PolicySchedule,
    Product,
)
from tradecover.reference.payment_terms import PaymentTerms

LIMIT_MINOR = 10**15  # never exhausted during a run


def _connect(url: str, database: str | None) -> psycopg.Connection[Any]:
    """An autocommit connection to ``database`` on ``url``'s server, as pgbench reaches it."""
    base = make_url(url)
    return psycopg.connect(
        host=_host(base),
        port=base.port or 5432,
        user=base.username or "postgres",
        dbname=database,
        autocommit=True,
    )


def _fresh_database(url: str) -> None:
    base = make_url(url)
    with _connect(url, "postgres") as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{base.database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{base.database}"')


Book = tuple[str, list[tuple[int, int]]]
"""An exporter's API key secret and its (policy, buyer) pairs, each with a credit limit."""


def _seed(url: str, *, exporters: list[tuple[int, int, bool]]) -> list[Book]:
    """Exporters (``(policies, buyers per policy, flat-rated)`` each), their API keys,
    policies, and rated buyers with limits: one :data:`Book` per exporter.
    """
    migrate.upgrade(url)
    engine = make_engine(url)
    with transaction(make_session_factory(engine)) as session:
        bootstrap.load_reference_data(session)
    books = [
        _seed_exporter(engine, e, n_policies=p, n_buyers=b, flat=flat)
        for e, (p, b, flat) in enumerate(exporters)
    ]
    with engine.connect() as connection:  # statistics, as autovacuum would keep them
        connection.execute(text("ANALYZE"))
        connection.commit()
    engine.dispose()
    return books


def _seed_exporter(
    engine: Engine, number: int, *, n_policies: int, n_buyers: int, flat: bool = False
) -> Book:
    """One exporter: risk-based policies (priced on the rate table, buyers rated with a
    PD each), or with ``flat`` policies whose schedule agrees a flat rate of 0.45 %.
    """
    pairs: list[tuple[int, int]] = []
    today = business_today()
    inception = today - timedelta(days=30)
    with transaction(make_session_factory(engine)) as session:
        system = access.system_principal(session)
        org = access.create_organisation(
            session,
            principal=system,
            slug=f"bench-exports-{number}",
            name=f"Bench Exports {number}",
            kind=OrganisationKind.EXPORTER,
            country="CN",
            region="CN-ZJ",
        )
        _key, secret = access.create_api_key(
            session, principal=system, org=org, role=Role.EXPORTER, name="bench"
        )
        terms = (PaymentTerms.LC, PaymentTerms.OA)
        for _p in range(n_policies):
            application = policies.submit_application(
                session,
                principal=system,
                exporter_org_id=org.id,
                product=Product.SHORT_TERM_COMPREHENSIVE,
                currency="USD",
                expected_turnover=Money.of("12000000", "USD"),
                requested_inception=inception,
                destination_countries=["DE", "US"],
                payment_terms=list(terms),
                max_credit_days=180,
                hs_chapters=[],
                notes=None,
            )
            schedule = PolicySchedule(
                currency="USD",
                expected_turnover=Money.of("12000000", "USD"),
                maximum_liability=Money.of("5000000", "USD"),
                indemnity_commercial_pct=Decimal(90),
                indemnity_political_pct=Decimal(95),
                declaration_frequency=DeclarationFrequency.MONTHLY,
                rate_table="ST-2026",
                base_rate_pct=Decimal("0.45"),
                flat_rate_option=flat,
                flat_rate_pct=Decimal("0.45") if flat else None,
                scope=InsurableScope(
                    destination_countries=("DE", "US"), payment_terms=terms, max_credit_days=180
                ),
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
            now = utc_now()
            for b in range(n_buyers):
                buyer = Buyer(
                    kind="buyer",
                    legal_name=f"Buyer {policy.id}-{b}",
                    normalised_name=normalise_name(f"Buyer {policy.id}-{b}"),
                    other_names=[],
                    country="DE",
                    financials={},
                    adverse_events=[],
                    overdue_reports=0,
                    defaults_on_record=0,
                    created_at=now,
                    created_by="bench",
                    updated_at=now,
                )
                session.add(buyer)
                session.flush()
                session.add(
                    ExporterBuyerRelationship(org_id=org.id, buyer_id=buyer.id, created_at=now)
                )
                session.add(
                    BuyerRating(
                        buyer_id=buyer.id,
                        model_version="bench",
                        score=500,
                        grade=3,
                        pd=Decimal(f"0.0{1 + b % 5}"),
                        hard_stop=False,
                        hard_stop_reasons=[],
                        contributions=[],
                        rated_at=now,
                        rated_by="bench",
                    )
                )
                limit = CreditLimit(
                    org_id=org.id,
                    policy_id=policy.id,
                    buyer_id=buyer.id,
                    country="DE",
                    currency="USD",
                    amount_minor=LIMIT_MINOR,
                    committed_usd_minor=0,
                    status="active",
                    payment_terms="OA",
                    credit_period_days=180,
                    effective_from=inception,
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
                        currency="USD",
                        amount_minor=LIMIT_MINOR,
                        effective_from=inception,
                        created_at=now,
                        created_by="bench",
                    )
                )
                pairs.append((policy.id, buyer.id))
    return secret, pairs


def _shipment(policy_id: int, buyer_id: int, invoice: str, today: date) -> dict[str, Any]:
    return {
        "policy_id": policy_id,
        "buyer_id": buyer_id,
        "payment_terms": "OA",
        "transport_mode": "sea",
        "shipment_date": today.isoformat(),
        "due_date": (today + timedelta(days=60)).isoformat(),
        "goods_description": "machine parts",
        "hs_code": "8459.61",
        "invoice_number": invoice,
        "currency": "USD",
        "invoice_amount": "1000.00",
        "prepayment": "0",
    }


def _host(url: Any) -> str:
    """The server's host: a name or address, or the directory of its Unix socket (a URL
    such as ``postgresql+psycopg://postgres@/db?host=/var/run/postgresql``): the app and
    pgbench then both talk to the server the same way.
    """
    socket_dir = url.query.get("host")
    return str(socket_dir or url.host or "127.0.0.1")
