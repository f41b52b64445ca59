"""The default attachment step of the feed workers: today's declarations ``attach``.

Until the one attachment shell every channel calls is wired in, this bridge turns a
:class:`~tradecover.feeds.TradeDocument` into one
:class:`~tradecover.declarations.Shipment` and declares it with
``tradecover.declarations.service.attach``: the exporter's active policy in the document's
currency whose period holds the shipment date, the buyer related to the exporter by VAT,
EORI or registration number, else by name (:func:`tradecover.buyers.identify_related_buyer`),
the shipment date (customs exit, else acceptance,
else the ERP's date, else the invoice date) and the due date (the invoice's, else its
payment terms), the first HS code, open account terms.  A document it cannot turn into a
shipment, or that attachment refuses, comes back ``refused`` with the reason codes.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from tradecover.access import Principal, Role, organisation_of
from tradecover.buyers import DocumentParty, identify_related_buyer
from tradecover.declarations import (
    AttachmentStore,
    Shipment,
    TransportMode,
    attach,
    correct,
    declarations_by_id,
)
from tradecover.feeds.matching import (
    DEFAULT_POLICY,
    MatchPolicy,
    due_date,
    shipment_date,
)
from tradecover.feeds.model import FeedConnection
from tradecover.feeds.record import IdentifierScheme, Reason, TradeDocument
from tradecover.feeds.service import AttachDocument, AttachOutcome
from tradecover.kit.dates import business_today
from tradecover.kit.errors import DomainError
from tradecover.kit.money import Money
from tradecover.policies import active_policy_covering
from tradecover.reference.payment_terms import PaymentTerms

CHANNEL_OF_SOURCE = {"erp": "erp", "ubl": "einvoice", "cii": "einvoice", "customs": "customs"}


def _refused(code: str, detail: str) -> AttachOutcome:
    return AttachOutcome("refused", reasons=(Reason(code, detail),))


def _policy_id(session: Session, org_id: int, document: TradeDocument) -> int | None:
    shipped = shipment_date(document) or document.issue_date
    if shipped is None:
        return None
    if document.currency is None:
        return None
    return active_policy_covering(
        session, exporter_org_id=org_id, currency=document.currency, shipped=shipped
    )


def _buyer_id(session: Session, org_id: int, document: TradeDocument) -> int | None:
    """The related buyer the document names ([domain FR-6]): one indexed query."""
    party = document.buyer
    found = identify_related_buyer(
        session,
        org_id,
        DocumentParty(
            name=party.name,
            country=party.country,
            vat=party.identifier(IdentifierScheme.VAT),
            eori=party.identifier(IdentifierScheme.EORI),
            registration=party.identifier(IdentifierScheme.REGISTRATION),
        ),
    )
    return found.buyer_id if found is not None else None


class DocumentAttacher:
    """The attachment step of a feed worker, declaring through ``store`` (the edge's one
    attachment store, :func:`tradecover.wiring.store_for`), with the date rules of
    ``policy``; it also gives a declared shipment its customs dates (:meth:`enrich`).
    """

    def __init__(self, store: AttachmentStore, policy: MatchPolicy = DEFAULT_POLICY) -> None:
        self.store, self.policy = store, policy

    def __call__(
        self, session: Session, document: TradeDocument, connection: FeedConnection
    ) -> AttachOutcome:
        """Declare the shipment ``document`` shows."""
        return attach_document(session, document, connection, store=self.store, policy=self.policy)

    def enrich(
        self,
        session: Session,
        declaration_id: int,
        document: TradeDocument,
        connection: FeedConnection,
    ) -> int | None:
        """Correct the declaration so that its shipment date is the customs one (exit, else
        acceptance, per the policy); the new declaration's id, or None where the date is
        the same, unknown, or the correction is refused (the declaration stays as it is).
        """
        shipped = shipment_date(document, self.policy)
        declared = declarations_by_id(session, [declaration_id]).get(declaration_id)
        if shipped is None or declared is None or declared.status != "active":
            return None
        if declared.shipment_date == shipped or declared.due_date < shipped:
            return None
        shipment = Shipment(
            insured_org_id=declared.exporter_org_id,
            policy_id=declared.policy_id,
            buyer_id=declared.buyer_id,
            payment_terms=PaymentTerms(declared.payment_terms),
            transport_mode=TransportMode(declared.transport_mode),
            shipment_date=shipped,
            due_date=declared.due_date,
            goods_description=declared.goods_description,
            hs_code=declared.hs_code,
            invoice_number=declared.invoice_number,
            currency=declared.currency,
            invoice_amount=Money.from_minor(declared.invoice_minor, declared.currency).amount,
            prepayment=Money.from_minor(declared.prepayment_minor, declared.currency).amount,
            buyer_country=declared.buyer_country,
        )
        savepoint = session.begin_nested()
        try:
            corrected = correct(
                session,
                principal=_principal(session, connection),
                declaration_id=declaration_id,
                shipment=shipment,
                reason=f"customs record {document.document_id}: shipped {shipped.isoformat()}",
                today=business_today(),
                store=self.store,
                channel="customs",
            )
        except DomainError:
            savepoint.rollback()
            return None
        savepoint.commit()
        return corrected.id


def document_attacher(
    store: AttachmentStore, policy: MatchPolicy = DEFAULT_POLICY
) -> AttachDocument:
    """The attachment step of a feed worker (a :class:`DocumentAttacher`)."""
    return DocumentAttacher(store, policy)


def _principal(session: Session, connection: FeedConnection) -> Principal:
    org = organisation_of(session, connection.exporter_org_id)
    assert org is not None
    return Principal(
        actor=f"system:feeds:{connection.source}"[:64],
        org_id=org.id,
        org_slug=org.slug,
        org_kind=org.kind,
        role=Role.EXPORTER,
    )


def attach_document(
    session: Session,
    document: TradeDocument,
    connection: FeedConnection,
    *,
    store: AttachmentStore,
    policy: MatchPolicy = DEFAULT_POLICY,
) -> AttachOutcome:
    """Declare the shipment ``document`` shows for ``connection``'s exporter."""
    org = organisation_of(session, connection.exporter_org_id)
    assert org is not None
    shipped = shipment_date(document, policy) or document.issue_date
    if shipped is None:
        return _refused("shipment_date_missing", "the document states no shipment date")
    due = due_date(document, shipped, policy)
    if due is None:
        return _refused("due_date_missing", "the document states no due date or terms")
    hs_code = next(iter(document.hs_codes), None) or next(
        (line.hs_code for line in document.lines if line.hs_code), None
    )
    if hs_code is None:
        return _refused("hs_code_missing", "the document names no HS code")
    if document.currency is None or document.total is None:
        return _refused("amount_missing", "the document states no amount and currency")
    policy_id = _policy_id(session, org.id, document)
    if policy_id is None:
        return _refused(
            "no_policy_in_force",
            f"no active {document.currency} policy covers the shipment date {shipped.isoformat()}",
        )
    buyer_id = _buyer_id(session, org.id, document)
    if buyer_id is None:
        return _refused(
            "buyer_unknown", f"no buyer {document.buyer.name or '?'} is related to the exporter"
        )
    description = (
        next((line.description for line in document.lines if line.description), None)
        or f"goods of HS {hs_code}"
    )
    shipment = Shipment(
        insured_org_id=org.id,
        policy_id=policy_id,
        buyer_id=buyer_id,
        payment_terms=PaymentTerms.OA,
        transport_mode=TransportMode.MULTIMODAL,
        shipment_date=shipped,
        due_date=due,
        goods_description=description[:500],
        hs_code=hs_code,
        invoice_number=(document.invoice_reference or document.document_id),
        currency=document.currency,
        invoice_amount=document.total,
    )
    try:
        declaration = attach(
            session,
            principal=_principal(session, connection),
            shipment=shipment,
            channel=CHANNEL_OF_SOURCE[connection.source],
            today=business_today(),
            store=store,
        )
    except DomainError as error:
        return _refused(error.code, error.message)
    return AttachOutcome("attached", declaration_id=declaration.id)
