from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from tradecover.feeds import (
    DueDateBasis,
    MatchPolicy,
    MatchRule,
    ShipmentDateBasis,
    TradeDocument,
    due_date,
    match_invoice,
    normalise_name,
    read_cii,
    read_single_window_json,
    read_ubl,
    read_wco_customs,
    shipment_date,
)

from ._fixtures import fixture


def _doc(result: object) -> TradeDocument:
    assert isinstance(result, TradeDocument), result
    return result


INVOICE = _doc(read_ubl(fixture("ubl_export_invoice.xml")))
CREDIT_NOTE_FREE = _doc(read_cii(fixture("cii_export_invoice.xml")))
DECLARATION = _doc(read_wco_customs(fixture("wco_export_declaration.xml")))
SINGLE_WINDOW = _doc(read_single_window_json(fixture("single_window_record.json")))


def test_the_invoice_number_links_first() -> None:
    decoy = replace(INVOICE, document_id="RW-2026-0043")
    match = match_invoice(DECLARATION, [decoy, CREDIT_NOTE_FREE, INVOICE])
    assert match.invoice is INVOICE
    assert match.rule is MatchRule.INVOICE_NUMBER


def test_the_invoice_number_is_compared_without_spaces_and_case() -> None:
    declaration = replace(DECLARATION, invoice_reference="rw 2026 0042")
    assert match_invoice(declaration, [INVOICE]).invoice is INVOICE


def test_without_invoice_number_consignee_amount_currency_and_date_link() -> None:
    match = match_invoice(SINGLE_WINDOW, [INVOICE, CREDIT_NOTE_FREE])
    assert match.invoice is CREDIT_NOTE_FREE
    assert match.rule is MatchRule.CONSIGNEE_AMOUNT_DATE


def test_names_are_compared_normalised() -> None:
    assert normalise_name("Lakeside Tools, Inc.") == normalise_name("LAKESIDE TOOLS INC")
    assert normalise_name("Société Générale S.A.") == "societe generale"
    assert normalise_name("Maison Kyoto K.K.") == normalise_name("MAISON KYOTO KK")
    assert normalise_name(None) == ""


def test_each_criterion_can_rule_an_invoice_out() -> None:
    declaration = replace(DECLARATION, invoice_reference=None)
    assert match_invoice(declaration, [INVOICE]).invoice is INVOICE
    outside = [
        replace(INVOICE, currency="USD"),
        replace(
            INVOICE,
            total=Decimal("2100.00"),
            tax_exclusive=Decimal("2100.00"),
            payable=Decimal("2100.00"),
        ),
        replace(INVOICE, issue_date=date(2025, 11, 1)),
        replace(INVOICE, buyer=replace(INVOICE.buyer, name="Lakeshore Tools Inc")),
    ]
    for invoice in outside:
        assert match_invoice(declaration, [invoice]).rule is MatchRule.NONE


def test_the_tolerance_is_a_policy_setting() -> None:
    declaration = replace(DECLARATION, invoice_reference=None, total=Decimal("1920.00"))
    assert match_invoice(declaration, [INVOICE]).invoice is INVOICE  # 1.5 % off
    strict = MatchPolicy(amount_tolerance=Decimal("0.01"))
    assert match_invoice(declaration, [INVOICE], strict).invoice is None


def test_the_hs_code_breaks_a_tie_and_an_unbroken_tie_links_nothing() -> None:
    declaration = replace(DECLARATION, invoice_reference=None)
    other = replace(INVOICE, document_id="RW-2026-0050", hs_codes=("940360",))
    match = match_invoice(declaration, [other, INVOICE])
    assert (match.invoice, match.rule) == (INVOICE, MatchRule.HS_CODE_TIEBREAK)
    twin = replace(INVOICE, document_id="RW-2026-0051")
    match = match_invoice(declaration, [twin, INVOICE])
    assert (match.invoice, match.rule) == (None, MatchRule.AMBIGUOUS)
    assert len(match.candidates) == 2


def test_the_shipment_date_is_exit_then_acceptance_or_acceptance_by_policy() -> None:
    assert shipment_date(DECLARATION) == date(2026, 1, 18)
    assert shipment_date(replace(DECLARATION, exit_date=None)) == date(2026, 1, 16)
    by_acceptance = MatchPolicy(shipment_date_basis=ShipmentDateBasis.ACCEPTANCE)
    assert shipment_date(DECLARATION, by_acceptance) == date(2026, 1, 16)
    assert shipment_date(replace(DECLARATION, exit_date=None, acceptance_date=None)) is None


def test_the_due_date_is_the_invoices_else_its_terms() -> None:
    assert due_date(INVOICE) == date(2026, 3, 1)
    terms_only = replace(INVOICE, due_date=None)
    assert due_date(terms_only) == date(2026, 3, 1)  # 15 January + 45 days
    from_shipment = MatchPolicy(due_date_basis=DueDateBasis.SHIPMENT_DATE)
    assert due_date(terms_only, date(2026, 1, 18), from_shipment) == date(2026, 3, 4)
    assert due_date(replace(terms_only, payment_terms_days=None)) is None
