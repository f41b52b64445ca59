"""Pins the access context's public face, and that importing it loads no adapter."""

from __future__ import annotations

import subprocess
import sys

import tradecover.access as face


def test_public_names_are_pinned() -> None:
    assert sorted(face.__all__) == [
        "API_KEY_LOOKUP",
        "KEY_ROW_VALUE_SQL",
        "KnownApiKeys",
        "OrganisationFacts",
        "OrganisationKind",
        "PERMISSIONS",
        "Permission",
        "Principal",
        "Role",
        "active_people_of",
        "api_key_rows",
        "check_role_for_kind",
        "count_organisations",
        "create_api_key",
        "create_organisation",
        "create_user",
        "has_user",
        "insurer",
        "key_row_parameters",
        "list_organisations",
        "org_by_slug",
        "organisation_ids_like",
        "organisation_of",
        "organisations_by_slug",
        "organisations_of",
        "principal_of_key_rows",
        "require",
        "revoke_api_key",
        "system_principal",
    ]
    assert all(getattr(face, name) is not None for name in face.__all__)


def test_the_face_loads_neither_the_database_nor_the_web_until_used() -> None:
    code = (
        "import sys, tradecover.access; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sqlalchemy', 'fastapi', 'starlette', 'alembic', 'jinja2'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
