"""Linking a customs declaration to its invoice, and the dates attachment needs.

:func:`match_invoice` looks first for the invoice the declaration names (invoice number);
failing that, for invoices to the same consignee (names compared normalised: case, accents,
punctuation and legal-form words ignored), in the same currency, for an amount within the
tolerance and issued within the date window of the customs date; where several remain, the
HS code breaks the tie, and a tie it cannot break links nothing (``ambiguous``).
:func:`shipment_date` takes the exit date, else the acceptance date (or always the
acceptance date where the policy says so); :func:`due_date` the invoice's due date, else
its payment terms counted from the invoice date (or from the shipment, by policy).
:func:`invoice_key` is the key a shipment is known by across documents (the invoice
number, compacted) and :func:`customs_date` the date a record is matched by.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from tradecover.feeds.record import DocumentKind, TradeDocument
from tradecover.feeds.values import compact


class ShipmentDateBasis(StrEnum):
    """Which customs date is the shipment date."""

    EXIT_THEN_ACCEPTANCE = "exit_then_acceptance"
    ACCEPTANCE = "acceptance"


class DueDateBasis(StrEnum):
    """Where payment terms (days) are counted from when the invoice states no due date."""

    INVOICE_DATE = "invoice_date"
    SHIPMENT_DATE = "shipment_date"


class MatchRule(StrEnum):
    """How a declaration was linked to its invoice, or why it was not."""

    INVOICE_NUMBER = "invoice_number"
    CONSIGNEE_AMOUNT_DATE = "consignee_amount_date"
    HS_CODE_TIEBREAK = "hs_code_tiebreak"
    AMBIGUOUS = "ambiguous"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class MatchPolicy:
    """The tolerances of matching and the date rules (settings of the policy)."""

    amount_tolerance: Decimal = Decimal("0.02")
    """Largest relative difference between declared value and invoice amount (2 %)."""
    date_window_days: int = 30
    shipment_date_basis: ShipmentDateBasis = ShipmentDateBasis.EXIT_THEN_ACCEPTANCE
    due_date_basis: DueDateBasis = DueDateBasis.INVOICE_DATE


DEFAULT_POLICY = MatchPolicy()


@dataclass(frozen=True, slots=True)
class InvoiceMatch:
    """The invoice linked to a declaration (None if none or several) and the rule used."""

    invoice: TradeDocument | None
    rule: MatchRule
    candidates: tuple[TradeDocument, ...] = ()


_LEGAL_FORMS = frozenset(
    {
        "ltd",
        "limited",
        "inc",
        "incorporated",
        "llc",
        "llp",
        "plc",
        "corp",
        "corporation",
        "co",
        "company",
        "gmbh",
        "ag",
        "kg",
        "ohg",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "bv",
        "nv",
        "ab",
        "as",
        "asa",
        "oy",
        "oyj",
        "aps",
        "sl",
        "slu",
        "kk",
        "pte",
        "pty",
        "bhd",
        "sdn",
        "cv",
        "de",
        "the",
        "and",
        "&",
    }
)
_DROPPED = re.compile(r"[.'’]")
"""Dropped without a space: "K.K." reads "kk", "O'Neil" reads "oneil"."""
_NON_WORD = re.compile(r"[^\w&]+")


def normalise_name(name: str | None) -> str:
    """A party name reduced for comparison: case, accents, punctuation, legal forms off."""
    if not name:
        return ""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = _DROPPED.sub("", plain)
    words = [word for word in _NON_WORD.sub(" ", plain).split() if word not in _LEGAL_FORMS]
    return " ".join(words)


def shipment_date(document: TradeDocument, policy: MatchPolicy = DEFAULT_POLICY) -> date | None:
    """The shipment date of a customs record (exit, else acceptance) or an ERP shipment."""
    if (
        policy.shipment_date_basis is ShipmentDateBasis.EXIT_THEN_ACCEPTANCE
        and document.exit_date is not None
    ):
        return document.exit_date
    return document.acceptance_date or document.shipment_date or document.exit_date


def due_date(
    invoice: TradeDocument, shipped: date | None = None, policy: MatchPolicy = DEFAULT_POLICY
) -> date | None:
    """The invoice's due date, else its payment terms counted per the policy; or None."""
    if invoice.due_date is not None:
        return invoice.due_date
    if invoice.payment_terms_days is None:
        return None
    start = shipped if policy.due_date_basis is DueDateBasis.SHIPMENT_DATE else None
    start = start or invoice.issue_date or shipped
    return start + timedelta(days=invoice.payment_terms_days) if start else None


