"""Pins the coinsurance context's public face, and that importing it loads no adapter."""

from __future__ import annotations

import subprocess
import sys

import tradecover.coinsurance as face


def test_public_names_are_pinned() -> None:
    assert sorted(face.__all__) == [
        "ApprovalState",
        "CoinsuranceInvalid",
        "FollowerAnswer",
        "FollowerApprovalMissing",
        "HUNDRED",
        "POOL_SIDE",
        "Part",
        "ParticipantRole",
        "Participation",
        "SHARE_QUANTUM",
        "SOURCE_CLAIM",
        "SOURCE_NOTICE",
        "SOURCE_RECOVERY",
        "Split",
        "StatementLine",
        "allocate",
        "allocation_entry",
        "answer_claim",
        "claim_approval_threshold",
        "claim_approvals",
        "effective_on",
        "ensure_claim_approved",
        "guard_participations",
        "insurer_party",
        "limit_participations",
        "limit_shares_of",
        "needs_follower_approval",
        "participations",
        "request_claim_approvals",
        "set_claim_approval_threshold",
        "set_limit_participations",
        "set_participations",
        "shares_for",
        "shares_of",
        "single_limit",
        "split_minor",
        "split_money",
        "statement",
        "validate",
    ]
    assert all(getattr(face, name) is not None for name in face.__all__)


def test_the_face_loads_neither_the_database_nor_the_web_until_used() -> None:
    code = (
        "import sys, tradecover.coinsurance; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sqlalchemy', 'fastapi', 'starlette', 'alembic', 'jinja2'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
