"""Every translation keeps the placeholders of its source and %-formats like it
(the templates' gettext formats every message, so a stray ``%`` is a 500)."""

from __future__ import annotations

import pytest
from babel.messages.catalog import Catalog

from tradecover.web import i18n
from tradecover.web.catalog_check import (
    PlaceholderError,
    catalog_of,
    main,
    message_problems,
    placeholders,
    problems,
)


@pytest.mark.parametrize("code", i18n.LOCALES)
def test_every_catalog_keeps_the_placeholders_of_its_sources(code: str) -> None:
    assert problems(catalog_of(code)) == []


@pytest.mark.parametrize("code", i18n.LOCALES)
def test_every_translation_formats_with_the_values_its_source_gets(code: str) -> None:
    for message in catalog_of(code):
        if not message.id:
            continue
        ids = tuple(message.id) if isinstance(message.id, (tuple, list)) else (message.id,)
        strings = (
            tuple(message.string)
            if isinstance(message.string, (tuple, list))
            else (message.string,)
        )
        values = {name: 7 for name, _ in placeholders(ids[-1])}
        values |= {name: 7 for name, _ in placeholders(ids[0])}
        for text in strings:
            assert text is not None
            assert isinstance(text % values, str)


def test_the_command_passes_on_the_shipped_catalogs() -> None:
    assert main() == 0


def test_placeholders_are_read_with_their_conversion() -> None:
    assert placeholders("%(num)d of %(total)s, 100%%") == [("num", "d"), ("total", "s")]
    assert placeholders("no placeholder") == []


@pytest.mark.parametrize("text", ["감액 비율(%)", "削减比例（%）", "50 % off", "%s left", "%"])
def test_bare_or_positional_percent_signs_are_refused(text: str) -> None:
    with pytest.raises(PlaceholderError):
        placeholders(text)


@pytest.mark.parametrize(
    ("source", "translation", "ok"),
    [
        ("Cut (percent)", "감액 비율(백분율)", True),
        ("Cut (percent)", "감액 비율(%%)", True),
        ("Cut (percent)", "감액 비율(%)", False),
        ("%(share)s of %(days)s days", "%(days)s일 동안 %(share)s", True),
        ("%(share)s of %(days)s days", "%(day)s일 동안 %(share)s", False),
        ("%(share)s of %(days)s days", "%(share)s", False),
        ("%(num)d policy", "보험증권 %(num)s건", False),
    ],
)
def test_a_translation_must_match_its_source(source: str, translation: str, ok: bool) -> None:
    assert (message_problems(source, translation) == []) is ok


def test_a_broken_plural_form_is_named() -> None:
    catalog = Catalog(locale="ko")
    catalog.add(("%(num)d policy", "%(num)d policies"), ("보험증권 %(count)d건",))
    catalog.add("Cut (percent)", "감액 비율(%)")
    found = problems(catalog)
    assert len(found) == 2
    assert found[0].startswith("'%(num)d policy'") and "count" in found[0]
    assert found[1].startswith("'Cut (percent)'")
