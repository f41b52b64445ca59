"""Pins the subsidies context's public face, and that importing it loads no adapter."""

from __future__ import annotations

import subprocess
import sys

import tradecover.subsidies as face


def test_public_names_are_pinned() -> None:
    assert sorted(face.__all__) == [
        "CapKind",
        "EligibilityDecision",
        "EligibilityRule",
        "ExporterFacts",
        "Grant",
        "Programme",
        "Request",
        "ShipmentFacts",
        "SizeTier",
        "Split",
        "SubsidyUsage",
        "Usage",
        "all_programmes",
        "apply_usage",
        "create_programme",
        "decide_eligibility",
        "exporter_decision",
        "exporter_facts",
        "exporters_facts",
        "get_programme",
        "grant",
        "list_programmes",
        "plan_grants",
        "programme_of",
        "programmes_of",
        "readable_programmes",
        "split_premium",
        "subsidise",
        "to_programme",
    ]
    assert all(getattr(face, name) is not None for name in face.__all__)


def test_the_face_loads_neither_the_database_nor_the_web_until_used() -> None:
    code = (
        "import sys, tradecover.subsidies; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sqlalchemy', 'fastapi', 'starlette', 'alembic', 'jinja2'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
