from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradecover.feeds import (
    Quarantine,
    XmlLimits,
    read_document,
    read_einvoice,
    read_ubl,
    read_wco_customs,
)
from tradecover.feeds.record import Refusal
from tradecover.feeds.safe_xml import parse_xml

from ._fixtures import fixture

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&lol3;</Invoice>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&xxe;</Invoice>"""

NETWORK_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE Invoice SYSTEM "http://example.invalid/invoice.dtd">
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>"""


def _codes(result: object) -> tuple[str, ...]:
    assert isinstance(result, Quarantine), result
    return result.codes


@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL_ENTITY, NETWORK_DTD])
def test_a_doctype_is_refused_before_parsing(document: bytes) -> None:
    assert _codes(read_ubl(document)) == ("xml_doctype_forbidden",)
    assert _codes(read_wco_customs(document)) == ("xml_doctype_forbidden",)


def test_a_doctype_in_utf16_is_refused_too() -> None:
    document = EXTERNAL_ENTITY.replace(b'<?xml version="1.0"?>', b"").decode().encode("utf-16")
    assert _codes(read_einvoice(document)) == ("xml_doctype_forbidden",)


def test_an_undeclared_entity_is_malformed_and_not_resolved() -> None:
    document = (
        b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&xxe;</Invoice>'
    )
    assert _codes(read_ubl(document)) == ("xml_malformed",)


@pytest.mark.parametrize(
    "document",
    [
        b"",
        b"<Invoice>",
        b"not xml at all",
        b"<a></b>",
        b"<a/><b/>",
        "<a>\u00e9</a>".encode("latin-1"),
    ],
)
def test_malformed_xml_is_quarantined(document: bytes) -> None:
    assert _codes(read_einvoice(document)) == ("xml_malformed",)


def test_an_oversized_document_is_refused_before_parsing() -> None:
    result = read_ubl(fixture("ubl_export_invoice.xml"), limits=XmlLimits(max_bytes=1000))
    assert _codes(result) == ("document_too_large",)


def test_a_too_deep_document_is_refused() -> None:
    document = b"<a>" * 70 + b"</a>" * 70
    assert _codes(read_einvoice(document)) == ("xml_too_deep",)
    with pytest.raises(Refusal):
        parse_xml(b"<a>" * 11 + b"</a>" * 11, XmlLimits(max_depth=10))
    assert parse_xml(b"<a>" * 10 + b"</a>" * 10, XmlLimits(max_depth=10)) is not None


def test_a_document_deeper_than_libxml2_allows_is_too_deep_not_malformed() -> None:
    document = b"<a>" * 3000 + b"</a>" * 3000
    assert _codes(read_einvoice(document)) == ("xml_too_deep",)


def test_an_unknown_root_is_quarantined() -> None:
    assert _codes(read_einvoice(b"<order/>")) == ("format_unknown",)
    assert _codes(read_wco_customs(b"<order/>")) == ("format_unknown",)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_no_bytes_make_a_reader_raise(data: bytes) -> None:
    for reader in (read_document, read_einvoice, read_wco_customs):
        result = reader(data)
        assert isinstance(result, Quarantine)
        assert result.reasons


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=4000), st.binary(min_size=1, max_size=3))
def test_truncated_or_corrupted_invoices_never_raise(cut: int, noise: bytes) -> None:
    document = fixture("ubl_export_invoice.xml")
    damaged = document[:cut] + noise + document[cut + len(noise) :]
    result = read_document(damaged)
    assert result is not None
