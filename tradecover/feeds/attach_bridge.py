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

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from tradecover.access import Principal, Role, organisation_of
from tradecover.buyers import DocumentParty, identify_related_buyer, identify_related_buyers
from tradecover.declarations import (
    AttachmentStore,
    Declaration,
    Shipment,
    TransportMode,
    attach,
    attach_many,
    correct,
    correct_many,
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

CHUNK = 500
"""Shipments declared in one call of the attachment service's batch path."""
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


def _party(document: TradeDocument) -> DocumentParty:
    party = document.buyer
    return DocumentParty(
        name=party.name,
        country=party.country,
        vat=party.identifier(IdentifierScheme.VAT),
        eori=party.identifier(IdentifierScheme.EORI),
        registration=party.identifier(IdentifierScheme.REGISTRATION),
    )


def _buyer_id(session: Session, org_id: int, document: TradeDocument) -> int | None:
    """The related buyer the document names ([domain FR-6]): one indexed query."""
    found = identify_related_buyer(session, org_id, _party(document))
    return found.buyer_id if found is not None else None


class DocumentAttacher:
    """The attachment step of a feed worker, declaring through ``store`` (the edge's one
    attachment store, :func:`tradecover.wiring.store_for`), with the date rules of
    ``policy``; it also gives a declared shipment its customs dates (:meth:`enrich`).
    ``today`` is the business date of receipt (today's when None; the demo seed replays a
    month as of its own date).
    """

    def __init__(
        self,
        store: AttachmentStore,
        policy: MatchPolicy = DEFAULT_POLICY,
        today: date | None = None,
    ) -> None:
        self.store, self.policy, self.today = store, policy, today

    def receipt_day(self) -> date:
        """The business date documents are received on."""
        return self.today or business_today()

    def __call__(
        self, session: Session, document: TradeDocument, connection: FeedConnection
    ) -> AttachOutcome:
        """Declare the shipment ``document`` shows."""
        return attach_document(
            session, document, connection, store=self.store, policy=self.policy, today=self.today
        )

    def attach_many(
        self, session: Session, items: Sequence[tuple[TradeDocument, FeedConnection]]
    ) -> list[AttachOutcome]:
        """Declare the shipments of a batch of documents (:func:`attach_documents`)."""
        return attach_documents(
            session, items, store=self.store, policy=self.policy, today=self.today
        )

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
        shipment = _dated(declared, shipped)
        if shipment is None or shipped is None:
            return None
        savepoint = session.begin_nested()
        try:
            corrected = correct(
                session,
                principal=_principal(session, connection),
                declaration_id=declaration_id,
                shipment=shipment,
                reason=f"customs record {document.document_id}: shipped {shipped.isoformat()}",
                today=self.receipt_day(),
                store=self.store,
                channel="customs",
            )
        except DomainError:
            savepoint.rollback()
            return None
        savepoint.commit()
        return corrected.id

    def enrich_many(
        self, session: Session, items: Sequence[tuple[int, TradeDocument, FeedConnection]]
    ) -> list[int | None]:
        """What :meth:`enrich` does for each of ``items`` (declaration id, customs record,
        connection; each declaration once), set-based: the declarations read with one
        query and corrected with one ``correct_many`` per exporter; where a set is refused,
        its items are taken one by one.
        """
        declared = declarations_by_id(session, [item[0] for item in items])
        results: list[int | None] = [None] * len(items)
        groups: dict[int, list[tuple[int, int, Shipment, str]]] = {}
        for index, (declaration_id, document, connection) in enumerate(items):
            shipped = shipment_date(document, self.policy)
            shipment = _dated(declared.get(declaration_id), shipped)
            if shipment is None or shipped is None:
                continue
            why = f"customs record {document.document_id}: shipped {shipped.isoformat()}"
            groups.setdefault(connection.exporter_org_id, []).append(
                (index, declaration_id, shipment, why)
            )
        for entries in groups.values():
            savepoint = session.begin_nested()
            try:
                records = correct_many(
                    session,
                    principal=_principal(session, items[entries[0][0]][2]),
                    corrections=[
                        (declaration_id, shipment) for _i, declaration_id, shipment, _w in entries
                    ],
                    reasons=[why for _i, _d, _s, why in entries],
                    today=self.receipt_day(),
                    store=self.store,
                    channel="customs",
                )
            except DomainError:
                savepoint.rollback()
                for index, declaration_id, _shipment, _why in entries:
                    _d, document, connection = items[index]
                    results[index] = self.enrich(session, declaration_id, document, connection)
                continue
            savepoint.commit()
            for (index, _d, _s, _w), record in zip(entries, records, strict=True):
                results[index] = record.id
        return results


def _dated(declared: Declaration | None, shipped: date | None) -> Shipment | None:
    """``declared``'s shipment shipped on ``shipped``, or None where the date is the same,
    unknown, after the due date, or the declaration is no longer active.
    """
    if shipped is None or declared is None or declared.status != "active":
        return None
    if declared.shipment_date == shipped or declared.due_date < shipped:
        return None
    return Shipment(
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


def _shipment_of(
    document: TradeDocument, org_id: int, policy_id: int, buyer_id: int, policy: MatchPolicy
) -> Shipment:
    shipped = shipment_date(document, policy) or document.issue_date
    due = due_date(document, shipped, policy) if shipped is not None else None
    hs_code = next(iter(document.hs_codes), None) or next(
        (line.hs_code for line in document.lines if line.hs_code), None
    )
    assert shipped is not None
    assert due is not None
    assert hs_code is not None
    assert document.currency is not None
    assert document.total is not None
    description = (
        next((line.description for line in document.lines if line.description), None)
        or f"goods of HS {hs_code}"
    )
    return Shipment(
        insured_org_id=org_id,
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


def _unfit(document: TradeDocument, policy: MatchPolicy) -> AttachOutcome | None:
    """Why ``document`` cannot become a shipment (None: it can)."""
    shipped = shipment_date(document, policy) or document.issue_date
    if shipped is None:
        return _refused("shipment_date_missing", "the document states no shipment date")
    if due_date(document, shipped, policy) is None:
        return _refused("due_date_missing", "the document states no due date or terms")
    hs_code = next(iter(document.hs_codes), None) or next(
        (line.hs_code for line in document.lines if line.hs_code), None
    )
    if hs_code is None:
        return _refused("hs_code_missing", "the document names no HS code")
    if document.currency is None or document.total is None:
        return _refused("amount_missing", "the document states no amount and currency")
    return None


def attach_documents(
    session: Session,
    items: Sequence[tuple[TradeDocument, FeedConnection]],
    *,
    store: AttachmentStore,
    policy: MatchPolicy = DEFAULT_POLICY,
    today: date | None = None,
) -> list[AttachOutcome]:
    """Declare the shipments of a batch of documents, set-based: each exporter's buyers found
    with one query, each distinct (exporter, currency, shipment date) policy looked up once,
    and one call of the attachment service's batch path (``attach_many``) per exporter and
    channel; the outcomes in the order of ``items`` (what :func:`attach_document` says of
    each), declared on ``today`` (today's business date when None).
    """
    outcomes: dict[int, AttachOutcome] = {}
    policies: dict[tuple[int, str, date], int | None] = {}
    fit: list[tuple[int, TradeDocument, FeedConnection, int]] = []
    for index, (document, connection) in enumerate(items):
        refusal = _unfit(document, policy)
        if refusal is not None:
            outcomes[index] = refusal
            continue
        org_id = connection.exporter_org_id
        shipped = shipment_date(document, policy) or document.issue_date
        assert shipped is not None
        assert document.currency is not None
        looked_up = shipment_date(document) or document.issue_date
        assert looked_up is not None
        wanted = (org_id, document.currency, looked_up)
        if wanted not in policies:
            policies[wanted] = _policy_id(session, org_id, document)
        policy_id = policies[wanted]
        if policy_id is None:
            outcomes[index] = _refused(
                "no_policy_in_force",
                f"no active {document.currency} policy covers the shipment date "
                f"{shipped.isoformat()}",
            )
            continue
        fit.append((index, document, connection, policy_id))
    groups: dict[tuple[int, str], list[tuple[int, TradeDocument, FeedConnection, int]]] = {}
    for entry in fit:
        key = (entry[2].exporter_org_id, CHANNEL_OF_SOURCE[entry[2].source])
        groups.setdefault(key, []).append(entry)
    today = today or business_today()
    for (org_id, channel), entries in groups.items():
        parties = [_party(document) for _i, document, _c, _p in entries]
        buyers = identify_related_buyers(session, org_id, parties)
        wanted_items: list[tuple[int, Shipment]] = []
        for (index, document, _connection, policy_id), party in zip(entries, parties, strict=True):
            found = buyers[party]
            if found is None:
                outcomes[index] = _refused(
                    "buyer_unknown",
                    f"no buyer {document.buyer.name or '?'} is related to the exporter",
                )
                continue
            wanted_items.append(
                (index, _shipment_of(document, org_id, policy_id, found.buyer_id, policy))
            )
        if not wanted_items:
            continue
        principal = _principal(session, entries[0][2])
        for first in range(0, len(wanted_items), CHUNK):
            chunk = wanted_items[first : first + CHUNK]
            declared = attach_many(
                session,
                principal=principal,
                shipments=[shipment for _i, shipment in chunk],
                channel=channel,
                today=today,
                store=store,
            )
            for (index, _shipment), outcome in zip(chunk, declared, strict=True):
                if outcome.error is not None:
                    outcomes[index] = _refused(outcome.error.code, outcome.error.message)
                else:
                    assert outcome.declaration is not None
                    outcomes[index] = AttachOutcome(
                        "attached", declaration_id=outcome.declaration.id
                    )
    return [outcomes[index] for index in range(len(items))]


def document_attacher(
    store: AttachmentStore, policy: MatchPolicy = DEFAULT_POLICY, today: date | None = None
) -> AttachDocument:
    """The attachment step of a feed worker (a :class:`DocumentAttacher`), receiving on
    ``today`` (today's business date when None).
    """
    return DocumentAttacher(store, policy, today)


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
    today: date | None = None,
) -> AttachOutcome:
    """Declare the shipment ``document`` shows for ``connection``'s exporter, on ``today``
    (today's business date when None).
    """
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
            today=today or business_today(),
            store=store,
        )
    except DomainError as error:
        return _refused(error.code, error.message)
    return AttachOutcome("attached", declaration_id=declaration.id)
