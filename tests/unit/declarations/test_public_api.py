"""Pins the public face of ``tradecover.declarations``: what other contexts may call."""

from __future__ import annotations

import subprocess
import sys
from types import ModuleType

import tradecover.declarations as face


def test_public_names_are_pinned() -> None:
    assert sorted(face.__all__) == sorted(
        [
            "AttachmentStore",
            "CountryCoverStatus",
            "CoverDecision",
            "CoverReason",
            "CoverStatus",
            "DEFAULT_RULES",
            "DeadlineRules",
            "Declaration",
            "DeclarationPeriod",
            "DeclarationTiming",
            "ItemProblem",
            "LimitFacts",
            "LimitStatus",
            "MAX_UPLOAD_BYTES",
            "OpenReceivable",
            "PolicyFacts",
            "Shipment",
            "TransportMode",
            "TurnoverMonth",
            "UploadReportOut",
            "WholeTurnoverReview",
            "active_declaration",
            "active_declaration_id",
            "active_declarations",
            "attach",
            "attach_many",
            "attach_upload",
            "buyers_declared_to",
            "cancel",
            "correct",
            "correct_many",
            "latest_of",
            "check_shipment",
            "compliance_rate",
            "decide_cover",
            "declaration_due_date",
            "declaration_period",
            "declaration_timing",
            "declarations_by_id",
            "declared_share_of_turnover",
            "months_of_shipments",
            "open_receivables",
            "outstanding_by_limit",
            "register_upload_deferrer",
            "periods_due_between",
            "policy_facts",
            "pro_rata_turnover",
            "read_rows",
            "record_collected",
            "record_collected_many",
            "release_reservation",
            "release_reservations",
            "shipment_problems",
            "submit_turnover_return",
        ]
    )


def test_every_public_name_resolves_to_what_it_names() -> None:
    for name in face.__all__:  # the first look loads the lazy names' modules
        assert getattr(face, name) is not None, name
    for name in face.__all__:  # a submodule of the same name would now hide it
        assert not isinstance(getattr(face, name), ModuleType), name


def test_the_package_loads_neither_the_database_nor_the_web() -> None:
    code = (
        "import sys, tradecover.declarations; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sqlalchemy', 'fastapi', 'starlette', 'alembic', 'jinja2'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
