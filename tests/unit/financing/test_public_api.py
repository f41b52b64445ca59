"""Pins the financing context's public face, and that importing it loads no adapter."""

from __future__ import annotations

import subprocess
import sys

import tradecover.financing as face


def test_public_names_are_pinned() -> None:
    assert sorted(face.__all__) == [
        "AssignmentAction",
        "AssignmentInvalid",
        "AssignmentParty",
        "AssignmentRequest",
        "AssignmentStatus",
        "AssignmentTerms",
        "LossPayee",
        "LossPayeeAssignment",
        "LossPayeePayout",
        "NotAssignmentParty",
        "OPEN_STATUSES",
        "Payout",
        "RATE_QUANTUM",
        "act",
        "bank_party",
        "check_terms",
        "count_assignments",
        "financing_base",
        "get_assignment",
        "list_assignments",
        "loss_payees_on",
        "move",
        "pay_in_priority",
        "pay_loss_payees",
        "payouts_of",
        "request_assignment",
    ]
    assert all(getattr(face, name) is not None for name in face.__all__)


def test_the_face_loads_neither_the_database_nor_the_web_until_used() -> None:
    code = (
        "import sys, tradecover.financing; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sqlalchemy', 'fastapi', 'starlette', 'alembic', 'jinja2'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
