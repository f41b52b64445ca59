"""EN 16931 business rules that attachment depends on, checked on the facts of an invoice.

The UBL and CII readers gather the same business terms (BT-n) into :class:`InvoiceFacts`;
:func:`business_rule_breaches` checks the presence rules BR-01..BR-16, the totals rules
BR-CO-10..BR-CO-16, the payment rule BR-CO-25 and the two-decimal rule of the totals
(BR-DEC-09..BR-DEC-18 family), and :func:`to_trade_document` turns clean facts into a
:class:`~.record.TradeDocument`.  Each breach is a reason ``en16931_<rule id>``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from tradecover.feeds.record import (
    DocumentFormat,
    DocumentKind,
    DocumentLine,
    Party,
    Reason,
    TradeDocument,
)
from tradecover.feeds.values import payment_terms_days

CREDIT_NOTE_TYPES = frozenset({"381", "396", "532"})
"""UNTDID 1001 codes of credit notes (BT-3)."""

_CENT = Decimal("0.01")


@dataclass(slots=True)
class InvoiceFacts:
    """The business terms of one invoice or credit note, as a reader found them."""

    format: DocumentFormat
    specification: str | None = None  # BT-24
    number: str | None = None  # BT-1
    issue_date: date | None = None  # BT-2
    type_code: str | None = None  # BT-3
    credit_note_syntax: bool = False  # a UBL CreditNote root
    currency: str | None = None  # BT-5
    due_date: date | None = None  # BT-9
    payment_terms: str | None = None  # BT-20
    preceding_invoice: str | None = None  # BT-25
    seller: Party = field(default_factory=Party)  # BG-4
    seller_has_address: bool = False  # BG-5
    buyer: Party = field(default_factory=Party)  # BG-7
    buyer_has_address: bool = False  # BG-8
    line_total: Decimal | None = None  # BT-106
    allowance_total: Decimal | None = None  # BT-107
    charge_total: Decimal | None = None  # BT-108
    tax_exclusive: Decimal | None = None  # BT-109
    tax_total: Decimal | None = None  # BT-110
    tax_inclusive: Decimal | None = None  # BT-112
    prepaid: Decimal | None = None  # BT-113
    rounding: Decimal | None = None  # BT-114
    payable: Decimal | None = None  # BT-115
    line_amounts: list[Decimal] = field(default_factory=list)  # BT-131 of each line
    document_allowances: list[Decimal] = field(default_factory=list)  # BT-92
    document_charges: list[Decimal] = field(default_factory=list)  # BT-99
    category_tax_amounts: list[Decimal] = field(default_factory=list)  # BT-117
    lines: list[DocumentLine] = field(default_factory=list)
    foreign_currency_amounts: list[str] = field(default_factory=list)
    delivery_date: date | None = None  # BT-72

    @property
    def is_credit_note(self) -> bool:
        """A credit note by syntax (UBL CreditNote) or by type code (381...)."""
        return self.credit_note_syntax or (self.type_code or "") in CREDIT_NOTE_TYPES


_PRESENCE: tuple[tuple[str, str, str], ...] = (
    ("BR-01", "specification", "the specification identifier (BT-24) is missing"),
    ("BR-02", "number", "the invoice number (BT-1) is missing"),
    ("BR-03", "issue_date", "the issue date (BT-2) is missing"),
    ("BR-04", "type_code", "the invoice type code (BT-3) is missing"),
    ("BR-05", "currency", "the invoice currency code (BT-5) is missing"),
    ("BR-12", "line_total", "the sum of line net amounts (BT-106) is missing"),
    ("BR-13", "tax_exclusive", "the total without VAT (BT-109) is missing"),
    ("BR-14", "tax_inclusive", "the total with VAT (BT-112) is missing"),
    ("BR-15", "payable", "the amount due for payment (BT-115) is missing"),
)

_TWO_DECIMALS: tuple[tuple[str, str], ...] = (
    ("BR-DEC-09", "line_total"),
    ("BR-DEC-10", "allowance_total"),
    ("BR-DEC-11", "charge_total"),
    ("BR-DEC-12", "tax_exclusive"),
    ("BR-DEC-13", "tax_total"),
    ("BR-DEC-14", "tax_inclusive"),
    ("BR-DEC-16", "prepaid"),
    ("BR-DEC-17", "rounding"),
    ("BR-DEC-18", "payable"),
)


def _breach(rule: str, detail: str) -> Reason:
    return Reason(f"en16931_{rule}", detail)


def _zero(value: Decimal | None) -> Decimal:
    return value if value is not None else Decimal(0)


def _totals_breaches(facts: InvoiceFacts) -> list[Reason]:
    found: list[Reason] = []
    if facts.line_total is not None and sum(facts.line_amounts, Decimal(0)) != facts.line_total:
        found.append(
            _breach(
                "BR-CO-10",
                f"sum of line net amounts "
                f"{sum(facts.line_amounts, Decimal(0))} != BT-106 "
                f"{facts.line_total}",
            )
        )
    if (
        facts.allowance_total is not None
        and sum(facts.document_allowances, Decimal(0)) != facts.allowance_total
    ):
        found.append(
            _breach("BR-CO-11", f"sum of document allowances != BT-107 {facts.allowance_total}")
        )
    if (
        facts.charge_total is not None
        and sum(facts.document_charges, Decimal(0)) != facts.charge_total
    ):
        found.append(_breach("BR-CO-12", f"sum of document charges != BT-108 {facts.charge_total}"))
    if facts.tax_exclusive is not None and facts.line_total is not None:
        expected = facts.line_total - _zero(facts.allowance_total) + _zero(facts.charge_total)
        if expected != facts.tax_exclusive:
            found.append(
                _breach(
                    "BR-CO-13",
                    f"BT-106 - BT-107 + BT-108 = {expected} != BT-109 {facts.tax_exclusive}",
                )
            )
    if (
        facts.tax_total is not None
        and facts.category_tax_amounts
        and sum(facts.category_tax_amounts, Decimal(0)) != facts.tax_total
    ):
        found.append(
            _breach("BR-CO-14", f"sum of VAT category amounts != BT-110 {facts.tax_total}")
        )
    if facts.tax_inclusive is not None and facts.tax_exclusive is not None:
        expected = facts.tax_exclusive + _zero(facts.tax_total)
        if expected != facts.tax_inclusive:
            found.append(
                _breach("BR-CO-15", f"BT-109 + BT-110 = {expected} != BT-112 {facts.tax_inclusive}")
            )
    if facts.payable is not None and facts.tax_inclusive is not None:
        expected = facts.tax_inclusive - _zero(facts.prepaid) + _zero(facts.rounding)
        if expected != facts.payable:
            found.append(
                _breach(
                    "BR-CO-16", f"BT-112 - BT-113 + BT-114 = {expected} != BT-115 {facts.payable}"
                )
            )
    return found


def business_rule_breaches(facts: InvoiceFacts) -> list[Reason]:
    """Every EN 16931 rule (of those attachment depends on) that ``facts`` break."""
    found = [
        _breach(rule, detail)
        for rule, name, detail in _PRESENCE
        if getattr(facts, name) in (None, "")
    ]
    if not facts.seller.name:
        found.append(_breach("BR-06", "the seller name (BT-27) is missing"))
    if not facts.buyer.name:
        found.append(_breach("BR-07", "the buyer name (BT-44) is missing"))
    if not facts.seller_has_address:
        found.append(_breach("BR-08", "the seller postal address (BG-5) is missing"))
    if not facts.seller.country:
        found.append(_breach("BR-09", "the seller country code (BT-40) is missing"))
    if not facts.buyer_has_address:
        found.append(_breach("BR-10", "the buyer postal address (BG-8) is missing"))
    if not facts.buyer.country:
        found.append(_breach("BR-11", "the buyer country code (BT-55) is missing"))
    if not facts.line_amounts:
        found.append(_breach("BR-16", "the invoice has no line (BG-25)"))
    found += _totals_breaches(facts)
    if (
        not facts.is_credit_note
        and facts.payable is not None
        and facts.payable > 0
        and facts.due_date is None
        and not facts.payment_terms
    ):
        found.append(
            _breach(
                "BR-CO-25", "a positive amount due needs a due date (BT-9) or payment terms (BT-20)"
            )
        )
    for rule, name in _TWO_DECIMALS:
        value = getattr(facts, name)
        if value is not None and value != value.quantize(_CENT):
            found.append(_breach(rule, f"{name} {value} has more than two decimals"))
    if facts.foreign_currency_amounts:
        found.append(
            Reason(
                "currency_mismatch",
                "amounts in another currency than BT-5: "
                + ", ".join(facts.foreign_currency_amounts[:5]),
            )
        )
    return found


def to_trade_document(facts: InvoiceFacts, *, source: str) -> TradeDocument:
    """The :class:`TradeDocument` of facts that broke no rule (BT-1..BT-115 present)."""
    hs_codes = tuple(dict.fromkeys(line.hs_code for line in facts.lines if line.hs_code))
    kind = DocumentKind.CREDIT_NOTE if facts.is_credit_note else DocumentKind.INVOICE
    return TradeDocument(
        kind=kind,
        format=facts.format,
        source=source,
        document_id=facts.number or "",
        issue_date=facts.issue_date,
        seller=facts.seller,
        buyer=facts.buyer,
        currency=facts.currency,
        total=facts.tax_inclusive,
        tax_exclusive=facts.tax_exclusive,
        payable=facts.payable,
        due_date=facts.due_date,
        payment_terms_days=payment_terms_days(facts.payment_terms),
        hs_codes=hs_codes,
        lines=tuple(facts.lines),
        amends=facts.preceding_invoice,
    )
