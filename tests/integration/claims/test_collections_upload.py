"""Collection confirmation by upload: the API route and the page form, with the row report;
a refused row or file writes nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Actor, Cast, Database, make_user_actor
from tests.integration.claims.conftest import TODAY, Book, counts
from tradecover.access.roles import Role
from tradecover.collections.model import CollectionConfirmation
from tradecover.db.engine import transaction
from tradecover.declarations.model import Declaration

PASSWORD = "correct horse battery"


def _csv(*rows: str) -> bytes:
    return ("invoice_number,buyer_id,amount_paid,paid_on\n" + "\n".join(rows) + "\n").encode()


def _collected(db: Database, book: Book) -> tuple[int, int]:
    with db.factory() as s:
        first, second = (s.get(Declaration, d) for d in book.declarations)
        assert first is not None and second is not None
        return first.collected_minor, second.collected_minor


def test_the_api_confirms_each_row_on_its_own(
    app_client: TestClient, cast: Cast, db: Database, book: Book
) -> None:
    day = TODAY.isoformat()
    data = _csv(
        f"INV-1,{book.buyer_id},10000.00,{day}",
        f"INV-2,{book.buyer_id},40000,{day}",
        f"INV-9,{book.buyer_id},1,{day}",
        f"INV-2,abc,1,{day}",
        f"INV-2,{book.buyer_id},0,{day}",
    )
    answer = app_client.post(
        "/api/v1/collections/uploads",
        headers=cast.exporter.headers,
        files={"file": ("paid.csv", data, "text/csv")},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["rows"], body["accepted"], body["rejected"]) == (5, 2, 3)
    report = body["report"]
    assert report[0]["confirmation"]["outcome"] == "paid_in_part"
    assert report[0]["confirmation"]["amount"] == {"amount": "10000.00", "currency": "USD"}
    assert [r["problem"]["code"] if r["problem"] else None for r in report] == [
        None,
        "collection_exceeds_invoice",
        "invoice_not_found",
        "malformed_row",
        None,
    ]
    assert report[3]["problem"]["field"] == "buyer_id"
    assert report[4]["confirmation"]["outcome"] == "unpaid"
    assert _collected(db, book) == (1_000_000, 0)
    with db.factory() as s:
        assert s.query(CollectionConfirmation).count() == 2

    before = counts(db)
    foreign = app_client.post(
        "/api/v1/collections/uploads",
        headers=cast.other_exporter.headers,
        files={"file": ("paid.csv", _csv(f"INV-1,{book.buyer_id},100,{day}"), "text/csv")},
    )
    assert foreign.status_code == 200
    assert foreign.json()["report"][0]["problem"]["code"] == "invoice_not_found"
    refused = app_client.post(
        "/api/v1/collections/uploads",
        headers=cast.bank.headers,
        files={"file": ("paid.csv", _csv(f"INV-1,{book.buyer_id},100,{day}"), "text/csv")},
    )
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert counts(db) == before and _collected(db, book) == (1_000_000, 0)


def _sign_in(client: TestClient, db: Database) -> Actor:
    with transaction(db.factory) as s:
        actor = make_user_actor(
            s,
            org_slug="acme-exports",
            role=Role.EXPORTER,
            email="li.wei@acme.example",
            password=PASSWORD,
        )
    client.cookies.clear()
    answer = client.post(
        "/sign-in", data={"email": actor.email, "password": PASSWORD}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    return actor


def test_the_upload_page(app_client: TestClient, db: Database, book: Book) -> None:
    _sign_in(app_client, db)
    form = app_client.get("/collections/upload")
    assert form.status_code == 200 and 'data-testid="upload-form"' in form.text
    before = counts(db)
    bad = app_client.post(
        "/collections/upload", files={"file": ("paid.csv", b"\xff\xfe\x00bad", "text/csv")}
    )
    assert bad.status_code == 422 and "unreadable_upload" in bad.text
    assert counts(db) == before
    done = app_client.post(
        "/collections/upload",
        files={
            "file": (
                "paid.csv",
                _csv(f"INV-2,{book.buyer_id},30000,{TODAY.isoformat()}"),
                "text/csv",
            )
        },
    )
    assert done.status_code == 200, done.text
    assert "paid_in_full · 30000.00 USD" in done.text
    assert _collected(db, book) == (0, 3_000_000)
