"""The catalogue of business events: each type's name, version and payload schema.

One registry, :data:`CATALOG`, names every event the platform publishes.  A payload is a
Pydantic model; its JSON schema is what receivers get (``docs/events/`` and the OpenAPI
document's ``webhooks`` section are generated from it).  Money travels as a decimal string
with its currency, dates as ISO business dates.  A new version of a type is a new model
registered under the same name with the next version number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from tradecover.kit.errors import ValidationFailed

Amount = Annotated[
    str,
    Field(
        pattern=r"^-?[0-9]+(\.[0-9]+)?$",
        max_length=40,
        description="A decimal amount in major units",
    ),
]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")]


class Payload(BaseModel):
    """Base of every event payload: closed (unknown fields are refused) and frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class LimitDecided(Payload):
    """An underwriter (or the automatic rules) decided a credit limit application."""

    application_id: int
    policy_id: int
    buyer_id: int
    outcome: str = Field(description="approved, partly_approved, conditional or refused")
    approved_amount: Amount
    currency: Currency
    limit_id: int | None = None


class LimitReduced(Payload):
    """A credit limit was reduced (a new, smaller version is in force)."""

    limit_id: int
    policy_id: int
    buyer_id: int
    amount: Amount
    currency: Currency
    effective_from: date


class LimitCancelled(Payload):
    """A credit limit was cancelled (withdrawn or revoked)."""

    limit_id: int
    policy_id: int
    buyer_id: int
    effective_from: date
    reason: str | None = None


class DeclarationAttached(Payload):
    """A shipment declaration attached to the cover of a policy."""

    declaration_id: int
    policy_id: int
    buyer_id: int | None = None
    insured_amount: Amount
    currency: Currency
    covered_amount: Amount | None = Field(
        default=None, description="What the cover takes (less than insured when partly covered)"
    )


class DeclarationRefused(Payload):
    """A shipment declaration was refused cover, with the reasons."""

    declaration_id: int
    policy_id: int
    reasons: list[str]


class DeclarationCorrected(Payload):
    """A declaration was corrected by an amendment."""

    declaration_id: int
    policy_id: int
    amendment_id: int | None = None


class DeclarationReminded(Payload):
    """The exporter was reminded to file a notice of possible loss on an overdue declared
    invoice before the deadline (the daily overdue job's reminder, once per stage).
    """

    declaration_id: int
    policy_id: int
    invoice_number: str
    due_date: date = Field(description="The invoice's due date (as moved by an extension)")
    deadline: date = Field(description="The last day to file the notice of possible loss")
    days_left: int = Field(ge=0, description="Days from the reminder to the deadline")


class DeclarationDue(Payload):
    """The deadline to declare a period's shipments on a policy is near (the reminder
    before the deadline, once per policy and period).
    """

    policy_id: int
    frequency: str = Field(description="monthly, weekly or immediate")
    period_start: date = Field(description="First shipment date of the period")
    period_end: date = Field(description="Last shipment date of the period")
    due_date: date = Field(description="The last day to declare the period on time")
    days_left: int = Field(ge=0, description="Days from the reminder to the deadline")
    declared: int = Field(ge=0, description="Shipments of the period declared so far")


class CollectionChased(Payload):
    """The exporter was chased to confirm what the buyer paid on an overdue declared
    invoice (the daily overdue job's chaser, once per reminder of a request).
    """

    declaration_id: int
    policy_id: int
    invoice_number: str
    due_date: date
    requested_on: date = Field(description="When the insurer asked for the confirmation")
    reminder_number: int = Field(ge=1)
    escalate: bool = Field(description="The request is now with the insurer's staff")


class NoticeIssued(Payload):
    """A premium notice was issued."""

    notice_id: int
    policy_id: int
    month: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}$")
    total_amount: Amount
    currency: Currency
    due_date: date


class NoticePaid(Payload):
    """A premium notice was paid in full."""

    notice_id: int
    policy_id: int
    paid_amount: Amount
    currency: Currency
    paid_on: date


class NoticeOverdue(Payload):
    """A premium notice passed its due date unpaid."""

    notice_id: int
    policy_id: int
    outstanding_amount: Amount
    currency: Currency
    due_date: date


class PolicyChanged(Payload):
    """A policy's state changed (issued, suspended, renewed or terminated)."""

    policy_id: int
    policy_number: str | None = None
    effective_on: date
    reason: str | None = None


class ClaimFiled(Payload):
    """An exporter filed a claim."""

    claim_id: int
    policy_id: int
    buyer_id: int
    claimed_amount: Amount
    currency: Currency


