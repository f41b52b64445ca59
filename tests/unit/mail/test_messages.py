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
        for text in (kind.label, kind.subject, kind.body):
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
