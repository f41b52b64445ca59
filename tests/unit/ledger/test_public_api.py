"""Pins the ledger context's public face, and that importing it loads no adapter."""

from __future__ import annotations

import subprocess
import sys

import tradecover.ledger as face


def test_public_names_are_pinned() -> None:
    assert sorted(face.__all__) == [
        "Account",
        "AccountKind",
        "BalanceRow",
        "InvestmentDebtBooks",
        "JournalEntry",
        "JournalLine",
        "Side",
        "TrialBalance",
        "UnbalancedEntry",
        "balances",
        "claim_approved",
        "claim_paid",
        "credit_applied",
        "exporter_party",
        "indemnity_approved",
        "indemnity_paid",
        "insert_rows",
        "party_balances",
        "payment_received",
        "period_billed",
        "period_paid",
        "post",
        "premium_billed",
        "programme_party",
        "reconcile_investment_debt",
        "recovery_received",
        "reverse",
        "trial_balance",
    ]
    assert all(getattr(face, name) is not None for name in face.__all__)


def test_the_face_loads_neither_the_database_nor_the_web_until_used() -> None:
    code = (
        "import sys, tradecover.ledger; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sqlalchemy', 'fastapi', 'starlette', 'alembic', 'jinja2'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