class ClaimDecided(Payload):
    """The insurer decided a claim."""

    claim_id: int
    policy_id: int
    outcome: str
    indemnity_amount: Amount
    currency: Currency


class ClaimPaid(Payload):
    """The indemnity of a claim was paid."""

    claim_id: int
    policy_id: int
    paid_amount: Amount
    currency: Currency
    paid_on: date


class RecoveryShared(Payload):
    """A recovery after a paid claim was shared between insurer and exporter."""

    claim_id: int
    recovered_amount: Amount
    exporter_share: Amount
    insurer_share: Amount
    currency: Currency


class ConsentChanged(Payload):
    """An organisation granted or revoked a consent (for example to a bank)."""

    consent_id: int
    grantee_org_id: int
    scope: str


class DocumentQuarantined(Payload):
    """An uploaded document was quarantined (malware or a refused content type)."""

    document_id: int
    claim_id: int | None = None
    reason: str


class EndpointDisabled(Payload):
    """A webhook endpoint was disabled after failing for too long."""

    endpoint_id: int
    url: str
    failing_since: str


@dataclass(frozen=True, slots=True)
class EventType:
    """One published event type: its name, version and payload model."""

    name: str
    version: int
    payload: type[Payload]
    summary: str

    @property
    def key(self) -> str:
        """``name.vN``: the file name of the schema and the OpenAPI webhook name."""
        return f"{self.name}.v{self.version}"


def _types(*entries: tuple[str, type[Payload], str]) -> dict[str, EventType]:
    return {name: EventType(name, 1, model, summary) for name, model, summary in entries}


CATALOG: Mapping[str, EventType] = _types(
    ("limit.decided", LimitDecided, "A credit limit application was decided"),
    ("limit.reduced", LimitReduced, "A credit limit was reduced"),
    ("limit.cancelled", LimitCancelled, "A credit limit was cancelled"),
    ("declaration.attached", DeclarationAttached, "A declaration attached to cover"),
    ("declaration.refused", DeclarationRefused, "A declaration was refused cover"),
    ("declaration.corrected", DeclarationCorrected, "A declaration was corrected"),
    (
        "declaration.reminded",
        DeclarationReminded,
        "An exporter was reminded to notify a possible loss on an overdue declaration",
    ),
    (
        "declaration.due",
        DeclarationDue,
        "The deadline to declare a period's shipments is near",
    ),
    (
        "collection.chased",
        CollectionChased,
        "An exporter was chased to confirm the collection of an overdue declaration",
    ),
    ("notice.issued", NoticeIssued, "A premium notice was issued"),
    ("notice.paid", NoticePaid, "A premium notice was paid"),
    ("notice.overdue", NoticeOverdue, "A premium notice is overdue"),
    ("policy.issued", PolicyChanged, "A policy was issued"),
    ("policy.suspended", PolicyChanged, "A policy was suspended"),
    ("policy.renewed", PolicyChanged, "A policy was renewed"),
    ("policy.terminated", PolicyChanged, "A policy was terminated"),
    ("claim.filed", ClaimFiled, "A claim was filed"),
    ("claim.decided", ClaimDecided, "A claim was decided"),
    ("claim.paid", ClaimPaid, "A claim was paid"),
    ("recovery.shared", RecoveryShared, "A recovery was shared"),
    ("consent.granted", ConsentChanged, "A consent was granted"),
    ("consent.revoked", ConsentChanged, "A consent was revoked"),
    ("document.quarantined", DocumentQuarantined, "A document was quarantined"),
    (
        "webhook_endpoint.disabled",
        EndpointDisabled,
        "A webhook endpoint was disabled after failing for too long",
    ),
)
"""Every event type, by name (the current version of each)."""


def event_type(name: str) -> EventType:
    """The catalogue entry of ``name``; an unknown type is a validation error."""
    found = CATALOG.get(name)
    if found is None:
        raise ValidationFailed(f"unknown event type {name!r}", field="event_type")
    return found


def checked_payload(name: str, payload: Payload | Mapping[str, Any]) -> dict[str, Any]:
    """``payload`` validated against the schema of event type ``name``, as JSON values."""
    model = event_type(name).payload
    if isinstance(payload, Payload):
        if not isinstance(payload, model):
            raise ValidationFailed(
                f"{name} carries {model.__name__}, not {type(payload).__name__}", field="payload"
            )
        return payload.model_dump(mode="json")
    from pydantic import ValidationError

    try:
        return model.model_validate(dict(payload)).model_dump(mode="json")
    except ValidationError as error:
        raise ValidationFailed(
            f"payload of {name} does not match its schema: {error.errors()[0]['msg']}",
            field="payload",
        ) from error
