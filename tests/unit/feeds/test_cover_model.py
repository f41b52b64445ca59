"""The attachment model applied to received documents ([domain A-1]..[domain A-6])."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.feeds.cover_model import (
    CORRECTION_WINDOW_CLOSED,
    CURRENCY_NOT_ALLOWED,
    WITHDRAWAL_NOT_ALLOWED,
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
from tradecover.feeds.record import DocumentFormat, DocumentKind, Reason, TradeDocument
from tradecover.policies import (
    AttachmentModel,
    AttachmentTerms,
    DeclarationFrequency,
    ShipmentDateBasis,
)

INDIVIDUAL = AttachmentTerms()
PORTFOLIO = AttachmentTerms(AttachmentModel.PORTFOLIO)
HYBRID = AttachmentTerms(AttachmentModel.HYBRID, correction_days=5, authorised_sources=("customs",))
DECLARED = DeclaredAmounts(Decimal("1000.00"), "EUR", date(2026, 3, 2), date(2026, 5, 1), "8471")


def _document(kind: DocumentKind, total: str | None, **changes: object) -> TradeDocument:
    base = TradeDocument(
        kind=kind,
        format=DocumentFormat.UBL,
        source="ubl",
        document_id="CN-1",
        currency="EUR",
        total=None if total is None else Decimal(total),
        amends="INV-1",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("terms", "source", "expected"),
    [
        (INDIVIDUAL, "customs", "await_confirmation"),
        (PORTFOLIO, "ubl", "attach"),
        (HYBRID, "customs", "attach"),
        (HYBRID, "erp", "await_confirmation"),
    ],
)
def test_on_receipt(terms: AttachmentTerms, source: str, expected: str) -> None:
    assert on_receipt(terms, source) == expected


def test_the_confirmation_deadline_is_the_declaration_deadline() -> None:
    assert confirmation_deadline(DeclarationFrequency.MONTHLY, date(2026, 10, 3)) == date(
        2026, 11, 15
    )
    assert confirmation_deadline(DeclarationFrequency.IMMEDIATE, date(2026, 10, 3)) == date(
        2026, 10, 6
    )


@pytest.mark.parametrize(
    ("today", "standing"),
    [
        (date(2026, 11, 11), ConfirmationStanding.OPEN),
        (date(2026, 11, 12), ConfirmationStanding.AT_RISK),
        (date(2026, 11, 15), ConfirmationStanding.AT_RISK),
        (date(2026, 11, 16), ConfirmationStanding.OVERDUE),
    ],
)
def test_confirmation_standing(today: date, standing: ConfirmationStanding) -> None:
    assert confirmation_standing(date(2026, 11, 15), today) is standing


@pytest.mark.parametrize(
    ("terms", "today", "code"),
    [
        (HYBRID, date(2026, 3, 6), None),
        (HYBRID, date(2026, 3, 7), CORRECTION_WINDOW_CLOSED),
        (PORTFOLIO, date(2026, 3, 1), WITHDRAWAL_NOT_ALLOWED),
        (INDIVIDUAL, date(2026, 3, 1), WITHDRAWAL_NOT_ALLOWED),
    ],
)
def test_withdrawal_window(terms: AttachmentTerms, today: date, code: str | None) -> None:
    assert withdrawal_allowed(terms, date(2026, 3, 1), today) == code


def test_currency_refusal_names_what_is_allowed() -> None:
    refusal = currency_refusal("USD", ["EUR", "GBP"])
    assert refusal is not None and refusal.code == CURRENCY_NOT_ALLOWED
    assert "EUR, GBP" in refusal.detail
    assert currency_refusal("EUR", ["EUR"]) is None
    assert currency_refusal("USD", []) is None  # no policy in force: the bridge says so


def test_acceptance_basis_drops_the_exit_date() -> None:
    customs = _document(
        DocumentKind.CUSTOMS_DECLARATION,
        "10",
        acceptance_date=date(2026, 3, 1),
        exit_date=date(2026, 3, 4),
    )
    assert on_date_basis(customs, ShipmentDateBasis.ACCEPTANCE).exit_date is None
    assert on_date_basis(customs, ShipmentDateBasis.EXIT_THEN_ACCEPTANCE) == customs


def test_a_credit_note_lowers_the_amount() -> None:
    outcome = correction_of(
        _document(DocumentKind.CREDIT_NOTE, "250.00"), DECLARED, shipped=None, due=None
    )
    assert isinstance(outcome, Correction) and outcome.amounts is not None
    assert outcome.action == "replace"
    assert outcome.amounts.invoice_amount == Decimal("750.00")
    assert outcome.amounts.shipment_date == DECLARED.shipment_date


def test_a_credit_note_of_the_whole_amount_cancels() -> None:
    outcome = correction_of(
        _document(DocumentKind.CREDIT_NOTE, "1000.00"), DECLARED, shipped=None, due=None
    )
    assert isinstance(outcome, Correction) and outcome.action == "cancel"


def test_a_credit_note_in_another_currency_is_refused() -> None:
    outcome = correction_of(
        _document(DocumentKind.CREDIT_NOTE, "10", currency="USD"), DECLARED, shipped=None, due=None
    )
    assert isinstance(outcome, Reason) and outcome.code == "correction_currency_differs"


def test_an_amended_customs_declaration_replaces_amount_and_dates() -> None:
    amended = _document(
        DocumentKind.CUSTOMS_DECLARATION, "1200.00", version="2", hs_codes=("940360",)
    )
    outcome = correction_of(amended, DECLARED, shipped=date(2026, 3, 5), due=None)
    assert isinstance(outcome, Correction) and outcome.amounts is not None
    assert outcome.amounts.invoice_amount == Decimal("1200.00")
    assert outcome.amounts.shipment_date == date(2026, 3, 5)
    assert outcome.amounts.due_date == date(2026, 5, 4)  # the credit period is kept
    assert outcome.amounts.hs_code == "940360"


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999.99"), places=2))
def test_a_partial_credit_keeps_the_rest(credited: Decimal) -> None:
    outcome = correction_of(
        _document(DocumentKind.CREDIT_NOTE, str(credited)), DECLARED, shipped=None, due=None
    )
    assert isinstance(outcome, Correction) and outcome.amounts is not None
    assert outcome.amounts.invoice_amount + credited == DECLARED.invoice_amount
