"""Pins the audit context's public face, and that importing it loads no adapter."""

from __future__ import annotations

import subprocess
import sys

import tradecover.audit as face


def test_public_names_are_pinned() -> None:
    assert sorted(face.__all__) == [
        "AUDIT_CHAINS",
        "ChainBreak",
        "GENESIS_HASH",
        "Pending",
        "append_many",
        "chain_for",
        "chain_rows",
        "history",
        "latest_entries",
        "record",
        "verify_all",
    ]
    assert all(getattr(face, name) is not None for name in face.__all__)


def test_the_face_loads_neither_the_database_nor_the_web_until_used() -> None:
    code = ("import sys, tradecover.audit; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'sqlalchemy', 'fastapi', 'starlette', 'alembic', 'jinja2'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
