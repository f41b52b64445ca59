"""Every dashboard form refuses unsafe text: a NUL or a right-to-left override in any text
field answers 422 with the error page naming the field, and nothing is written.

The forms are enumerated from the app's routes, so a form added later is covered (or this
test fails because it cannot fill it).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import Database, make_person, sign_in
from tradecover.access.roles import Role
from tradecover.db.base import Base
from tradecover.db.engine import transaction

UNSAFE = {"nul": "a\x00b", "rlo": "a\u202eb"}


def _routes(routes: list[Any]) -> list[APIRoute]:
    out: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            out.append(route)
        elif hasattr(route, "original_router"):  # an included router
            out += _routes(route.original_router.routes)
    return out


def _dashboard_forms(app: Any) -> list[tuple[str, list[str], list[str]]]:
    """(path, text fields, file fields) of every dashboard POST route that takes a form."""
    forms = []
    for route in _routes(app.routes):
        if "POST" not in (route.methods or set()):
            continue
        if route.path.startswith("/api/"):
            continue
        fields = route.dependant.body_params
        files = [p.alias for p in fields if "UploadFile" in repr(p.field_info.annotation)]
        texts = [p.alias for p in fields if p.alias not in files]
        if texts or files:
            forms.append((route.path, texts, files))
    return forms


def _rows(db: Database) -> dict[str, int]:
    with transaction(db.factory) as s:
        return {
            table.name: int(s.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_the_enumeration_finds_the_dashboard_forms(app_client: TestClient) -> None:
    paths = {path for path, _, _ in _dashboard_forms(app_client.app)}
    assert {
        "/sign-in",
        "/language",
        "/declarations",
        "/declarations/upload",
        "/overdue/notices",
        "/claims/{claim_id}/reject",
        "/limits/bulk",
        "/recoveries",
        "/pricing/quote/investment-debt",
        "/risk/runs",
    } <= paths
    assert len(paths) >= 20


@pytest.mark.parametrize("unsafe", sorted(UNSAFE))
def test_every_form_text_field_refuses_unsafe_text_with_the_error_page(
    app_client: TestClient, db: Database, unsafe: str
) -> None:
    admin = make_person(db, "insurer", Role.ADMIN, "forms.admin@insurer.example")
    sign_in(app_client, admin)
    before = _rows(db)
    checked = 0
    for path, texts, files in _dashboard_forms(app_client.app):
        for field in texts:
            data = dict.fromkeys(texts, "1") | {field: UNSAFE[unsafe]}
            upload = dict.fromkeys(files, ("book.csv", b"x\n", "text/csv")) or None
            answer = app_client.post(
                _concrete(path), data=data, files=upload, follow_redirects=False
            )
            where = f"{path} {field}"
            assert answer.status_code == 422, where
            assert answer.headers["content-type"].startswith("text/html"), where
            assert f"<code>{field}</code>" in answer.text, where
            checked += 1
        for field in files:  # a client sends a NUL in a file name as %00: only the override
            answer = app_client.post(
                _concrete(path),
                data=dict.fromkeys(texts, "1"),
                files={field: (f"book{UNSAFE['rlo']}.csv", b"x\n", "text/csv")},
                follow_redirects=False,
            )
            assert answer.status_code == 422, f"{path} {field}"
            assert f"<code>{field}.filename</code>" in answer.text, f"{path} {field}"
            checked += 1
    assert checked >= 40
    assert _rows(db) == before
