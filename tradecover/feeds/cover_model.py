"""The attachment model applied to received documents, as pure rules ([domain A-1]..[domain A-6]).

What a document does on receipt under the policy's terms (:func:`on_receipt`), when a
shipment awaiting confirmation must be confirmed and whether it is at risk
(:func:`confirmation_deadline`, :func:`confirmation_standing`), whether the exporter may
still withdraw what attached (:func:`withdrawal_allowed`), what a credit note or an amended
customs declaration changes (:func:`correction_of`), the currency check
(:func:`currency_refusal`) and the shipment-date basis (:func:`on_date_basis`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from tradecover.declarations import declaration_due_date
from tradecover.feeds.record import DocumentKind, Reason, TradeDocument
from tradecover.policies import (
    AttachmentModel,
    AttachmentTerms,
    DeclarationFrequency,
    ShipmentDateBasis,
)

AT_RISK_DAYS = 3
"""A shipment awaiting confirmation is at risk when its deadline is this close."""

CURRENCY_NOT_ALLOWED = "currency_not_allowed"
CORRECTION_WINDOW_CLOSED = "correction_window_closed"
WITHDRAWAL_NOT_ALLOWED = "withdrawal_not_allowed"
AWAITING_CONFIRMATION = "awaiting_confirmation"


def on_receipt(terms: AttachmentTerms, source: str) -> Literal["attach", "await_confirmation"]:
    """What a shipment received from ``source`` does under ``terms`` ([domain A-1])."""
    return "attach" if terms.attaches_on_receipt(source) else "await_confirmation"


def on_date_basis(document: TradeDocument, basis: ShipmentDateBasis) -> TradeDocument:
    """The document as the shipment-date basis reads it: under ``acceptance`` a customs
    record's exit date does not count where its acceptance date is known ([domain A-1]).
    """
    if (
        basis is ShipmentDateBasis.ACCEPTANCE
        and document.acceptance_date is not None
        and document.exit_date is not None
    ):
        return replace(document, exit_date=None)
    return document


def confirmation_deadline(frequency: DeclarationFrequency, shipped: date) -> date:
    """The last day to confirm a shipment of ``shipped``: its declaration deadline
    ([domain A-3], [domain D-3]).
    """
    return declaration_due_date(frequency, shipped)


class ConfirmationStanding(StrEnum):
    """Where a shipment awaiting confirmation stands against its deadline."""

    OPEN = "open"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"


def confirmation_standing(deadline: date, today: date) -> ConfirmationStanding:
    """Overdue once ``deadline`` has passed, at risk within :data:`AT_RISK_DAYS` of it
    ([domain A-3]).
    """
    if today > deadline:
        return ConfirmationStanding.OVERDUE
    if today >= deadline - timedelta(days=AT_RISK_DAYS):
        return ConfirmationStanding.AT_RISK
    return ConfirmationStanding.OPEN


def withdrawal_allowed(terms: AttachmentTerms, received_on: date, today: date) -> str | None:
    """None when the exporter may withdraw a shipment that attached on receipt on
    ``received_on``, else the code that refuses it ([domain A-4]).
    """
    if terms.model is not AttachmentModel.HYBRID:
        return WITHDRAWAL_NOT_ALLOWED
    if (today - received_on).days > terms.correction_days:
        return CORRECTION_WINDOW_CLOSED
    return None


def currency_refusal(currency: str | None, allowed: Sequence[str]) -> Reason | None:
    """The reason to quarantine a document in ``currency`` when the exporter's policies in
    force allow only ``allowed`` (none in force: None, the attachment step says why)
    ([domain A-6]).
    """
    if currency is None or not allowed or currency in allowed:
        return None
    return Reason(
        CURRENCY_NOT_ALLOWED,
        f"the document is in {currency}; your policies in force cover "
        f"{', '.join(allowed)} only: reissue it in one of them or ask for a policy in "
        f"{currency}",
    )


@dataclass(frozen=True, slots=True)
class DeclaredAmounts:
    """What a correction may change of the declaration it corrects."""

    invoice_amount: Decimal
    currency: str
    shipment_date: date
    due_date: date
    hs_code: str


@dataclass(frozen=True, slots=True)
class Correction:
    """What a correcting document does: cancel the declaration, or replace its amounts."""

    action: Literal["cancel", "replace"]
    amounts: DeclaredAmounts | None
    reason: str


def correction_of(
    document: TradeDocument,
    declared: DeclaredAmounts,
    *,
    shipped: date | None,
    due: date | None,
) -> Correction | Reason:
    """What ``document`` (a credit note, or a later version of the document the
    declaration came from) changes of ``declared`` ([domain A-5]); a :class:`Reason` when
    it cannot apply.  ``shipped``/``due``: the dates the later version states, if any.
    """
    if document.currency is None or document.total is None:
        return Reason("amount_missing", "the correcting document states no amount and currency")
    if document.currency != declared.currency and document.kind is DocumentKind.CREDIT_NOTE:
        return Reason(
            "correction_currency_differs",
            f"the credit note is in {document.currency}, the invoice in {declared.currency}",
        )
    if document.kind is DocumentKind.CREDIT_NOTE:
        remaining = declared.invoice_amount - abs(document.total)
        why = f"credit note {document.document_id} of {abs(document.total)} {document.currency}"
        if remaining <= 0:
            return Correction("cancel", None, why)
        return Correction("replace", replace(declared, invoice_amount=remaining), why)
    if document.total <= 0:
        return Correction(
            "cancel", None, f"version {document.version} of {document.document_id} is nil"
        )
    hs_code = next(iter(document.hs_codes), None) or next(
        (line.hs_code for line in document.lines if line.hs_code), None
    )
    if due is None and shipped is not None:  # the credit period stays as declared
        due = declared.due_date + (shipped - declared.shipment_date)
    return Correction(
        "replace",
        DeclaredAmounts(
            invoice_amount=document.total,
            currency=document.currency,
            shipment_date=shipped or declared.shipment_date,
            due_date=due or declared.due_date,
            hs_code=hs_code or declared.hs_code,
        ),
        f"version {document.version} of {document.document_id}",
    )
