"""The demo book's month of automatic attachment: connected sources and the
documents they sent.

A few exporters with a policy in force (the two demo exporters' firms first, then the next
ones trading with open account terms) connect a customs single-window source, a UBL
e-invoice source and an ERP webhook; their policies take an attachment model by
endorsement (portfolio, hybrid authorising customs and the ERP, individual: the policy never
chose, portfolio).  Over the month before ``as_of`` each ships to its two trading buyers:
customs sends the export record, the invoice comes as UBL (every third shipment as an ERP
event).  The documents go through the workers' own batch path
(:func:`tradecover.feeds.receive_many` with :func:`tradecover.feeds.model_attacher`, in the
seeding transaction, no stream), one batch a day, each document received on the day its
goods leave (the attachment step's business date); so shipments attach on receipt
(portfolio; hybrid from the ERP), or wait for the exporter's confirmation (individual;
hybrid from UBL), a customs export whose invoice never came stays an omission
([domain FR-4]), and the faulty documents are quarantined with their reasons: an invoice in
a currency the policy does not allow (``currency_not_allowed``), one to a buyer the exporter
never registered (``buyer_unknown``), one whose totals do not add up
(``en16931_BR-CO-15``), one cut off in transit (``xml_malformed``).
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Final

from sqlalchemy.orm import Session

from tradecover import feeds, policies
from tradecover.access import Principal
from tradecover.demo.book import ExporterPlan
from tradecover.demo.feed_documents import (
    FeedParty,
    FeedShipment,
    customs_record,
    cut_off,
    erp_event,
    ubl_invoice,
)
from tradecover.demo.refs import OrgRef
from tradecover.demo.trading import TRADING_BUYERS
from tradecover.feeds import Envelope, FeedSource
from tradecover.policies import AttachmentModel, AttachmentTerms
from tradecover.reference.payment_terms import PaymentTerms
from tradecover.wiring import store_for

MODELS: Final[tuple[AttachmentTerms | None, ...]] = (
    AttachmentTerms(AttachmentModel.PORTFOLIO),
    AttachmentTerms(AttachmentModel.HYBRID, authorised_sources=("customs", "erp")),
    None,  # individual: the policy never chose
    AttachmentTerms(AttachmentModel.PORTFOLIO),
)
"""The attachment terms of the connected exporters' policies, in the order they are picked."""

SHIPMENTS: Final = 6
"""Shipments per connected exporter in the month (each a customs record and an invoice)."""
MONTH_DAYS: Final = 30
SOURCES: Final = (FeedSource.CUSTOMS, FeedSource.UBL, FeedSource.ERP)
UNKNOWN_BUYER: Final = "Westbrook Commodities Trading Ltd"
"""A buyer no demo exporter ever registered."""
WRONG_CURRENCY: Final = "GBP"
"""A currency no demo policy allows."""
_NAMESPACE: Final = uuid.UUID("5b1c7f1e-6a53-4f0e-9a7e-3d3c2f1e0d17")


@dataclass(slots=True)
class FeedCounts:
    """What the month of feeds left: connected exporters and sources, and the received
    documents by status.
    """

    exporters: int = 0
    connections: int = 0
    statuses: Counter[str] = field(default_factory=Counter)

    def describe(self) -> str:
        """One line for the seed's summary table."""
        parts = ", ".join(
            f"{count} {status.replace('_', ' ')}" for status, count in sorted(self.statuses.items())
        )
        return f"{self.connections} sources of {self.exporters} exporters; {parts or 'none'}"


@dataclass(frozen=True, slots=True)
class _Connected:
    """One connected exporter: its plan, organisation, policy term and month."""

    plan: ExporterPlan
    org: OrgRef
    actor: Principal
    policy_id: int
    first: date
    last: date


def _pick(
    session: Session, exporters: Sequence[tuple[ExporterPlan, OrgRef, Principal]], as_of: date
) -> list[_Connected]:
    """The exporters that get sources: an active policy in force over (part of) the month
    before ``as_of`` and two trading buyers; after the two demo exporters' firms, only
    those trading on open account (what the feed's shipments are declared on).
    """
    picked: list[_Connected] = []
    for index, (plan, org, actor) in enumerate(exporters):
        if len(picked) == len(MODELS):
            break
        if len(plan.main_buyers) < TRADING_BUYERS.stop:
            continue
        if index >= 2 and PaymentTerms.OA not in plan.schedule.payment_terms:
            continue
        last = as_of - timedelta(days=1)
        term = next(
            (
                t
                for t in policies.active_terms_of(session, org.id)
                if t.inception <= last <= t.expiry
            ),
            None,
        )
        if term is None:
            continue
        first = max(as_of - timedelta(days=MONTH_DAYS), term.inception)
        picked.append(_Connected(plan, org, actor, term.id, first, last))
    return picked