CUSTOMS_KINDS = frozenset({DocumentKind.CUSTOMS_DECLARATION})
"""Customs records that declare a shipment (notifications only date one)."""
INVOICE_KINDS = frozenset({DocumentKind.INVOICE, DocumentKind.ERP_SHIPMENT})
"""Documents that state what the buyer owes (an ERP shipment event carries its invoice)."""


def invoice_key(document: TradeDocument) -> str | None:
    """The invoice number a document's shipment is keyed by (compacted), or None.

    A customs record gives the invoice it declares (None where it names none); an invoice
    its own number; an ERP event the invoice number it carries, else its shipment id.
    """
    if document.kind in CUSTOMS_KINDS:
        reference = document.invoice_reference
    elif document.kind is DocumentKind.INVOICE:
        reference = document.document_id
    elif document.kind is DocumentKind.ERP_SHIPMENT:
        reference = document.invoice_reference or document.document_id
    else:
        return None
    key = compact(reference) if reference else ""
    return key[:100] or None


def customs_date(document: TradeDocument) -> date | None:
    """The date a document is matched by: customs acceptance (else exit), else the invoice's
    issue date, else the ERP's shipment date.
    """
    return (
        document.acceptance_date
        or document.exit_date
        or document.issue_date
        or document.shipment_date
    )


def _within(declared: Decimal, invoice: TradeDocument, tolerance: Decimal) -> bool:
    for amount in (invoice.total, invoice.tax_exclusive, invoice.payable):
        if amount is None or amount == 0:
            continue
        if abs(declared - amount) <= abs(amount) * tolerance:
            return True
    return False


def _in_window(declaration: TradeDocument, invoice: TradeDocument, days: int) -> bool:
    customs_date = declaration.acceptance_date or declaration.exit_date
    if customs_date is None or invoice.issue_date is None:
        return True  # no date to compare: the other criteria decide
    return abs((customs_date - invoice.issue_date).days) <= days


def _shares_hs(declaration: TradeDocument, invoice: TradeDocument) -> bool:
    declared = {code[:6] for code in declaration.hs_codes}
    return any(code[:6] in declared for code in invoice.hs_codes)


def match_invoice(
    declaration: TradeDocument,
    invoices: Iterable[TradeDocument],
    policy: MatchPolicy = DEFAULT_POLICY,
) -> InvoiceMatch:
    """The invoice among ``invoices`` (invoices and ERP shipment events, which carry theirs)
    that ``declaration`` covers, by the rules above.
    """
    pool = [doc for doc in invoices if doc.kind in INVOICE_KINDS]
    if declaration.invoice_reference:
        wanted = compact(declaration.invoice_reference)
        named = [doc for doc in pool if invoice_key(doc) == wanted]
        if len(named) == 1:
            return InvoiceMatch(named[0], MatchRule.INVOICE_NUMBER, tuple(named))
        if named:
            pool = named
    consignee = normalise_name(declaration.buyer.name)
    if declaration.total is None or not consignee:
        return InvoiceMatch(None, MatchRule.NONE)
    candidates = [
        doc
        for doc in pool
        if doc.currency == declaration.currency
        and normalise_name(doc.buyer.name) == consignee
        and _within(declaration.total, doc, policy.amount_tolerance)
        and _in_window(declaration, doc, policy.date_window_days)
    ]
    if len(candidates) == 1:
        return InvoiceMatch(candidates[0], MatchRule.CONSIGNEE_AMOUNT_DATE, tuple(candidates))
    if not candidates:
        return InvoiceMatch(None, MatchRule.NONE)
    sharing = [doc for doc in candidates if _shares_hs(declaration, doc)]
    if len(sharing) == 1:
        return InvoiceMatch(sharing[0], MatchRule.HS_CODE_TIEBREAK, tuple(candidates))
    return InvoiceMatch(None, MatchRule.AMBIGUOUS, tuple(candidates))
