"""E-mails of events in the recipient's language, from the dashboard's catalogs."""

from __future__ import annotations

import re

import pytest

from tradecover.mail import MAILED_TYPES, compose, mail_kinds
from tradecover.mail.service import translate_to
from tradecover.web.i18n import LOCALES

ISSUED = {
    "notice_id": 41,
    "policy_id": 3,
    "month": "2026-11",
    "total_amount": "1234.50",
    "currency": "USD",
    "due_date": "2026-12-31",
}


def test_a_notice_is_written_in_the_readers_language() -> None:
    english = compose("notice.issued", ISSUED, translate_to("en"))
    chinese = compose("notice.issued", ISSUED, translate_to("zh_Hans"))
    korean = compose("notice.issued", ISSUED, translate_to("ko"))
    assert english is not None and chinese is not None and korean is not None
    assert english.subject == "Premium notice 41 issued"
    assert "1234.50 USD" in english.body and "2026-12-31" in english.body
    assert "保费通知书" in chinese.subject and "1234.50" in chinese.body
    assert "보험료 고지서" in korean.subject and "2026-12-31" in korean.body


@pytest.mark.parametrize("locale", LOCALES)
def test_every_mailed_type_is_translated_in_every_language(locale: str) -> None:
    translate = translate_to(locale)
    for kind in mail_kinds().values():
        for text in (kind.label, kind.subject, kind.body, *(note for _, note in kind.notes)):
            translated = translate(text)
            assert translated and (locale == "en" or translated != text), (locale, text)
            assert set(re.findall(r"%\((\w+)\)s", translated)) == set(
                re.findall(r"%\((\w+)\)s", text)
            )


def test_a_language_without_a_catalog_falls_back_to_english() -> None:
    message = compose("notice.issued", ISSUED, translate_to("fr"))
    assert message is not None and message.subject == "Premium notice 41 issued"


def test_a_missing_field_prints_as_nothing_and_other_events_are_not_mailed() -> None:
    message = compose("limit.cancelled", {"limit_id": 7}, translate_to("en"))
    assert message is not None and message.subject == "Credit limit 7 cancelled"
    assert compose("claim.filed", {}, translate_to("en")) is None
    assert {"notice.issued", "limit.reduced", "claim.decided"} <= MAILED_TYPES


REMINDED = {
    "declaration_id": 7,
    "policy_id": 3,
    "invoice_number": "INV-42",
    "due_date": "2026-10-01",
    "deadline": "2026-12-30",
    "days_left": 14,
}
CHASED = {
    "declaration_id": 7,
    "policy_id": 3,
    "invoice_number": "INV-42",
    "due_date": "2026-10-01",
    "requested_on": "2026-10-01",
    "reminder_number": 1,
    "escalate": False,
}


def test_the_overdue_reminder_and_chaser_are_mailed_in_the_readers_language() -> None:
    reminder = compose("declaration.reminded", REMINDED, translate_to("en"))
    assert reminder is not None
    assert reminder.subject == "Notice of possible loss due by 2026-12-30: invoice INV-42"
    assert reminder.body == (
        "Invoice INV-42 was due on 2026-10-01 and is unpaid. File a notice of possible loss "
        "by 2026-12-30 (14 days left), or the right to claim may be lost."
    )
    korean = compose("declaration.reminded", REMINDED, translate_to("ko"))
    assert korean is not None
    assert korean.subject == "사고발생통지 기한 2026-12-30: 송장 INV-42"
    chaser = compose("collection.chased", CHASED, translate_to("zh_Hant"))
    assert chaser is not None and chaser.subject == "請確認發票 INV-42 的收款情況"
    assert "2026-10-01" in chaser.body and "保險人工作人員" not in chaser.body
    escalated = compose("collection.chased", {**CHASED, "escalate": True}, translate_to("zh_Hant"))
    assert escalated is not None and escalated.body.endswith(" 此請求現已轉交保險人工作人員處理。")
    assert {"declaration.reminded", "collection.chased"} <= MAILED_TYPES
