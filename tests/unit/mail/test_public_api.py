"""Pins the public face of ``tradecover.mail``: what other contexts and the edges may call."""

from __future__ import annotations

from types import ModuleType

import tradecover.mail as face


def test_public_names_are_pinned() -> None:
    assert sorted(face.__all__) == sorted(
        [
            "MAILED_TYPES",
            "MailKind",
            "Message",
            "Smtp",
            "compose",
            "mail_batch",
            "mail_kinds",
            "mail_pending",
            "preferences_of",
            "set_preference",
        ]
    )


def test_every_public_name_resolves_to_what_it_names() -> None:
    for name in face.__all__:
        assert getattr(face, name) is not None, name
        assert not isinstance(getattr(face, name), ModuleType), name
