"""Test helpers: the feed fixtures written for these tests (tests/fixtures/feeds)."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "feeds"


def fixture(name: str) -> bytes:
    """The bytes of one fixture file."""
    return (FIXTURES / name).read_bytes()


def replaced(name: str, old: str, new: str) -> bytes:
    """A fixture with ``old`` replaced by ``new`` (which must occur)."""
    text = fixture(name).decode("utf-8")
    assert old in text, old
    return text.replace(old, new).encode("utf-8")
