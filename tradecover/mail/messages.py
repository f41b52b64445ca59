"""The e-mails of events: subject and text in the recipient's language (pure rules).

Each mailed event type has a template per language; a language without one falls back to
English.  Amounts are shown as the payload carries them (decimal string and currency).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

FALLBACK = "en"


@dataclass(frozen=True, slots=True)
class Message:
    """An e-mail's subject and plain-text body."""

    subject: str
    body: str


_TEMPLATES: Mapping[str, Mapping[str, tuple[str, str]]] = {
    "notice.issued": {
        "en": (
            "Premium notice {notice_id} issued",
            "Your premium notice {notice_id} for {month} is issued: {total_amount} "
            "{currency}, due on {due_date}.",
        ),
        "zh_Hans": (
            "保费通知书 {notice_id} 已开具",
            "您 {month} 的保费通知书 {notice_id} 已开具：{total_amount} {currency}，"
            "到期日 {due_date}。",
        ),
        "ko": (
            "보험료 고지서 {notice_id} 발행",
            "{month} 보험료 고지서 {notice_id}가 발행되었습니다: {total_amount} {currency}, "
            "납부 기한 {due_date}.",
        ),
    },
    "notice.overdue": {
        "en": (
            "Premium notice {notice_id} is overdue",
            "Premium notice {notice_id} was due on {due_date}; {outstanding_amount} "
            "{currency} is still outstanding.",
        ),
        "zh_Hans": (
            "保费通知书 {notice_id} 已逾期",
            "保费通知书 {notice_id} 的到期日为 {due_date}，尚欠 {outstanding_amount} {currency}。",
        ),
    },
    "notice.paid": {
        "en": (
            "Premium notice {notice_id} paid",
            "We received {paid_amount} {currency} for premium notice {notice_id} on "
            "{paid_on}. Thank you.",
        ),
    },
    "limit.decided": {
        "en": (
            "Credit limit application {application_id} decided",
            "Your credit limit application {application_id} is decided: {outcome}, "
            "{approved_amount} {currency}.",
        ),
        "zh_Hans": (
            "信用限额申请 {application_id} 已决定",
            "您的信用限额申请 {application_id} 已决定：{outcome}，{approved_amount} {currency}。",
        ),
    },
    "webhook_endpoint.disabled": {
        "en": (
            "Webhook endpoint disabled",
            "Your webhook endpoint {url} failed since {failing_since} and is disabled. "
            "Enable it again on the Webhooks page once it answers.",
        ),
    },
}

MAILED_TYPES = frozenset(_TEMPLATES)
"""The event types that go out by e-mail."""


def compose(event_type: str, payload: Mapping[str, Any], locale: str) -> Message | None:
    """The e-mail of an event in ``locale`` (English when the language has none), or None
    when the event type is not mailed.
    """
    templates = _TEMPLATES.get(event_type)
    if templates is None:
        return None
    subject, body = templates.get(locale) or templates[FALLBACK]
    values = {k: "" if v is None else v for k, v in payload.items()}
    return Message(subject.format_map(values), body.format_map(values))
