"""Consent receipts: the JSON record and its ODRL policy [domain CS-7]."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tradecover.consents.receipts import ODRL_CONTEXT, Receipt, receipt_json, receipt_odrl
from tradecover.consents.rules import ConsentStatus, Purpose, Scope

AT = datetime(2026, 12, 7, 12, tzinfo=UTC)
RECEIPT = Receipt(
    consent_id=7,
    grantor_org_id=2,
    grantor_name="Acme Exports",
    grantee_org_id=5,
    grantee_name="First Bank",
    scopes=(Scope.SHIPMENT_CORE, Scope.INVOICE_DOCUMENTS),
    purposes=(Purpose.FINANCING,),
    data_from=date(2026, 1, 1),
    data_to=None,
    expires_at=datetime(2027, 12, 7, tzinfo=UTC),
    status=ConsentStatus.REVOKED,
    requested_at=AT,
    authorised_at=AT,
    revoked_at=AT,
    issued_at=AT,
)


def test_the_json_receipt_names_parties_purposes_categories_and_events() -> None:
    body = receipt_json(RECEIPT)
    assert body["record_id"] == "urn:tradecover:consent:7"
    assert body["data_subject"]["org_id"] == 2 and body["data_controller"]["org_id"] == 5
    assert body["purposes"] == ["financing"]
    assert body["personal_data_categories"] == ["shipment_core", "invoice_documents"]
    assert body["data_window"] == {"from": "2026-01-01", "to": None}
    assert body["state"] == "revoked"
    assert [e["type"] for e in body["events"]] == ["requested", "given", "withdrawn"]


def test_the_odrl_policy_permits_read_per_scope_under_purpose_and_time() -> None:
    body = receipt_odrl(RECEIPT)
    assert body["@context"] == ODRL_CONTEXT and body["@type"] == "Agreement"
    assert body["assigner"] == "urn:tradecover:org:2"
    assert body["assignee"] == "urn:tradecover:org:5"
    permissions = body["permission"]
    assert [p["target"] for p in permissions] == [
        "urn:tradecover:data:2:shipment_core",
        "urn:tradecover:data:2:invoice_documents",
    ]
    constraint = permissions[0]["constraint"]
    assert all(p["action"] == "read" for p in permissions)
    assert constraint[0]["leftOperand"] == "purpose"
    assert constraint[0]["rightOperand"] == ["https://w3id.org/dpv#financing"]
    assert constraint[1] == {
        "leftOperand": "dateTime",
        "operator": "lt",
        "rightOperand": {"@value": "2027-12-07T00:00:00+00:00", "@type": "xsd:dateTime"},
    }
    assert constraint[2]["operator"] == "gteq" and len(constraint) == 3
