"""A declaration as an attachment wrote it: its column values, as a plain read-only record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any


@dataclass(eq=False)
class DeclarationRecord:
    """The column values of one declaration written by an attachment (never an ORM object:
    load the row for a change).  Its attribute dict holds exactly the columns, so that the
    views read it like a loaded row (:func:`tradecover.declarations.model.declaration_values`).
    """

    id: int
    exporter_org_id: int
    policy_id: int
    buyer_id: int
    buyer_country: str | None
    limit_id: int | None
    limit_version_id: int | None
    invoice_number: str
    shipment_date: date
    due_date: date
    credit_days: int
    payment_terms: str
    transport_mode: str
    hs_code: str
    goods_description: str
    currency: str
    invoice_minor: int
    prepayment_minor: int
    insured_minor: int
    covered_minor: int
    uninsured_minor: int
    collected_minor: int
    cover_status: str
    reason_code: str
    cover_explanation: str
    rate: Decimal
    rate_explanation: Any
    premium_minor: int
    declaration_date: date
    declaration_due: date
    late: bool
    days_late: int
    status: str
    supersedes_id: int | None
    channel: str
    declared_at: datetime
    declared_by: str
    ended_at: datetime | None = None
    ended_by: str | None = None
    end_reason: str | None = None


def record_of(values: Mapping[str, Any]) -> DeclarationRecord:
    """The record of a declaration's column values (``id`` included)."""
    return DeclarationRecord(**values)
