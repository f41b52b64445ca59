"""The public face of the API document: what the code's docstrings say for developers
(rule and source citations, Sphinx cross-references) is left out of ``/openapi.json``.

The descriptions and summaries of the document come from docstrings written for the
code's readers: ``[domain P-10]`` and ``[004]`` cite the rule book and its sources, and
``:data:`SECTOR_RISK``` points at a constant. A caller of the API sees neither the rule
book nor the code, so :func:`public_document` drops a parenthesis holding such a note, a
clause after a semicolon that points into the code, and a citation standing on its own. A
note outside those places is a wording to change where it is written
(``tests/integration/api/test_public_document.py`` fails on it).
"""

from __future__ import annotations

import re
from typing import Any

CITATION = r"\[domain [A-Z]+-\d+\]|\[00\d\]"
"""A citation of the rule book or of one of its sources."""
CODE_REFERENCE = r":[a-z]+:`[^`]+`"
"""A Sphinx cross-reference to the code (``:func:`name```)."""

_NOTE_IN_PARENTHESES = re.compile(rf"\s*\((?:[^()]*?(?:{CITATION}|{CODE_REFERENCE}))[^()]*\)")
_CLAUSE_INTO_CODE = re.compile(rf";[^;.]*{CODE_REFERENCE}[^;.]*")
_BARE_CITATION = re.compile(rf"\s*(?:{CITATION})")
_TEXT_KEYS = frozenset({"description", "summary", "title"})


def public_text(text: str) -> str:
    """``text`` without the parentheses holding a citation or a code reference, without
    a clause (after a semicolon) pointing into the code, and without a bare citation.
    """
    text = _NOTE_IN_PARENTHESES.sub("", text)
    text = _CLAUSE_INTO_CODE.sub("", text)
    return _BARE_CITATION.sub("", text)


def public_document(node: Any) -> Any:
    """The OpenAPI document ``node`` with each description, summary and title made public
    (:func:`public_text`), in place; returns ``node``.
    """
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _TEXT_KEYS and isinstance(value, str):
                node[key] = public_text(value)
            else:
                public_document(value)
    elif isinstance(node, list):
        for item in node:
            public_document(item)
    return node
