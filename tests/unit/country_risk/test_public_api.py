"""Pins the public face of ``tradecover.country_risk``: what other contexts may call."""

from __future__ import annotations

import subprocess
import sys
from types import ModuleType

import tradecover.country_risk as face


def test_public_names_are_pinned() -> None:
    assert sorted(face.__all__) == sorted(
        [
            "CountryRisk",
            "CoverStatus",
            "current",
            "current_all",
        ]
    )


def test_every_public_name_resolves_to_what_it_names() -> None:
    for name in face.__all__:  # the first look loads the lazy names' modules
        assert getattr(face, name) is not None, name
    for name in face.__all__:  # a submodule of the same name would now hide it
        assert not isinstance(getattr(face, name), ModuleType), name


def test_the_package_loads_neither_the_database_nor_the_web() -> None:
    code = (
        "import sys, tradecover.country_risk; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sqlalchemy', 'fastapi', 'starlette', 'alembic', 'jinja2'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