def _shipments(rng: random.Random, exporter: _Connected, count: int) -> list[FeedShipment]:
    """``count`` shipments spread over the exporter's month, alternating its trading buyers."""
    plan, s = exporter.plan, exporter.plan.schedule
    unit = 10_000_000 if s.currency == "KRW" else 10_000
    step = unit // 100
    span = (exporter.last - exporter.first).days
    seller = FeedParty(plan.name, plan.country, f"{plan.country}{exporter.org.id:012d}")
    chapter = plan.hs_chapters[0]
    found: list[FeedShipment] = []
    for k in range(count):
        main = plan.main_buyers[TRADING_BUYERS][k % 2]
        exited = exporter.first + timedelta(days=span * (k + 1) // (count + 1))
        found.append(
            FeedShipment(
                invoice_number=f"FD{exporter.last:%y%m}-{exporter.org.id:03d}{k + 1:02d}",
                declaration_number=f"{exited:%Y%m%d}{exporter.org.id:04d}{k + 1:06d}",
                seller=seller,
                buyer=FeedParty(main.buyer.name, main.buyer.country),
                accepted=exited - timedelta(days=1),
                exited=exited,
                issued=exited,
                credit_days=min(s.max_credit_days, 60),
                currency=s.currency,
                amount=Decimal(round(unit * rng.uniform(0.12, 0.4) / step) * step),
                hs_code=f"{chapter}0110",
                description=f"{plan.name.split()[0]} goods, HS chapter {chapter}",
                transport_document=f"BL{exited:%y%m%d}{exporter.org.id:04d}{k + 1:02d}",
            )
        )
    return found


_Sent = tuple[FeedSource, bytes, str, date]
"""A document a source sends: the source, the bytes, what it is, the day it arrives."""


def _documents(rng: random.Random, position: int, exporter: _Connected) -> list[_Sent]:
    """The documents the exporter's sources send in the month, each on the day its goods
    leave: each shipment's customs record, then its invoice (UBL, every third an ERP
    event); one more export with no invoice (two for the first exporter); and the faulty
    ones.
    """
    omitted = 2 if position == 0 else 1
    shipments = _shipments(rng, exporter, SHIPMENTS + omitted + 2)
    sent: list[_Sent] = []
    for k, shipment in enumerate(shipments[:SHIPMENTS]):
        day = shipment.exited
        sent.append((FeedSource.CUSTOMS, customs_record(shipment), "customs", day))
        if k % 3 == 2:
            sent.append((FeedSource.ERP, erp_event(shipment), "erp", day))
        else:
            sent.append((FeedSource.UBL, ubl_invoice(shipment), "invoice", day))
    for shipment in shipments[SHIPMENTS : SHIPMENTS + omitted]:
        sent.append((FeedSource.CUSTOMS, customs_record(shipment), "omission", shipment.exited))
    odd, other = shipments[SHIPMENTS + omitted :]
    stranger = replace(other, buyer=FeedParty(UNKNOWN_BUYER, other.buyer.country))
    at, late = odd.exited, other.exited
    faulty: dict[int, list[_Sent]] = {
        0: [
            (FeedSource.UBL, ubl_invoice(odd, currency=WRONG_CURRENCY), "currency", at),
            (FeedSource.UBL, ubl_invoice(stranger), "buyer", late),
            (FeedSource.UBL, cut_off(ubl_invoice(odd)), "malformed", late),
        ],
        1: [
            (FeedSource.UBL, ubl_invoice(odd, inclusive_excess=odd.amount / 20), "totals", at),
            (FeedSource.ERP, erp_event(stranger), "buyer", late),
        ],
        2: [(FeedSource.UBL, ubl_invoice(odd, currency=WRONG_CURRENCY), "currency", at)],
        3: [(FeedSource.UBL, cut_off(ubl_invoice(stranger)), "malformed", late)],
    }
    return sent + faulty.get(position, [])


def seed_feed_month(
    session: Session,
    exporters: Sequence[tuple[ExporterPlan, OrgRef, Principal]],
    *,
    insurer: Principal,
    as_of: date,
    seed: int,
) -> FeedCounts:
    """Connect the sources of a few exporters, endorse their policies' attachment models
    and receive their month of documents in the caller's transaction (see the module's
    docstring); what became of them.
    """
    counts = FeedCounts()
    by_day: dict[date, list[Envelope]] = {}
    for position, exporter in enumerate(_pick(session, exporters, as_of)):
        terms = MODELS[position]
        if terms is not None:
            policies.endorse_attachment_terms(
                session,
                principal=insurer,
                policy_id=exporter.policy_id,
                terms=terms,
                effective_date=exporter.first,
            )
        for source in SOURCES:
            feeds.create_connection(
                session, principal=exporter.actor, exporter_org_id=exporter.org.id, source=source
            )
        counts.exporters += 1
        counts.connections += len(SOURCES)
        rng = random.Random(f"{seed}:feeds:{exporter.plan.slug}")
        for n, (source, content, what, day) in enumerate(_documents(rng, position, exporter)):
            by_day.setdefault(day, []).append(
                Envelope(
                    message_id=uuid.uuid5(_NAMESPACE, f"{seed}:{exporter.plan.slug}:{n}").hex,
                    source=source,
                    exporter_org_id=exporter.org.id,
                    content=content,
                    received_at=datetime.combine(day, time(9, n % 60), tzinfo=UTC),
                    filename=f"{what}-{n + 1:02d}.{'xml' if source is FeedSource.UBL else 'json'}",
                )
            )
    store = store_for(session.get_bind().engine)
    for day, envelopes in sorted(by_day.items()):  # each day's documents, received that day
        received = feeds.receive_many(
            session,
            envelopes,
            attach=feeds.model_attacher(store, today=day),
            correct=feeds.correction_step(store, today=day),
            now=datetime.combine(day, time(10), tzinfo=UTC),
        )
        counts.statuses.update(r.status for r in received)
    return counts
