"""Pins the market context's public face, and that importing it loads no adapter."""

from __future__ import annotations

import subprocess
import sys

import tradecover.market as face


def test_public_names_are_pinned() -> None:
    assert sorted(face.__all__) == [
        "CAUSES",
        "COMMERCIAL",
        "Carrier",
        "CarrierLimitExceeded",
        "CarrierSplit",
        "Classification",
        "DoubleInsuranceInvalid",
        "MARKETABLE",
        "NON_MARKETABLE",
        "POLITICAL",
        "PolicyInsurers",
        "RISK_CLASSES",
        "Risk",
        "Rule",
        "RuleSet",
        "allocate_to_carriers",
        "check_routing",
        "check_underwriting",
        "classify",
        "classify_destinations",
        "classify_on_submission",
        "parse_rule_set",
        "policy_insurers",
        "refuse_double_insured",
        "shipped_rule_set",
        "split_by_rate",
        "validate_carriers",
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
