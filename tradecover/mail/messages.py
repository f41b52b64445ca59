"""The e-mails of events: subject and text, translated with the dashboard's Babel catalogs
(pure rules: the caller gives the translation function of the recipient's language).

Each mailed event type has an English subject and body, marked for extraction with
:func:`N_` and translated in ``tradecover/web/locale`` (en, zh_Hans, zh_Hant, ko) like
every dashboard message; placeholders name the payload's fields (``%(notice_id)s``).
Amounts are shown as the payload carries them (decimal string and currency).  Each type
also has a label, the choice a person sees on the e-mail preferences page.  The premium
notice and the claim decision also carry their PDF (:data:`WITH_PDF`), rendered by the
relay in the recipient's language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Translate = Callable[[str], str]


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark ``message`` for the catalogs; it is translated where it is used."""
    return message


@dataclass(frozen=True, slots=True)
class Message:
    """An e-mail's subject and plain-text body."""

    subject: str
    body: str


@dataclass(frozen=True, slots=True)
class MailKind:
    """A mailed event type: its label on the preferences page, its subject and body, and
    sentences added to the body when a field of the payload is true (``notes``).
    """

    label: str
    subject: str
    body: str
    notes: tuple[tuple[str, str], ...] = ()


_KINDS: Mapping[str, MailKind] = {
    "limit.decided": MailKind(
        N_("Credit limit decisions"),
        N_("Credit limit application %(application_id)s decided"),
        N_(
            "Your credit limit application %(application_id)s is decided: %(outcome)s, "
            "%(approved_amount)s %(currency)s."
        ),
    ),
    "limit.reduced": MailKind(
        N_("Credit limit reductions"),
        N_("Credit limit %(limit_id)s reduced"),
        N_(
            "Credit limit %(limit_id)s is reduced to %(amount)s %(currency)s from "
            "%(effective_from)s. Shipments made before keep their cover."
        ),
    ),
    "limit.cancelled": MailKind(
        N_("Credit limit cancellations"),
        N_("Credit limit %(limit_id)s cancelled"),
        N_(
            "Credit limit %(limit_id)s is cancelled from %(effective_from)s: %(reason)s. "
            "Shipments made before keep their cover."
        ),
    ),
    "declaration.reminded": MailKind(
        N_("Reminders to notify a possible loss"),
        N_("Notice of possible loss due by %(deadline)s: invoice %(invoice_number)s"),
        N_(
            "Invoice %(invoice_number)s was due on %(due_date)s and is unpaid. File a notice "
            "of possible loss by %(deadline)s (%(days_left)s days left), or the right to "
            "claim may be lost."
        ),
    ),
    "declaration.due": MailKind(
        N_("Reminders of declaration deadlines"),
        N_("Declare by %(due_date)s: shipments of %(period_start)s to %(period_end)s"),
        N_(
            "The shipments of %(period_start)s to %(period_end)s under policy %(policy_id)s "
            "are to be declared by %(due_date)s (%(days_left)s days left). %(declared)s are "
            "declared so far. A late declaration can cost cover."
        ),
    ),
    "collection.chased": MailKind(
        N_("Requests to confirm collections"),
        N_("Please confirm collection of invoice %(invoice_number)s"),
        N_(
            "Invoice %(invoice_number)s fell due on %(due_date)s; we asked on "
            "%(requested_on)s whether the buyer paid. Confirm it paid in full, in part or "
            "unpaid."
        ),
        notes=(("escalate", N_("This request is now with the insurer's staff.")),),
    ),
    "notice.issued": MailKind(
        N_("Premium notices"),
        N_("Premium notice %(notice_id)s issued"),
        N_(
            "Your premium notice %(notice_id)s for %(month)s is issued: %(total_amount)s "
            "%(currency)s, due on %(due_date)s."
        ),
    ),
    "notice.overdue": MailKind(
        N_("Premium arrears"),
        N_("Premium notice %(notice_id)s is overdue"),
        N_(
            "Premium notice %(notice_id)s was due on %(due_date)s; %(outstanding_amount)s "
            "%(currency)s is still outstanding."
        ),
    ),
    "notice.paid": MailKind(
        N_("Premium payments received"),
        N_("Premium notice %(notice_id)s paid"),
        N_(
            "We received %(paid_amount)s %(currency)s for premium notice %(notice_id)s on "
            "%(paid_on)s. Thank you."
        ),
    ),
    "claim.decided": MailKind(
        N_("Claim decisions"),
        N_("Claim %(claim_id)s decided"),
        N_(
            "Your claim %(claim_id)s is decided: %(outcome)s; indemnity %(indemnity_amount)s "
            "%(currency)s."
        ),
    ),
    "claim.paid": MailKind(
        N_("Claim payments"),
        N_("Claim %(claim_id)s paid"),
        N_("Claim %(claim_id)s: an indemnity of %(paid_amount)s %(currency)s paid on %(paid_on)s."),
    ),
    "webhook_endpoint.disabled": MailKind(
        N_("Webhook endpoints disabled"),
        N_("Webhook endpoint disabled"),
        N_(
            "Your webhook endpoint %(url)s failed since %(failing_since)s and is disabled. "
            "Enable it again on the Webhooks page once it answers."
        ),
    ),
}

MAILED_TYPES = frozenset(_KINDS)
"""The event types that go out by e-mail."""

WITH_PDF = frozenset({"notice.issued", "claim.decided"})
"""The mailed event types whose e-mail carries the PDF of what they tell of."""


def mail_kinds() -> dict[str, MailKind]:
    """The mailed event types with their labels, in the order the preferences page shows."""
    return dict(_KINDS)


class _Blank(dict[str, Any]):
    """Payload values for %-formatting: a missing or empty field prints as nothing."""

    def __missing__(self, key: str) -> str:
        return ""


def compose(event_type: str, payload: Mapping[str, Any], translate: Translate) -> Message | None:
    """The e-mail of an event in the language of ``translate``, or None when the event
    type is not mailed.
    """
    kind = _KINDS.get(event_type)
    if kind is None:
        return None
    values = _Blank({k: "" if v is None else v for k, v in payload.items()})
    body = translate(kind.body) % values
    for field, note in kind.notes:
        if payload.get(field):
            body += " " + translate(note)
    return Message(translate(kind.subject) % values, body)
