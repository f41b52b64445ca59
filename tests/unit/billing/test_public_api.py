"""Pins the billing context's public face, and that importing it loads no adapter."""

from __future__ import annotations

import subprocess
import sys

import tradecover.billing as face


def test_public_names_are_pinned() -> None:
    assert sorted(face.__all__) == [
        "AgeingBucket",
        "BILLED_BY",
        "BillableDeclaration",
        "BillingTerms",
        "DEFAULT_TERMS",
        "DeclarationPremium",
        "FlatRatePricer",
        "NoticeDue",
        "NoticeLine",
        "OpenItem",
        "PAYER_EXPORTER",
        "PAYER_PROGRAMME",
        "PaymentAllocation",
        "PremiumNotice",
        "RateSource",
        "SuspensionCheck",
        "age_arrears",
        "ageing",
        "ageing_bucket",
        "allocate_payment",
        "allocations_of",
        "apply_credits",
        "arrears_job",
        "bill_batch",
        "build_notice",
        "credit_balances",
        "declaration_premium",
        "get_notice",
        "get_run",
        "list_notices",
        "list_payments",
        "month_bounds",
        "month_end",
        "month_start",
        "notice_count",
        "notice_exporter",
        "notice_for_declaration",
        "notice_pdf_of",
        "notices_due",
        "payer_of",
        "premium_of",
        "premium_paid_for_declaration",
        "programme_unpaid_grants",
        "reconcile_notice",
        "reconciliation_problems",
        "record_payment",
        "run_month",
        "shipments_at_risk",
        "start_run",
        "subsidy_statement_pdf_of",
        "suspension_check",
        "terms_of",
    ]
    assert all(getattr(face, name) is not None for name in face.__all__)


def test_the_face_loads_neither_the_database_nor_the_web_until_used() -> None:
    code = (
        "import sys, tradecover.billing; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sqlalchemy', 'fastapi', 'starlette', 'alembic', 'jinja2'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
