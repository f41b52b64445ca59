"""A declaration as an attachment wrote it: its column values, as a plain read-only record."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tradecover.declarations.cover import CoverStatus
from tradecover.events import PendingEvent
from tradecover.kit.money import amount_of_minor


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


def declaration_events(
    rows: Sequence[DeclarationRecord], *, corrects: int | None = None
) -> list[PendingEvent]:
    """The business events of written declarations, for the exporter's organisation:
    ``declaration.attached`` for one covered (in full or partly), ``declaration.refused``
    (with the reason) for one written uncovered; a correction is also
    ``declaration.corrected`` about the declaration ``corrects`` it replaces (the
    correction keeps the policy).
    """
    events: list[PendingEvent] = []
    for row in rows:
        if row.cover_status == CoverStatus.NOT_COVERED.value:
            events.append(
                PendingEvent(
                    "declaration.refused",
                    f"declaration:{row.id}",
                    {
                        "declaration_id": row.id,
                        "policy_id": row.policy_id,
                        "reasons": [row.reason_code],
                    },
                    row.exporter_org_id,
                )
            )
        else:
            events.append(
                PendingEvent(
                    "declaration.attached",
                    f"declaration:{row.id}",
                    {
                        "declaration_id": row.id,
                        "policy_id": row.policy_id,
                        "buyer_id": row.buyer_id,
                        "insured_amount": _decimal_text(row.insured_minor, row.currency),
                        "covered_amount": _decimal_text(row.covered_minor, row.currency),
                        "currency": row.currency,
                    },
                    row.exporter_org_id,
                )
            )
        if corrects is not None:
            events.append(
                PendingEvent(
                    "declaration.corrected",
                    f"declaration:{corrects}",
                    {
                        "declaration_id": corrects,
                        "policy_id": row.policy_id,
                        "amendment_id": row.id,
                    },
                    row.exporter_org_id,
                )
            )
    return events


def _decimal_text(minor: int, currency: str) -> str:
    return str(amount_of_minor(minor, currency))
