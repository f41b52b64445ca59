"""The exporter confirms one invoice's collection on its overdue page: in part, in full or
unpaid, through the same service as the API and the upload; a refused form answers its
4xx with the reason on the page and writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import Cast, Database, make_person, sign_in
from tests.integration.claims.conftest import AFTER_DUE, Book, counts
from tradecover.access.roles import Role
from tradecover.collections.model import CollectionConfirmation, PossibleLossNotice
from tradecover.declarations.model import Declaration


@pytest.fixture(autouse=True)
def _after_due(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pages see the day ten days after both invoices fell due."""
    monkeypatch.setattr("tradecover.web.claims.overdue_pages.business_today", lambda: AFTER_DUE)


def _collected(db: Database, declaration_id: int) -> int:
    with db.factory() as s:
        row = s.get(Declaration, declaration_id)
        assert row is not None
        return row.collected_minor


def _available(client: TestClient, cast: Cast, limit_id: int) -> str:
    answer = client.get(f"/api/v1/limits/{limit_id}/utilisation", headers=cast.exporter.headers)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["available"]["amount"])


@pytest.mark.parametrize(
    ("form", "status", "code"),
    [
        ({"outcome": "boredom"}, 422, "invalid_form"),
        ({"outcome": "paid_in_part", "paid_on": AFTER_DUE.isoformat()}, 422, "amount_not_positive"),
        (
            {"outcome": "paid_in_part", "amount": "ten", "paid_on": AFTER_DUE.isoformat()},
            422,
            "invalid_form",
        ),
        (
            {"outcome": "paid_in_part", "amount": "30000.01", "paid_on": AFTER_DUE.isoformat()},
            422,
            "collection_exceeds_invoice",
        ),
        (
            {"outcome": "paid_in_part", "amount": "100.001", "paid_on": AFTER_DUE.isoformat()},
            422,
            "too_many_decimals",
        ),
        ({"outcome": "paid_in_part", "amount": "100"}, 422, "paid_on_required"),
        (
            {"outcome": "paid_in_full", "paid_on": (AFTER_DUE + timedelta(days=1)).isoformat()},
            422,
            "paid_on_in_future",
        ),
        ({"outcome": "paid_in_full", "paid_on": "yesterday"}, 422, "invalid_form"),
        ({"outcome": "unpaid", "amount": "5"}, 422, "amount_not_zero"),
    ],
)
def test_a_bad_confirmation_is_refused_on_the_page_and_writes_nothing(
    app_client: TestClient, db: Database, book: Book, form: dict[str, str], status: int, code: str
) -> None:
    first = book.declarations[0]
    sign_in(app_client, make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example"))
    before = counts(db)
    answer = app_client.post("/overdue/collections", data={"declaration_id": str(first), **form})
    assert answer.status_code == status, answer.text
    assert 'data-testid="problem"' in answer.text and code in answer.text
    assert f'data-testid="collection-form-{first}"' in answer.text  # the page, re-rendered
    assert counts(db) == before and _collected(db, first) == 0


def test_another_exporter_and_insurer_staff_cannot_confirm(
    app_client: TestClient, db: Database, book: Book
) -> None:
    first = book.declarations[0]
    sign_in(app_client, make_person(db, "other-exports", Role.EXPORTER, "kim@other.example"))
    before = counts(db)
    page = app_client.get("/overdue")
    assert 'data-testid="collection-form-' not in page.text
    foreign = app_client.post(
        "/overdue/collections",
        data={
            "declaration_id": str(first),
            "outcome": "paid_in_full",
            "paid_on": AFTER_DUE.isoformat(),
        },
    )
    assert foreign.status_code == 404 and "not found" in foreign.text
    assert "30,000.00" not in foreign.text
    assert counts(db) == before
    sign_in(app_client, make_person(db, "insurer", Role.CLAIMS_HANDLER, "hana@insurer.example"))
    before = counts(db)
    staff = app_client.post(
        "/overdue/collections", data={"declaration_id": str(first), "outcome": "unpaid"}
    )
    assert staff.status_code == 403, staff.text
    assert counts(db) == before and _collected(db, first) == 0


def test_the_exporter_confirms_in_part_then_in_full_and_the_limit_is_freed(
    app_client: TestClient, db: Database, cast: Cast, book: Book
) -> None:
    first, second = book.declarations
    sign_in(app_client, make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example"))
    page = app_client.get("/overdue")
    assert page.status_code == 200
    assert f'data-testid="collection-form-{first}"' in page.text
    assert 'action="/overdue/collections"' in page.text
    assert _available(app_client, cast, book.limit_id) == "0.00"  # 40,000 for 60,000 shipped

    part = app_client.post(
        "/overdue/collections",
        data={
            "declaration_id": str(first),
            "outcome": "paid_in_part",
            "amount": "10000",
            "paid_on": AFTER_DUE.isoformat(),
        },
    )
    assert part.status_code == 200, part.text
    assert 'data-testid="done"' in part.text and "Collection confirmed" in part.text
    assert _collected(db, first) == 1_000_000
    assert "20,000.00" in part.text  # what is still outstanding on the first invoice
    assert _available(app_client, cast, book.limit_id) == "10000.00"  # the payment freed

    unpaid = app_client.post(
        "/overdue/collections", data={"declaration_id": str(second), "outcome": "unpaid"}
    )
    assert unpaid.status_code == 200, unpaid.text
    notice = app_client.post(
        "/overdue/notices", data={"declaration_id": str(first), "cause": "protracted_default"}
    )
    assert notice.status_code == 200, notice.text

    full = app_client.post(
        "/overdue/collections",
        data={
            "declaration_id": str(first),
            "outcome": "paid_in_full",
            "paid_on": AFTER_DUE.isoformat(),
        },
    )
    assert full.status_code == 200, full.text
    assert _collected(db, first) == 3_000_000
    assert f'data-testid="collection-form-{first}"' not in full.text  # no longer overdue
    with db.factory() as s:
        rows = [
            (c.declaration_id, c.outcome, c.amount_minor, c.paid_on)
            for c in s.execute(
                select(CollectionConfirmation).order_by(CollectionConfirmation.id)
            ).scalars()
        ]
        withdrawn = s.execute(select(PossibleLossNotice.status)).scalar_one()
    assert rows == [
        (first, "paid_in_part", 1_000_000, AFTER_DUE),
        (second, "unpaid", 0, None),
        (first, "paid_in_full", 2_000_000, AFTER_DUE),
    ]
    assert withdrawn == "withdrawn"  # paid in full: the buyer is no longer in default
    # the second invoice alone is on the 40,000 limit now, for the 10,000 it was covered
    # for at its shipment (the first took 30,000)
    assert _available(app_client, cast, book.limit_id) == "30000.00"
    # a second payment in full is more than is outstanding: refused, nothing written
    before = counts(db)
    again = app_client.post(
        "/overdue/collections",
        data={
            "declaration_id": str(first),
            "outcome": "paid_in_full",
            "paid_on": AFTER_DUE.isoformat(),
        },
    )
    assert again.status_code == 422 and "collection_exceeds_invoice" in again.text
    assert counts(db) == before


def test_the_form_speaks_the_reader_s_language(
    app_client: TestClient, db: Database, book: Book
) -> None:
    sign_in(app_client, make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example"))
    for code, words in (
        ("zh_Hans", ("确认收汇", "全额付款", "部分付款", "未付款")),
        ("zh_Hant", ("確認收匯", "全額付款", "部分付款", "未付款")),
        ("ko", ("수금 확인", "전액 지급", "일부 지급", "미지급")),
    ):
        chosen = app_client.post(
            "/language", data={"locale": code, "next": "/overdue"}, follow_redirects=False
        )
        assert chosen.status_code == 303, chosen.text
        page = app_client.get("/overdue")
        assert page.status_code == 200
        for word in words:
            assert word in page.text, (code, word)
