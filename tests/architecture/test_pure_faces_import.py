"""Importing a context's public face loads neither the database nor the web: checked in a
fresh interpreter (a subprocess, so not a unit test), one per group of pure contexts."""

from __future__ import annotations

import subprocess
import sys

import pytest

ADAPTER_LIBS = ("sqlalchemy", "fastapi", "starlette", "alembic", "jinja2")


@pytest.mark.parametrize(
    "packages",
    [
        ("tradecover.buyers", "tradecover.limits"),
        ("tradecover.claims", "tradecover.collections"),
    ],
)
def test_the_rules_import_neither_the_database_nor_the_web(packages: tuple[str, ...]) -> None:
    code = (
        f"import sys, {', '.join(packages)}; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        f"{set(ADAPTER_LIBS)!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
