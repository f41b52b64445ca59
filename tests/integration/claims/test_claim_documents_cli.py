"""``tradecover claims documents list|review`` on the test database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tests.conftest import Cast, Database
from tests.integration.claims.conftest import Book, counts
from tests.integration.claims.documents import LIMITS, PDF, MemoryStore
from tests.integration.claims.test_claim_documents import _claim
from tradecover.access import service as access
from tradecover.claims.documents import service as documents
from tradecover.claims.documents.checklist import DocumentKind
from tradecover.claims.documents.model import ClaimDocumentRow
from tradecover.cli.main import app
from tradecover.config import get_settings
from tradecover.db.engine import transaction


@pytest.fixture
def cli(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_list_and_review_a_claim_s_documents(
    cli: CliRunner, db: Database, cast: Cast, book: Book
) -> None:
    cid = _claim(db, cast, book)
    with transaction(db.factory) as s:
        exporter = access.principal_from_api_key(s, cast.exporter.headers["X-API-Key"])
        doc = documents.upload(
            s,
            principal=exporter,
            store=MemoryStore(),
            claim_id=cid,
            kind=DocumentKind.PROOF_OF_DEFAULT,
            filename="statement.pdf",
            data=PDF,
            declared_type="application/pdf",
            limits=LIMITS,
            written=[],
        ).id
    listed = cli.invoke(app, ["claims", "documents", "list", str(cid)])
    assert listed.exit_code == 0, listed.output
    assert f"claim {cid} (protracted_default): documents incomplete" in listed.output
    assert "proof_of_default" in listed.output and "statement.pdf" in listed.output
    before = counts(db)
    bad = cli.invoke(
        app, ["claims", "documents", "review", str(cid), str(doc), "--decision", "perhaps"]
    )
    assert bad.exit_code == 4, bad.output
    unknown = cli.invoke(
        app, ["claims", "documents", "review", str(cid), "999999", "--decision", "accepted"]
    )
    assert unknown.exit_code == 3, unknown.output
    assert counts(db) == before
    done = cli.invoke(
        app,
        [
            "claims",
            "documents",
            "review",
            str(cid),
            str(doc),
            "--decision",
            "missing",
            "--note",
            "not signed",
        ],
    )
    assert done.exit_code == 0, done.output
    assert f"document {doc} of claim {cid}: missing" in done.output
    with db.factory() as s:
        row = s.execute(select(ClaimDocumentRow)).scalar_one()
    assert (row.status, row.review_note) == ("missing", "not signed")
    assert row.reviewed_by is not None and row.reviewed_by.startswith("system")
