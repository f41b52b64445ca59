"""Pins the audit context's public face, and that importing it loads no adapter."""

from __future__ import annotations

import subprocess
import sys

import tradecover.audit as face


def test_public_names_are_pinned() -> None:
    assert sorted(face.__all__) == [
        "AUDIT_CHAINS",
        "AuditEntry",
        "AuditTampered",
        "ChainBreak",
        "Checkpoint",
        "FileKeyStore",
        "GENESIS_HASH",
        "Pending",
        "append_log",
        "append_many",
        "chain_for",
        "chain_rows",
        "export_checkpoints",
        "history",
        "latest_entries",
        "open_sink",
        "page_of_entries",
        "published_keys_json",
        "read_checkpoints",
        "read_published_keys",
        "readable_entries",
        "record",
        "take_checkpoint",
        "verify_against",
        "verify_all",
    ]
    assert all(getattr(face, name) is not None for name in face.__all__)


def test_the_face_loads_neither_the_database_nor_the_web_until_used() -> None:
    code = (
        "import sys, tradecover.audit; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sqlalchemy', 'fastapi', 'starlette', 'alembic', 'jinja2'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
