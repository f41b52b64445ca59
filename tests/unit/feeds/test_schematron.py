from __future__ import annotations

from pathlib import Path

import pytest

from tradecover.feeds import (
    Quarantine,
    Schematrons,
    SchematronValidator,
    TradeDocument,
    read_document,
    read_ubl,
    schematron_validator,
)

from ._fixtures import FIXTURES, fixture, replaced

TINY = FIXTURES / "schematron_tiny.xslt"


def test_a_fatal_failed_assert_quarantines_with_its_id() -> None:
    validator = schematron_validator(TINY)
    document = replaced(
        "ubl_export_invoice.xml", "<cbc:ID>RW-2026-0042</cbc:ID>", "<cbc:ID>TEST-1</cbc:ID>"
    )
    result = read_ubl(document, schematron=validator)
    assert isinstance(result, Quarantine)
    assert result.codes == ("en16931_TINY-01",)
    assert "test invoice number" in result.reasons[0].detail


def test_warnings_do_not_quarantine() -> None:
    validator = schematron_validator(TINY)
    document = replaced(
        "ubl_export_invoice.xml",
        "<cac:PaymentTerms><cbc:Note>Net 45 days from invoice date</cbc:Note></cac:PaymentTerms>",
        "",
    )
    assert validator.breaches(document) == []
    assert isinstance(read_ubl(document, schematron=validator), TradeDocument)


def test_the_stylesheet_is_compiled_once_and_reused() -> None:
    assert schematron_validator(TINY) is schematron_validator(str(TINY))


def test_the_schematron_runs_per_syntax_and_only_after_the_builtin_rules_pass() -> None:
    schematrons = Schematrons.from_paths(TINY, None)
    document = replaced(
        "ubl_export_invoice.xml", "<cbc:ID>RW-2026-0042</cbc:ID>", "<cbc:ID>TEST-2</cbc:ID>"
    )
    result = read_document(document, schematrons=schematrons)
    assert isinstance(result, Quarantine)
    assert result.codes == ("en16931_TINY-01",)
    # the CII reader has no CII stylesheet configured: built-in rules only
    assert isinstance(
        read_document(fixture("cii_export_invoice.xml"), schematrons=schematrons), TradeDocument
    )
    broken = document.replace(
        b'<cbc:PayableAmount currencyID="EUR">1950.00', b'<cbc:PayableAmount currencyID="EUR">1.00'
    )
    result = read_document(broken, schematrons=schematrons)
    assert isinstance(result, Quarantine)
    assert result.codes == ("en16931_BR-CO-16",)


def test_a_file_that_is_not_xslt_is_refused_at_configuration(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xslt"
    bad.write_text("<not-a-stylesheet/>")
    with pytest.raises(Exception):  # noqa: B017 - Saxon's own error type
        SchematronValidator(bad)
