"""The claims part of the demo book: overdue invoices, notices of possible loss,
collection confirmations, claims in every state and recoveries.

For a handful of exporters with a policy in force for at least :data:`WINDOW_DAYS`
before ``as_of``, one more of their main buyers gets a small limit (approved at once) at
the start of the window, three shipments are declared on it, and the story of one claim
is played through the services with dated business days: a part payment on one invoice,
one invoice left overdue without a notice, one noticed and claimed.  Each exporter's
claim ends in the next state of :data:`CLAIM_STORIES`.  Every step is the real service
(exporter actions by the exporter's principal, the insurer's by the seed's system
principal), so every change has its audit entry and journal entries; an exporter whose
story is refused at any step is rolled back to a savepoint and skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

from sqlalchemy.orm import Session

from tradecover import buyers, claims, collections, declarations, limits, policies
from tradecover.access import Principal
from tradecover.claims import LossCause, RecoverySource
from tradecover.claims.documents import service as documents
from tradecover.claims.documents.checklist import DocumentStatus
from tradecover.claims.documents.store import DocumentStore, store_from_settings
from tradecover.collections import CollectionOutcome, LossCauseHint
from tradecover.collections import service as collections_service
from tradecover.config import get_settings
from tradecover.declarations import Shipment, TransportMode
from tradecover.demo import financing as bank_financing
from tradecover.demo.book import ExporterPlan
from tradecover.demo.refs import OrgRef
from tradecover.kit.errors import DomainError
from tradecover.kit.money import Money
from tradecover.limits import RequestType
from tradecover.policies import PolicyTerm

CLAIM_STORIES: Final = ("filed", "checking", "approved", "rejected", "paid", "recovered", "closed")
"""Where each demo claim's story ends (``recovered``: paid, with a recovery booked;
``closed``: paid and settled)."""

WINDOW_DAYS: Final = 150
"""The claims stories run from ``as_of - WINDOW_DAYS`` to ``as_of``."""

SECOND_APPROVER: Final = "system:demo-seed-checker"
"""The second claims approver of the demo, for claims above the four-eyes threshold."""


def _documents(
    session: Session,
    *,
    exporter: Principal,
    insurer: Principal,
    claim_id: int,
    store: DocumentStore,
    written: list[str],
) -> None:
    """The exporter uploads every document its claim needs (a small PDF each) and the
    claims handler accepts them.
    """
    claim, checklist, _rows = documents.checklist_of(session, principal=exporter, claim_id=claim_id)
    for item in checklist.outstanding:
        data = f"%PDF-1.4\n% demo {item.kind.value} of claim {claim.id}\n%%EOF\n".encode()
        row = documents.upload(
            session,
            principal=exporter,
            store=store,
            claim_id=claim.id,
            kind=item.kind,
            filename=f"{item.kind.value}.pdf",
            data=data,
            declared_type="application/pdf",
            limits=documents.UploadLimits(max_bytes=len(data), accepted=("application/pdf",)),
            written=written,
        )
        documents.review(
            session,
            principal=insurer,
            claim_id=claim.id,
            document_id=row.id,
            decision=DocumentStatus.ACCEPTED,
            note=None,
        )


def _story(
    session: Session,
    *,
    plan: ExporterPlan,
    policy: PolicyTerm,
    exporter: Principal,
    insurer: Principal,
    start: date,
    ending: str,
    store: DocumentStore,
    written: list[str],
) -> None:
    from tradecover.wiring import store_for

    s = plan.schedule
    main = plan.main_buyers[2]
    unit = Decimal(10_000_000 if s.currency == "KRW" else 10_000)
    reg = buyers.register_buyer(
        session,
        principal=exporter,
        name=main.buyer.name,
        country=main.buyer.country,
        own_reference=main.buyer.ref,
        trading_since=start - timedelta(days=365 * main.years_trading),
    )
    terms = s.payment_terms[0]
    credit = min(s.max_credit_days, 30)
    application = limits.apply(
        session,
        principal=exporter,
        policy_id=policy.id,
        buyer_id=reg.buyer.id,
        request_type=RequestType.NEW_LIMIT,
        amount=Money.of(2 * unit, s.currency),
        payment_terms=terms,
        credit_period_days=credit,
        today=start,
        rules=limits.LimitRules(),
    )
    if application.status != "decided" or application.limit_id is None:
        raise DomainError("the demo limit waits for an underwriter")
    shipped = start + timedelta(days=5)
    due = shipped + timedelta(days=credit)
    ids = []
    attachment = store_for(session.get_bind().engine)
    for n, amount in enumerate((unit, unit / 2, unit / 2), start=1):
        ids.append(
            declarations.attach(
                session,
                principal=exporter,
                channel="web",
                today=shipped,
                store=attachment,
                shipment=Shipment(
                    insured_org_id=exporter.org_id,
                    policy_id=policy.id,
                    buyer_id=reg.buyer.id,
                    payment_terms=terms,
                    transport_mode=TransportMode.SEA,
                    shipment_date=shipped,
                    due_date=due,
                    goods_description="demo shipment",
                    hs_code=f"{plan.hs_chapters[0]}01.00",
                    invoice_number=f"DEMO-{reg.buyer.id}-{n}",
                    currency=s.currency,
                    invoice_amount=amount,
                ),
            ).id
        )
    claimed, _overdue, part_paid = ids
    collections.confirm_collection(
        session,
        principal=exporter,
        declaration_id=part_paid,
        outcome=CollectionOutcome.PAID_IN_PART,
        amount=Money.of(unit / 5, s.currency),
        paid_on=due + timedelta(days=3),
        today=due + timedelta(days=5),
    )
    # the collections face's ``file_notice`` is the pure overdue rule of the same name
    collections_service.file_notice(
        session,
        principal=exporter,
        declaration_id=claimed,
        cause=LossCauseHint.INSOLVENCY,
        today=due + timedelta(days=10),
    )
    claim = claims.file_claim(
        session,
        principal=exporter,
        cause=LossCause.INSOLVENCY,
        lines=[claims.LineIn(declaration_id=claimed)],
        today=due + timedelta(days=25),
    )
    if ending == "filed":
        return
    claims.start_checks(session, principal=insurer, claim_id=claim.id)
    if ending == "checking":
        return
    decided = due + timedelta(days=45)
    if ending == "rejected":
        claims.reject(
            session,
            principal=insurer,
            claim_id=claim.id,
            today=decided,
            reason="the buyer disputes the quality of the goods",
        )
        return
    _documents(
        session, exporter=exporter, insurer=insurer, claim_id=claim.id, store=store, written=written
    )
    claim = claims.approve(session, principal=insurer, claim_id=claim.id, today=decided)
    if claim.state == "checking":  # above the four-eyes threshold: a second approver
        claims.approve(
            session,
            principal=replace(insurer, actor=SECOND_APPROVER),
            claim_id=claim.id,
            today=decided + timedelta(days=1),
        )
    if ending == "approved":
        return
    claims.pay(session, principal=insurer, claim_id=claim.id, today=decided + timedelta(days=7))
    if ending == "closed":
        claims.close(
            session,
            principal=insurer,
            claim_id=claim.id,
            reason=None,
            today=decided + timedelta(days=30),
        )
    if ending == "recovered":
        claims.record_recovery(
            session,
            principal=insurer,
            claim_id=claim.id,
            source=RecoverySource.COLLECTION_AGENCY,
            gross=Money.of(unit / 4, s.currency),
            costs=Money.of(unit / 40, s.currency),
            received_on=decided + timedelta(days=40),
        )


def seed_claims(
    session: Session,
    *,
    exporters: Sequence[tuple[ExporterPlan, OrgRef, Principal]],
    insurer: Principal,
    as_of: date,
    store: DocumentStore | None = None,
) -> int:
    """Play one claim story per suitable exporter until every story of
    :data:`CLAIM_STORIES` is told; returns how many were told.

    The claims' documents go to ``store`` (default: the configured document store); those
    of a story rolled back are deleted again.  Then the demo bank gets its assignment of
    the first exporter's policy proceeds (:mod:`tradecover.demo.financing`).
    """
    store = store or store_from_settings(get_settings())
    start = as_of - timedelta(days=WINDOW_DAYS)
    told = 0
    for plan, org, exporter in exporters:
        if told == len(CLAIM_STORIES):
            break
        policy = min(
            (t for t in policies.active_terms_of(session, org.id) if t.inception <= start),
            key=lambda t: t.id,
            default=None,
        )
        if policy is None or len(plan.main_buyers) < 3:
            continue
        savepoint = session.begin_nested()
        written: list[str] = []
        try:
            _story(
                session,
                plan=plan,
                policy=policy,
                exporter=exporter,
                insurer=insurer,
                start=start,
                ending=CLAIM_STORIES[told],
                store=store,
                written=written,
            )
            savepoint.commit()
            told += 1
        except DomainError:
            savepoint.rollback()
            for key in written:
                store.delete(key)
    # after the claims, so that none of the history is paid to it: the demo bank's line
    bank_financing.seed_bank(session, insurer=insurer, exporters=exporters, as_of=as_of)
    return told
