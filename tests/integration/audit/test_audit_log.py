"""Tampering with the stored audit log is detected and the first bad entry named."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from tests.conftest import Database, make_org
from tradecover.access.roles import OrganisationKind
from tradecover.audit import service as audit
from tradecover.db.engine import transaction


def _seed(db: Database) -> int:
    with transaction(db.factory) as s:
        org_id = make_org(s, slug="audited-exporter")
        for i in range(5):
            audit.record(s, org_id=org_id, actor="user:1", action="test.changed",
                         entity_type="thing", entity_id=i, reason=f"step {i}",
                         before={"n": i}, after={"n": i + 1})
        return org_id


def _bypass_append_only(db: Database, *statements: str, **params: object) -> None:
    """Tamper as an attacker with direct database access would (triggers off)."""
    with db.engine.begin() as conn:
        if db.backend == "postgresql":
            conn.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER tc_audit_entries_no_update"))
            conn.execute(text("DROP TRIGGER tc_audit_entries_no_delete"))
        for sql in statements:
            conn.execute(text(sql), params)
        if db.backend == "postgresql":
            conn.execute(text("ALTER TABLE audit_entries ENABLE TRIGGER USER"))


def _entry_id(db: Database, org_id: int, seq: int) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text("SELECT id FROM audit_entries WHERE org_id=:o AND seq=:s"),
                                {"o": org_id, "s": seq}).scalar_one())


def test_untouched_log_verifies(db: Database) -> None:
    _seed(db)
    with transaction(db.factory) as s:
        assert audit.verify_all(s) == []


def test_database_refuses_updates_and_deletes(db: Database) -> None:
    _seed(db)
    for sql in ("UPDATE audit_entries SET reason = 'x'", "DELETE FROM audit_entries"):
        with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(sql))


def test_changed_entry_is_named(db: Database) -> None:
    org_id = _seed(db)
    target = _entry_id(db, org_id, 3)
    _bypass_append_only(db, "UPDATE audit_entries SET reason = 'rewritten' WHERE id = :i",
                        i=target)
    with transaction(db.factory) as s:
        (found,) = audit.verify_all(s)
    assert (found.org_id, found.seq, found.entry_id, found.problem) == (
        org_id, 3, target, "changed")


def test_removed_entry_is_named(db: Database) -> None:
    org_id = _seed(db)
    _bypass_append_only(db, "DELETE FROM audit_entries WHERE id = :i",
                        i=_entry_id(db, org_id, 2))
    with transaction(db.factory) as s:
        (found,) = audit.verify_all(s)
    assert (found.seq, found.problem) == (2, "missing")


def test_reordered_entries_are_named(db: Database) -> None:
    org_id = _seed(db)
    second, fourth = _entry_id(db, org_id, 2), _entry_id(db, org_id, 4)
    _bypass_append_only(
        db, "UPDATE audit_entries SET seq = -1 WHERE id = :a",
        "UPDATE audit_entries SET seq = 2 WHERE id = :b",
        "UPDATE audit_entries SET seq = 4 WHERE id = :a", a=second, b=fourth)
    with transaction(db.factory) as s:
        (found,) = audit.verify_all(s)
    assert (found.seq, found.entry_id, found.problem) == (2, second, "reordered")


def test_chains_are_per_organisation(db: Database) -> None:
    first = _seed(db)
    with transaction(db.factory) as s:
        other = make_org(s, slug="second-bank", kind=OrganisationKind.BANK)
        entry = audit.record(s, org_id=other, actor="user:2", action="x", entity_type="t",
                             entity_id=1)
    assert entry.seq == 2  # 1 is the organisation's own creation entry
    with transaction(db.factory) as s:
        assert audit.verify_all(s) == []
        assert [e.seq for e in audit.history(s, entity_type="thing", entity_id=0,
                                             org_id=first)] == [2]


def test_cli_verify_names_the_tampered_entry(db: Database, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    from tradecover.cli.main import app
    from tradecover.config import get_settings

    org_id = _seed(db)
    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    get_settings.cache_clear()
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "intact" in ok.output
    target = _entry_id(db, org_id, 4)
    _bypass_append_only(db, "UPDATE audit_entries SET actor = 'user:666' WHERE id = :i",
                        i=target)
    bad = runner.invoke(app, ["audit", "verify"])
    get_settings.cache_clear()
    assert bad.exit_code == 8
    assert f"entry id {target} at position 4 was changed" in bad.output


def test_cli_log_shows_who_did_what(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    from tradecover.cli.main import app
    from tradecover.config import get_settings

    _seed(db)
    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["audit", "log", "--org", "audited-exporter",
                                      "--entity", "thing", "--limit", "2"],
                                env={"COLUMNS": "200"})
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "step 4" in result.output
    assert "step 3" in result.output
    assert "step 2" not in result.output
