from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tradecover.feeds import (
    DocumentKind,
    ErpShipmentEvent,
    Quarantine,
    TradeDocument,
    check_signature,
    read_erp_webhook,
    sign,
)

from ._fixtures import fixture

NOW = datetime(2026, 3, 2, 8, 15, 30, tzinfo=UTC)
SECRET = "whsec_current"
OLD_SECRET = "whsec_previous"
SCHEMA = Path(__file__).resolve().parents[3] / "docs" / "feeds" / "erp-shipment-event.schema.json"


def _signed(body: bytes, secret: str = SECRET, at: datetime = NOW) -> str:
    return sign(body, secret, int(at.timestamp()))


def test_a_signed_event_is_read() -> None:
    body = fixture("erp_shipment_event.json")
    doc = read_erp_webhook(body, _signed(body), [SECRET], now=NOW, source="erp:sap-1")
    assert isinstance(doc, TradeDocument), doc
    assert doc.kind is DocumentKind.ERP_SHIPMENT
    assert doc.dedup_key == ("erp:sap-1", "SHP-2026-118", "1")
    assert (doc.currency, doc.total) == ("USD", Decimal("48250.00"))
    assert doc.shipment_date == date(2026, 3, 2)
    assert doc.payment_terms_days == 90
    assert doc.invoice_reference == "INV-118"
    assert doc.seller.identifiers[0].valid is True
    assert doc.hs_codes == ("820411",)


def test_during_rotation_both_secrets_are_accepted() -> None:
    body = fixture("erp_shipment_event.json")
    for secret in (SECRET, OLD_SECRET):
        result = read_erp_webhook(body, _signed(body, secret), [SECRET, OLD_SECRET], now=NOW)
        assert isinstance(result, TradeDocument)
    retired = read_erp_webhook(body, _signed(body, OLD_SECRET), [SECRET], now=NOW)
    assert isinstance(retired, Quarantine)
    assert retired.codes == ("signature_mismatch",)


def test_a_header_may_carry_several_signatures() -> None:
    body = b"{}"
    header = _signed(body, "other") + "," + _signed(body).split(",")[1]
    assert check_signature(body, header, [SECRET], now=NOW) is None


def test_refusals_of_the_signature() -> None:
    body = fixture("erp_shipment_event.json")
    cases = {
        None: "signature_missing",
        "": "signature_missing",
        "v1=abc": "signature_malformed",
        "t=abc,v1=abc": "signature_malformed",
        _signed(body, at=NOW - timedelta(seconds=301)): "signature_expired",
        _signed(body, at=NOW + timedelta(seconds=301)): "signature_expired",
        _signed(body + b" "): "signature_mismatch",
        _signed(body, "wrong"): "signature_mismatch",
    }
    for header, code in cases.items():
        result = read_erp_webhook(body, header, [SECRET], now=NOW)
        assert isinstance(result, Quarantine), header
        assert result.codes == (code,), header


def test_the_replay_window_is_a_setting() -> None:
    body = b"{}"
    header = _signed(body, at=NOW - timedelta(seconds=100))
    assert check_signature(body, header, [SECRET], now=NOW, window_seconds=120) is None
    refused = check_signature(body, header, [SECRET], now=NOW, window_seconds=60)
    assert refused is not None
    assert refused.code == "signature_expired"


@settings(max_examples=60, deadline=None)
@given(
    st.binary(max_size=500),
    st.text(min_size=1, max_size=40),
    st.integers(min_value=0, max_value=299),
)
def test_any_body_signed_with_a_valid_secret_verifies(body: bytes, secret: str, age: int) -> None:
    header = sign(body, secret, int(NOW.timestamp()) - age)
    assert check_signature(body, header, ["unrelated", secret], now=NOW) is None


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=1, max_size=200), st.integers(min_value=0, max_value=199))
def test_any_change_to_the_body_breaks_the_signature(body: bytes, where: int) -> None:
    header = _signed(body)
    position = where % len(body)
    tampered = body[:position] + bytes([body[position] ^ 0x01]) + body[position + 1 :]
    refused = check_signature(tampered, header, [SECRET], now=NOW)
    assert refused is not None
    assert refused.code == "signature_mismatch"


def test_an_invalid_event_is_quarantined_with_every_field_error() -> None:
    event = json.loads(fixture("erp_shipment_event.json"))
    event["currency"] = "XYZ"
    event["hs_codes"] = ["82"]
    del event["shipment_id"]
    event["surprise"] = 1
    body = json.dumps(event).encode()
    result = read_erp_webhook(body, _signed(body), [SECRET], now=NOW)
    assert isinstance(result, Quarantine)
    assert set(result.codes) == {"erp_event_invalid"}
    fields = {reason.detail.split(":")[0] for reason in result.reasons}
    assert fields == {"currency", "hs_codes", "shipment_id", "surprise"}


def test_an_oversized_body_is_refused_before_the_signature() -> None:
    body = b" " * (1024 * 1024 + 1)
    result = read_erp_webhook(body, _signed(body), [SECRET], now=NOW)
    assert isinstance(result, Quarantine)
    assert result.codes == ("document_too_large",)


def test_the_published_json_schema_is_the_models() -> None:
    published = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert published == ErpShipmentEvent.model_json_schema()
    ErpShipmentEvent.model_validate_json(fixture("erp_shipment_event.json"))
