"""The public API document holds no internal notes: no rule or source citations, no code
references, no module paths, no TODOs, no issue numbers, in any description or summary.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tradecover.api.app import create_app
from tradecover.api.public_text import public_text
from tradecover.config import Settings

INTERNAL = re.compile(
    r"\[domain [A-Z]+-\d+\]|\[00\d\]"  # the rule book and its sources
    r"|:[a-z]+:`"  # Sphinx cross-references
    r"|\btradecover\.\w|\b[\w/]+\.py\b|\bdocs/"  # module paths, the repository's files
    r"|\b(?:TODO|FIXME|XXX)\b|\bissue\s*#?\d|#\d{2,}"  # notes to ourselves
    r"|\bdomain\.md\b|\bsource 00\d",
    re.IGNORECASE,
)


def _texts(node: Any, where: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("description", "summary", "title") and isinstance(value, str):
                yield f"{where}/{key}", value
            else:
                yield from _texts(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _texts(item, f"{where}/{index}")


def test_no_description_of_the_document_holds_an_internal_note() -> None:
    document = create_app(Settings(database_url="sqlite://", secret_key="x" * 40)).openapi()
    texts = dict(_texts(document))
    assert len(texts) > 500  # the whole document was read
    notes = {where: text for where, text in texts.items() if INTERNAL.search(text)}
    assert notes == {}


@pytest.mark.parametrize(
    ("written", "public"),
    [
        ("Rescind for fraud ([domain P-10]).", "Rescind for fraud."),
        ("An answer above the threshold [domain CO-12].", "An answer above the threshold."),
        ("The record ([002] 3.1): every month.", "The record: every month."),
        ("Adverse news; see :data:`HARD_STOP_EVENTS`.", "Adverse news."),
        ("A band (see :func:`size_band_for`).", "A band."),
        ("Days (notice to claim) of a claim.", "Days (notice to claim) of a claim."),
        ("Issue the policy; the exporter pays.", "Issue the policy; the exporter pays."),
    ],
)
def test_notes_for_developers_leave_the_public_text(written: str, public: str) -> None:
    assert public_text(written) == public
