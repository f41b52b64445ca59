"""Consent receipts the exporter downloads [domain CS-7]: a JSON record with the
fields of an ISO/IEC TS 27560 consent record, and the same consent as an ODRL policy
(JSON-LD) that a data-space connector can enforce.  Pure: built from a :class:`Receipt`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tradecover.consents.rules import ConsentStatus, Purpose, Scope

RECEIPT_VERSION = "tradecover-consent-receipt/1"
"""The version of the JSON receipt's layout."""

ODRL_CONTEXT = "http://www.w3.org/ns/odrl.jsonld"
"""The JSON-LD context of ODRL 2.2."""

DPV = "https://w3id.org/dpv#"
"""The Data Privacy Vocabulary namespace, used for the purposes."""


@dataclass(frozen=True, slots=True)
class Receipt:
    """Everything a receipt tells of one consent."""

    consent_id: int
    grantor_org_id: int
    grantor_name: str
    grantee_org_id: int
    grantee_name: str
    scopes: tuple[Scope, ...]
    purposes: tuple[Purpose, ...]
    data_from: date | None
    data_to: date | None
    expires_at: datetime
    status: ConsentStatus
    requested_at: datetime
    authorised_at: datetime | None
    revoked_at: datetime | None
    issued_at: datetime


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def receipt_json(r: Receipt) -> dict[str, Any]:
    """The consent receipt as JSON (ISO/IEC TS 27560-style fields)."""
    return {
        "schema_version": RECEIPT_VERSION,
        "record_id": f"urn:tradecover:consent:{r.consent_id}",
        "issued_at": _iso(r.issued_at),
        "data_subject": {"org_id": r.grantor_org_id, "name": r.grantor_name, "role": "grantor"},
        "data_controller": {"org_id": r.grantee_org_id, "name": r.grantee_name, "role": "grantee"},
        "purposes": [p.value for p in r.purposes],
        "personal_data_categories": [s.value for s in r.scopes],
        "processing": ["read"],
        "legal_basis": "consent",
        "data_window": {"from": _iso(r.data_from), "to": _iso(r.data_to)},
        "expiry": _iso(r.expires_at),
        "state": r.status.value,
        "events": [
            e
            for e in (
                {"type": "requested", "at": _iso(r.requested_at)},
                {"type": "given", "at": _iso(r.authorised_at)} if r.authorised_at else None,
                {"type": "withdrawn", "at": _iso(r.revoked_at)} if r.revoked_at else None,
            )
            if e is not None
        ],
    }


def receipt_odrl(r: Receipt) -> dict[str, Any]:
    """The consent as an ODRL ``Agreement``: one ``read`` permission per scope, from the
    exporter (assigner) to the grantee (assignee), constrained to the purposes and to the
    time before the expiry (and the data window, when one is set).
    """
    constraints: list[dict[str, Any]] = [
        {
            "leftOperand": "purpose",
            "operator": "isAnyOf",
            "rightOperand": [f"{DPV}{p.value}" for p in r.purposes],
        },
        {
            "leftOperand": "dateTime",
            "operator": "lt",
            "rightOperand": {"@value": _iso(r.expires_at), "@type": "xsd:dateTime"},
        },
    ]
    if r.data_from is not None:
        constraints.append(
            {
                "leftOperand": "dateTime",
                "operator": "gteq",
                "rightOperand": {"@value": _iso(r.data_from), "@type": "xsd:date"},
            }
        )
    if r.data_to is not None:
        constraints.append(
            {
                "leftOperand": "dateTime",
                "operator": "lteq",
                "rightOperand": {"@value": _iso(r.data_to), "@type": "xsd:date"},
            }
        )
    assigner = f"urn:tradecover:org:{r.grantor_org_id}"
    return {
        "@context": ODRL_CONTEXT,
        "@type": "Agreement",
        "uid": f"urn:tradecover:consent:{r.consent_id}",
        "assigner": assigner,
        "assignee": f"urn:tradecover:org:{r.grantee_org_id}",
        "permission": [
            {
                "target": f"urn:tradecover:data:{r.grantor_org_id}:{s.value}",
                "action": "read",
                "assigner": assigner,
                "assignee": f"urn:tradecover:org:{r.grantee_org_id}",
                "constraint": constraints,
            }
            for s in r.scopes
        ],
    }
