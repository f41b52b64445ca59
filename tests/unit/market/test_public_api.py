"""Pins the market context's public face, and that importing it loads no adapter."""

from __future__ import annotations

import subprocess
import sys

import tradecover.market as face


def test_public_names_are_pinned() -> None:
    assert sorted(face.__all__) == [
        "Classification",
        "MARKETABLE",
        "NON_MARKETABLE",
        "Risk",
        "Rule",
        "RuleSet",
        "check_routing",
        "classify",
        "parse_rule_set",
        "shipped_rule_set",
    ]
    assert all(getattr(face, name) is not None for name in face.__all__)


def test_the_face_loads_neither_the_database_nor_the_web() -> None:
    code = (
        "import sys, tradecover.market; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sqlalchemy', 'fastapi', 'starlette', 'alembic', 'jinja2'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
