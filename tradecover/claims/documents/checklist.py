"""The documents a claim needs, per cause of loss, as a checklist (pure).

Every claim needs the documents that prove the sale and the shipment: the sales
contract, the commercial invoice and the transport document (a shipment must match its
shipping documents to be insured at all [002] 5).  Each cause of loss then needs its own
proof (*practice*, see ``docs/domain/claims.md#c-12``):

======================  ===========================================================
cause                   documents of the cause
======================  ===========================================================
insolvency              proof of the buyer's insolvency (court order, administrator's
                        or liquidator's notice)
protracted_default      proof of the default (statement of the overdue account, the
                        buyer's acknowledgement of the debt) and the collection
                        correspondence (reminders and demands sent to the buyer)
refusal_of_goods        proof of the refusal (the buyer's notice of refusal) and the
                        collection correspondence
transfer_restriction,   proof of the political event (the government measure, ban or
import_ban, war,        event that stopped payment or import)
other_political
======================  ===========================================================

An exporter may upload other documents too (``other`` and any kind not required): they
are listed but never block.  Each uploaded document is **received** until a claims
handler marks it **accepted** or **missing** (it does not prove what it should: upload
another).  A required document is satisfied only by an accepted upload; a claim cannot be
approved while a required document is not (:func:`ensure_complete`,
``required_documents_missing``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from tradecover.claims.indemnity import LossCause
from tradecover.kit.errors import Conflict


class DocumentKind(StrEnum):
    """What a claim document is (stable codes)."""

    SALES_CONTRACT = "sales_contract"
    COMMERCIAL_INVOICE = "commercial_invoice"
    TRANSPORT_DOCUMENT = "transport_document"  # bill of lading, air waybill, CMR note
    PROOF_OF_INSOLVENCY = "proof_of_insolvency"
    PROOF_OF_DEFAULT = "proof_of_default"
    COLLECTION_CORRESPONDENCE = "collection_correspondence"
    PROOF_OF_REFUSAL = "proof_of_refusal"
    PROOF_OF_POLITICAL_EVENT = "proof_of_political_event"
    OTHER = "other"


class DocumentStatus(StrEnum):
    """Where one uploaded document stands."""

    RECEIVED = "received"  # uploaded, not reviewed yet
    ACCEPTED = "accepted"
    MISSING = "missing"  # the handler found it does not prove what it should


class ItemStatus(StrEnum):
    """Where one checklist item (a document kind) stands."""

    MISSING = "missing"  # nothing uploaded, or every upload marked missing
    RECEIVED = "received"  # an upload awaits the handler's review
    ACCEPTED = "accepted"


SALE_AND_SHIPMENT: tuple[DocumentKind, ...] = (
    DocumentKind.SALES_CONTRACT,
    DocumentKind.COMMERCIAL_INVOICE,
    DocumentKind.TRANSPORT_DOCUMENT,
)
"""The documents every claim needs, whatever the cause."""

_POLITICAL = (DocumentKind.PROOF_OF_POLITICAL_EVENT,)
BY_CAUSE: dict[LossCause, tuple[DocumentKind, ...]] = {
    LossCause.INSOLVENCY: (DocumentKind.PROOF_OF_INSOLVENCY,),
    LossCause.PROTRACTED_DEFAULT: (
        DocumentKind.PROOF_OF_DEFAULT,
        DocumentKind.COLLECTION_CORRESPONDENCE,
    ),
    LossCause.REFUSAL_OF_GOODS: (
        DocumentKind.PROOF_OF_REFUSAL,
        DocumentKind.COLLECTION_CORRESPONDENCE,
    ),
    LossCause.TRANSFER_RESTRICTION: _POLITICAL,
    LossCause.IMPORT_BAN: _POLITICAL,
    LossCause.WAR: _POLITICAL,
    LossCause.OTHER_POLITICAL: _POLITICAL,
}
"""The documents of each cause of loss, beside those of the sale and the shipment."""


def required_documents(cause: LossCause) -> tuple[DocumentKind, ...]:
    """The documents a claim for ``cause`` needs, in checklist order."""
    return SALE_AND_SHIPMENT + BY_CAUSE[cause]


@dataclass(frozen=True, slots=True, kw_only=True)
class UploadedDocument:
    """What the checklist needs to know of one upload."""

    document_id: int
    kind: DocumentKind
    status: DocumentStatus


@dataclass(frozen=True, slots=True, kw_only=True)
class ChecklistItem:
    """One document kind of the claim: whether it is required, where it stands, and the
    uploads of that kind (oldest first).
    """

    kind: DocumentKind
    required: bool
    status: ItemStatus
    document_ids: tuple[int, ...]

    @property
    def blocks(self) -> bool:
        """True when this item stops the claim from being approved."""
        return self.required and self.status is not ItemStatus.ACCEPTED


@dataclass(frozen=True, slots=True, kw_only=True)
class Checklist:
    """The documents of a claim: the required kinds first, then any other kind uploaded."""

    cause: LossCause
    items: tuple[ChecklistItem, ...]

    @property
    def outstanding(self) -> tuple[ChecklistItem, ...]:
        """The required items not accepted yet."""
        return tuple(i for i in self.items if i.blocks)

    @property
    def complete(self) -> bool:
        """True when every required document is accepted."""
        return not self.outstanding


def item_status(statuses: Iterable[DocumentStatus]) -> ItemStatus:
    """An item is accepted when any upload is, received when one awaits review, else
    missing (nothing uploaded, or every upload marked missing).
    """
    seen = set(statuses)
    if DocumentStatus.ACCEPTED in seen:
        return ItemStatus.ACCEPTED
    if DocumentStatus.RECEIVED in seen:
        return ItemStatus.RECEIVED
    return ItemStatus.MISSING


def checklist(cause: LossCause, uploads: Sequence[UploadedDocument]) -> Checklist:
    """The claim's checklist from its cause and its uploads (in upload order)."""
    required = required_documents(cause)
    extra = [k for k in DocumentKind if k not in required and any(u.kind is k for u in uploads)]
    items = []
    for kind in (*required, *extra):
        mine = [u for u in uploads if u.kind is kind]
        items.append(
            ChecklistItem(
                kind=kind,
                required=kind in required,
                status=item_status(u.status for u in mine),
                document_ids=tuple(u.document_id for u in mine),
            )
        )
    return Checklist(cause=cause, items=tuple(items))


def ensure_complete(checklist: Checklist) -> None:
    """Refuse approval while a required document is not accepted
    (``required_documents_missing``, 409, naming each outstanding kind).
    """
    outstanding = checklist.outstanding
    if outstanding:
        raise Conflict(
            "the claim cannot be approved: required document(s) not accepted: "
            + ", ".join(f"{i.kind.value} ({i.status.value})" for i in outstanding),
            code="required_documents_missing",
            field="documents",
            details={"missing_documents": [i.kind.value for i in outstanding]},
        )
