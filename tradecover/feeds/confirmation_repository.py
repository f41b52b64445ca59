"""The attachment model at work on the feed stream ([domain A-1]..[domain A-6]).

:class:`ModelAttacher` (:func:`model_attacher`) is the attachment step of the workers: it
reads the policy's attachment terms in force on the day of receipt and either hands the
document to the bridge's attacher (the one attachment service) or leaves it *awaiting
confirmation*; an invoice in a currency no policy in force allows is refused
first.  :func:`correction_step` applies credit notes and amended customs declarations
through the declarations' correction path.  The exporter lists what waits
(:func:`awaiting_confirmation`), confirms it (:func:`confirm`, :func:`confirm_many`) or
withdraws it (:func:`withdraw_received`, which also withdraws what attached on receipt
within the hybrid's window).  Services never commit: the edge owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover import audit
from tradecover.access import Permission, Principal, Role, organisation_of
from tradecover.declarations import (
    Shipment,
    TransportMode,
    cancel,
    correct,
    declarations_by_id,
    latest_of,
)
from tradecover.feeds import service
from tradecover.feeds.attach_bridge import CHANNEL_OF_SOURCE, document_attacher
from tradecover.feeds.cover_model import (
    AWAITING_CONFIRMATION,
    ConfirmationStanding,
    Correction,
    DeclaredAmounts,
    confirmation_deadline,
    confirmation_standing,
    correction_of,
    currency_refusal,
    on_date_basis,
    on_receipt,
    withdrawal_allowed,
)
from tradecover.feeds.matching import due_date, shipment_date
from tradecover.feeds.model import FeedConnection, ReceivedDocument
from tradecover.feeds.record import Reason, TradeDocument
from tradecover.feeds.service import AttachDocument, AttachOutcome, CorrectDeclaration
from tradecover.feeds.shipment_repository import shipment_confirmed, shipment_withdrawn
from tradecover.feeds.stream.envelope import FeedSource
from tradecover.kit.dates import business_today, utc_now
from tradecover.kit.errors import Conflict, DomainError, ValidationFailed
from tradecover.kit.money import Money
from tradecover.policies import (
    PolicyAttachment,
    ShipmentDateBasis,
    active_currencies_of,
    active_policy_covering,
    attachment_of_policy,
)
from tradecover.reference.payment_terms import PaymentTerms

if TYPE_CHECKING:
    from tradecover.declarations import AttachmentStore

MAX_CONFIRM = 200
"""Most shipments confirmed in one request."""


def _shipped(document: TradeDocument) -> date | None:
    return shipment_date(document) or document.issue_date


def _policy_of(
    session: Session, org_id: int, document: TradeDocument, on: date
) -> PolicyAttachment | None:
    shipped = _shipped(document)
    if shipped is None or document.currency is None:
        return None
    policy_id = active_policy_covering(
        session, exporter_org_id=org_id, currency=document.currency, shipped=shipped
    )
    return None if policy_id is None else attachment_of_policy(session, policy_id, on)


def _refused(reason: Reason) -> AttachOutcome:
    return AttachOutcome("refused", reasons=(reason,))


class ModelAttacher:
    """The workers' attachment step under the policy's attachment model ([domain A-1]):
    ``inner`` (the bridge's attacher by default) declares what attaches now; a shipment the
    model makes wait is left ``awaiting_confirmation``.  It forwards ``enrich`` to ``inner``
    where that step has one.  ``today`` is the business date of receipt (today's when
    None; the demo seed replays a month as of its own date).
    """

    def __init__(
        self,
        store: AttachmentStore,
        inner: AttachDocument | None = None,
        today: date | None = None,
    ) -> None:
        self.store, self.today = store, today
        self.inner = inner or document_attacher(store, today=today)

    def receipt_day(self) -> date:
        """The business date documents are received on."""
        return self.today or business_today()

    def attach_now(
        self, session: Session, document: TradeDocument, connection: FeedConnection, today: date
    ) -> AttachOutcome:
        """Attach ``document`` now, read on its policy's shipment-date basis."""
        policy = _policy_of(session, connection.exporter_org_id, document, today)
        if policy is not None:
            document = on_date_basis(document, policy.terms.shipment_date_basis)
        return self.inner(session, document, connection)

    def __call__(
        self, session: Session, document: TradeDocument, connection: FeedConnection
    ) -> AttachOutcome:
        """Attach, leave waiting, or refuse a currency no policy in force allows."""
        today = self.receipt_day()
        shipped = _shipped(document)
        if shipped is not None:
            allowed = active_currencies_of(session, connection.exporter_org_id, shipped)
            refusal = currency_refusal(document.currency, allowed)
            if refusal is not None:
                return _refused(refusal)
        policy = _policy_of(session, connection.exporter_org_id, document, today)
        if policy is None or on_receipt(policy.terms, connection.source) == "attach":
            return self.attach_now(session, document, connection, today)
        assert shipped is not None
        deadline = confirmation_deadline(policy.declaration_frequency, shipped)
        return AttachOutcome(
            "awaiting_confirmation",
            reasons=(
                Reason(
                    AWAITING_CONFIRMATION,
                    f"not covered until you confirm it, by {deadline.isoformat()} "
                    f"(the {policy.terms.model.value} model)",
                ),
            ),
        )

    def attach_many(
        self, session: Session, items: Sequence[tuple[TradeDocument, FeedConnection]]
    ) -> list[AttachOutcome]:
        """What :meth:`__call__` says of each of a batch of documents, set-based: the
        currencies and policy of each distinct (exporter, currency, date) read once, and
        what attaches now declared through ``inner``'s batch path where it has one.
        """
        today = self.receipt_day()
        outcomes: dict[int, AttachOutcome] = {}
        currencies: dict[tuple[int, date], list[str]] = {}
        policies: dict[tuple[int, str | None, date | None], PolicyAttachment | None] = {}
        now: list[tuple[int, tuple[TradeDocument, FeedConnection]]] = []
        for index, (document, connection) in enumerate(items):
            org_id, shipped = connection.exporter_org_id, _shipped(document)
            if shipped is not None:
                if (org_id, shipped) not in currencies:
                    currencies[org_id, shipped] = active_currencies_of(session, org_id, shipped)
                refusal = currency_refusal(document.currency, currencies[org_id, shipped])
                if refusal is not None:
                    outcomes[index] = _refused(refusal)
                    continue
            wanted = (org_id, document.currency, shipped)
            if wanted not in policies:
                policies[wanted] = _policy_of(session, org_id, document, today)
            policy = policies[wanted]
            if policy is None or on_receipt(policy.terms, connection.source) == "attach":
                if policy is not None:
                    document = on_date_basis(document, policy.terms.shipment_date_basis)
                now.append((index, (document, connection)))
                continue
            assert shipped is not None
            deadline = confirmation_deadline(policy.declaration_frequency, shipped)
            outcomes[index] = AttachOutcome(
                "awaiting_confirmation",
                reasons=(
                    Reason(
                        AWAITING_CONFIRMATION,
                        f"not covered until you confirm it, by {deadline.isoformat()} "
                        f"(the {policy.terms.model.value} model)",
                    ),
                ),
            )
        batch = getattr(self.inner, "attach_many", None)
        if batch is not None:
            done: list[AttachOutcome] = batch(session, [item for _i, item in now])
        else:
            done = [self.inner(session, *item) for _i, item in now]
        outcomes.update((index, outcome) for (index, _item), outcome in zip(now, done, strict=True))
        return [outcomes[index] for index in range(len(items))]

    def enrich(
        self,
        session: Session,
        declaration_id: int,
        document: TradeDocument,
        connection: FeedConnection,
    ) -> int | None:
        """What ``inner``'s ``enrich`` does (None where it has none), with ``document`` read
        on the shipment-date basis of the declaration's own policy ([domain A-1]).
        """
        enrich = getattr(self.inner, "enrich", None)
        if enrich is None:
            return None
        declared = declarations_by_id(session, [declaration_id]).get(declaration_id)
        if declared is not None:
            terms = attachment_of_policy(session, declared.policy_id, self.receipt_day()).terms
            document = on_date_basis(document, terms.shipment_date_basis)
        corrected: int | None = enrich(session, declaration_id, document, connection)
        return corrected

    def enrich_many(
        self, session: Session, items: Sequence[tuple[int, TradeDocument, FeedConnection]]
    ) -> list[int | None]:
        """What :meth:`enrich` does for each of ``items``, set-based: each policy's terms
        read once, then ``inner``'s ``enrich_many`` (one by one where it has none).
        """
        declared = declarations_by_id(session, [item[0] for item in items])
        today = self.receipt_day()
        terms: dict[int, ShipmentDateBasis] = {}
        dated: list[tuple[int, TradeDocument, FeedConnection]] = []
        for declaration_id, document, connection in items:
            row = declared.get(declaration_id)
            if row is not None:
                if row.policy_id not in terms:
                    terms[row.policy_id] = attachment_of_policy(
                        session, row.policy_id, today
                    ).terms.shipment_date_basis
                document = on_date_basis(document, terms[row.policy_id])
            dated.append((declaration_id, document, connection))
        batch = getattr(self.inner, "enrich_many", None)
        if batch is not None:
            done: list[int | None] = batch(session, dated)
            return done
        enrich = getattr(self.inner, "enrich", None)
        if enrich is None:
            return [None] * len(items)
        return [enrich(session, *item) for item in dated]


def model_attacher(store: AttachmentStore, today: date | None = None) -> ModelAttacher:
    """The workers' attachment step under the policy's attachment model ([domain A-1]),
    receiving on ``today`` (today's business date when None).
    """
    return ModelAttacher(store, today=today)


def _feeds_principal(session: Session, org_id: int, source: str) -> Principal:
    org = organisation_of(session, org_id)
    assert org is not None
    return Principal(
        actor=f"system:feeds:{source}"[:64],
        org_id=org.id,
        org_slug=org.slug,
        org_kind=org.kind,
        role=Role.EXPORTER,
    )


def correction_step(store: AttachmentStore, today: date | None = None) -> CorrectDeclaration:
    """The workers' correction step: a credit note or amended customs declaration corrects
    (or cancels) the declaration it changes, through ``correct`` ([domain A-5]), on
    ``today`` (today's business date when None).
    """
    fixed = today

    def step(
        session: Session,
        document: TradeDocument,
        connection: FeedConnection,
        declaration_id: int,
    ) -> AttachOutcome:
        today = fixed or business_today()
        old = latest_of(session, declaration_id)
        if old is None:
            return _refused(
                Reason(
                    "corrected_declaration_ended",
                    f"declaration {declaration_id} was cancelled: nothing left to correct",
                )
            )
        policy = attachment_of_policy(session, old.policy_id, today)
        read = on_date_basis(document, policy.terms.shipment_date_basis)
        shipped = shipment_date(read)
        declared = DeclaredAmounts(
            invoice_amount=Money.from_minor(old.invoice_minor, old.currency).amount,
            currency=old.currency,
            shipment_date=old.shipment_date,
            due_date=old.due_date,
            hs_code=old.hs_code,
        )
        plan = correction_of(
            read, declared, shipped=shipped, due=due_date(read, shipped) if shipped else None
        )
        if isinstance(plan, Reason):
            return _refused(plan)
        principal = _feeds_principal(session, connection.exporter_org_id, connection.source)
        try:
            return _apply(
                session, principal, old.id, plan, store, today, CHANNEL_OF_SOURCE[connection.source]
            )
        except DomainError as error:
            return _refused(Reason(error.code, error.message))

    return step


def _apply(
    session: Session,
    principal: Principal,
    declaration_id: int,
    plan: Correction,
    store: AttachmentStore,
    today: date,
    channel: str,
) -> AttachOutcome:
    if plan.action == "cancel" or plan.amounts is None:
        cancel(session, principal=principal, declaration_id=declaration_id, reason=plan.reason)
        return AttachOutcome(
            "attached",
            reasons=(Reason("declaration_cancelled", f"{plan.reason}: declaration cancelled"),),
        )
    old = declarations_by_id(session, [declaration_id])[declaration_id]
    amounts = plan.amounts
    shipment = Shipment(
        insured_org_id=old.exporter_org_id,
        policy_id=old.policy_id,
        buyer_id=old.buyer_id,
        payment_terms=PaymentTerms(old.payment_terms),
        transport_mode=TransportMode(old.transport_mode),
        shipment_date=amounts.shipment_date,
        due_date=amounts.due_date,
        goods_description=old.goods_description,
        hs_code=amounts.hs_code,
        invoice_number=old.invoice_number,
        currency=amounts.currency,
        invoice_amount=amounts.invoice_amount,
        prepayment=min(
            Money.from_minor(old.prepayment_minor, old.currency).amount, amounts.invoice_amount
        ),
        buyer_country=old.buyer_country,
    )
    new = correct(
        session,
        principal=principal,
        declaration_id=declaration_id,
        shipment=shipment,
        reason=plan.reason,
        today=today,
        store=store,
        channel=channel,
    )
    return AttachOutcome(
        "attached",
        declaration_id=new.id,
        reasons=(Reason("declaration_corrected", f"{plan.reason}: declaration {new.id}"),),
    )


# --- the exporter's confirmations ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AwaitingShipment:
    """A received shipment waiting for the exporter's confirmation, and its deadline."""

    document_row_id: int
    source: str
    document_id: str | None
    kind: str | None
    buyer_name: str | None
    currency: str | None
    amount: Decimal | None
    shipment_date: date | None
    deadline: date | None
    standing: ConfirmationStanding | None
    received_at: datetime


def _read(row: ReceivedDocument) -> TradeDocument | None:
    read = service.read_feed_document(FeedSource(row.source), row.content)
    return read if isinstance(read, TradeDocument) else None


def awaiting_confirmation(
    session: Session, *, principal: Principal, today: date | None = None, limit: int = 200
) -> list[AwaitingShipment]:
    """The caller's shipments waiting for its confirmation, the most urgent first, each
    with its deadline and whether it is at risk or overdue ([domain A-3]).
    """
    principal.require(Permission.DECLARATION_READ)
    today = today or business_today()
    rows = session.execute(
        select(ReceivedDocument)
        .where(
            ReceivedDocument.exporter_org_id == principal.org_id,
            ReceivedDocument.status == "awaiting_confirmation",
        )
        .order_by(ReceivedDocument.id)
        .limit(limit)
    ).scalars()
    found: list[AwaitingShipment] = []
    for row in rows:
        document = _read(row)
        shipped = _shipped(document) if document else None
        policy = _policy_of(session, row.exporter_org_id, document, today) if document else None
        deadline = (
            confirmation_deadline(policy.declaration_frequency, shipped)
            if policy is not None and shipped is not None
            else None
        )
        found.append(
            AwaitingShipment(
                document_row_id=row.id,
                source=row.source,
                document_id=row.document_id,
                kind=row.kind,
                buyer_name=document.buyer.name if document else None,
                currency=document.currency if document else None,
                amount=document.total if document else None,
                shipment_date=shipped,
                deadline=deadline,
                standing=None if deadline is None else confirmation_standing(deadline, today),
                received_at=row.received_at,
            )
        )
    return sorted(found, key=lambda item: (item.deadline or date.max, item.document_row_id))


def confirm(
    session: Session,
    *,
    principal: Principal,
    document_id: int,
    store: AttachmentStore,
    today: date | None = None,
) -> ReceivedDocument:
    """The exporter confirms a shipment awaiting confirmation: it attaches now through the
    one attachment service (late if past its deadline, [domain A-3]); raises a domain error
    and writes nothing when it cannot.
    """
    principal.require(Permission.DECLARATION_WRITE)
    today = today or business_today()
    row = service.get_document(session, principal=principal, document_id=document_id)
    if row.status != "awaiting_confirmation":
        raise Conflict(
            f"the document is {row.status}: only a shipment awaiting confirmation is confirmed",
            code="document_not_awaiting_confirmation",
        )
    document = _read(row)
    connection = session.get(FeedConnection, row.connection_id) if row.connection_id else None
    if document is None or connection is None:
        raise Conflict("the document can no longer be read", code="document_unreadable")
    with session.begin_nested() as savepoint:
        if row.corrects_declaration_id is not None:
            outcome = correction_step(store)(
                session, document, connection, row.corrects_declaration_id
            )
        else:
            outcome = ModelAttacher(store).attach_now(session, document, connection, today)
        if outcome.status == "refused":
            savepoint.rollback()
    if outcome.status == "refused":
        reason = outcome.reasons[0]
        raise ValidationFailed(reason.detail or reason.code, code=reason.code)
    before = row.status
    row.status, row.declaration_id = "attached", outcome.declaration_id
    if outcome.declaration_id is not None and row.corrects_declaration_id is None:
        shipment_confirmed(session, row, outcome.declaration_id, utc_now())
    row.reasons = [{"code": "confirmed", "detail": f"confirmed by {principal.actor}"}]
    row.updated_at = utc_now()
    session.flush()
    audit.record(
        session,
        org_id=row.exporter_org_id,
        actor=principal.actor,
        action="feeds.document_confirmed",
        entity_type="feed_document",
        entity_id=row.id,
        before={"status": before},
        after={"status": row.status, "declaration_id": row.declaration_id},
    )
    return row


@dataclass(frozen=True, slots=True)
class ConfirmOutcome:
    """One item of :func:`confirm_many`: the document row, or the problem that refused it."""

    document_id: int
    declaration_id: int | None = None
    error: DomainError | None = None


def confirm_many(
    session: Session,
    *,
    principal: Principal,
    document_ids: list[int],
    store: AttachmentStore,
    today: date | None = None,
) -> list[ConfirmOutcome]:
    """Confirm several shipments; a refused one writes nothing, the others go on."""
    if len(document_ids) > MAX_CONFIRM:
        raise ValidationFailed(
            f"at most {MAX_CONFIRM} confirmations at a time",
            code="batch_too_large",
            field="document_ids",
        )
    outcomes: list[ConfirmOutcome] = []
    for document_id in dict.fromkeys(document_ids):
        try:
            with session.begin_nested():
                row = confirm(
                    session,
                    principal=principal,
                    document_id=document_id,
                    store=store,
                    today=today,
                )
        except DomainError as error:
            outcomes.append(ConfirmOutcome(document_id, error=error))
        else:
            outcomes.append(ConfirmOutcome(document_id, declaration_id=row.declaration_id))
    return outcomes


def withdraw_received(
    session: Session,
    *,
    principal: Principal,
    document_id: int,
    today: date | None = None,
) -> ReceivedDocument:
    """The exporter withdraws a received document: a quarantined one or one awaiting
    confirmation (nothing attached), or one that attached on receipt under the hybrid model
    within its correction window (the declaration is cancelled, [domain A-4]).
    """
    principal.require(Permission.DECLARATION_WRITE)
    today = today or business_today()
    row = service.get_document(session, principal=principal, document_id=document_id)
    if row.status == "quarantined":
        return service.withdraw(session, principal=principal, document_id=document_id)
    before = {"status": row.status, "declaration_id": row.declaration_id}
    if row.status == "attached" and row.declaration_id is not None:
        declaration = declarations_by_id(session, [row.declaration_id])[row.declaration_id]
        received_on = row.received_at.date()
        terms = attachment_of_policy(session, declaration.policy_id, received_on).terms
        refusal = withdrawal_allowed(terms, received_on, today)
        if refusal is not None:
            raise Conflict(
                f"this shipment attached under the {terms.model.value} model"
                + (
                    f"; it could be withdrawn within {terms.correction_days} days of receipt"
                    if refusal != "withdrawal_not_allowed"
                    else ""
                ),
                code=refusal,
            )
        cancel(
            session,
            principal=principal,
            declaration_id=row.declaration_id,
            reason=f"withdrawn by the exporter: received document {row.id}",
        )
        shipment_withdrawn(session, row, utc_now())
    elif row.status != "awaiting_confirmation":
        raise Conflict(
            f"the document is {row.status}: it cannot be withdrawn",
            code="document_not_withdrawable",
        )
    row.status, row.updated_at = "withdrawn", utc_now()
    session.flush()
    audit.record(
        session,
        org_id=row.exporter_org_id,
        actor=principal.actor,
        action="feeds.document_withdrawn",
        entity_type="feed_document",
        entity_id=row.id,
        before=before,
        after={"status": row.status},
    )
    return row
