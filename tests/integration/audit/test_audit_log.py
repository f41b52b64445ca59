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
            audit.record(
                s,
                org_id=org_id,
                actor="user:1",
                action="test.changed",
                entity_type="thing",
                entity_id=i,
                reason=f"step {i}",
                before={"n": i},
                after={"n": i + 1},
            )
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
        return int(
            conn.execute(
                text("SELECT id FROM audit_entries WHERE org_id=:o AND seq=:s"),
                {"o": org_id, "s": seq},
            ).scalar_one()
        )


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
    _bypass_append_only(db, "UPDATE audit_entries SET reason = 'rewritten' WHERE id = :i", i=target)
    with transaction(db.factory) as s:
        (found,) = audit.verify_all(s)
    assert (found.org_id, found.seq, found.entry_id, found.problem) == (
        org_id,
        3,
        target,
        "changed",
    )


def test_removed_entry_is_named(db: Database) -> None:
    org_id = _seed(db)
    _bypass_append_only(db, "DELETE FROM audit_entries WHERE id = :i", i=_entry_id(db, org_id, 2))
    with transaction(db.factory) as s:
        (found,) = audit.verify_all(s)
    assert (found.seq, found.problem) == (2, "missing")


def test_reordered_entries_are_named(db: Database) -> None:
    org_id = _seed(db)
    second, fourth = _entry_id(db, org_id, 2), _entry_id(db, org_id, 4)
    _bypass_append_only(
        db,
        "UPDATE audit_entries SET seq = -1 WHERE id = :a",
        "UPDATE audit_entries SET seq = 2 WHERE id = :b",
        "UPDATE audit_entries SET seq = 4 WHERE id = :a",
        a=second,
        b=fourth,
    )
    with transaction(db.factory) as s:
        (found,) = audit.verify_all(s)
    assert (found.seq, found.entry_id, found.problem) == (2, second, "reordered")


def test_chains_are_per_organisation(db: Database) -> None:
    first = _seed(db)
    with transaction(db.factory) as s:
        other = make_org(s, slug="second-bank", kind=OrganisationKind.BANK)
        entry = audit.record(
            s, org_id=other, actor="user:2", action="x", entity_type="t", entity_id=1
        )
    assert entry.seq == 2  # 1 is the organisation's own creation entry
    with transaction(db.factory) as s:
        assert audit.verify_all(s) == []
        assert [
            e.seq for e in audit.history(s, entity_type="thing", entity_id=0, org_id=first)
        ] == [2]


def test_cli_verify_names_the_tampered_entry(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
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
    _bypass_append_only(db, "UPDATE audit_entries SET actor = 'user:666' WHERE id = :i", i=target)
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
    result = CliRunner().invoke(
        app,
        ["audit", "log", "--org", "audited-exporter", "--entity", "thing", "--limit", "2"],
        env={"COLUMNS": "200"},
    )
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "step 4" in result.output
    assert "step 3" in result.output
    assert "step 2" not in result.output


def _sharded(db: Database) -> tuple[int, dict[int, list[int]]]:
    """An organisation with entries on chains 0, 3 and 5 (appended set-based): chain ->
    entry ids in position order."""
    with transaction(db.factory) as s:
        org_id = make_org(s, slug="sharded-exporter")
        for round_ in range(3):
            audit.append_many(
                s,
                [
                    (
                        chain,
                        audit.Pending(
                            org_id=org_id,
                            actor="apikey:1",
                            action="declaration.attached",
                            entity_type="declaration",
                            entity_id=f"{chain}-{round_}",
                            after={"n": round_},
                        ),
                    )
                    for chain in (5, 3, 3)
                ],
            )
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT chain, seq, id FROM audit_entries WHERE org_id = :o "
                "AND chain > 0 ORDER BY chain, seq"
            ),
            {"o": org_id},
        ).all()
    ids: dict[int, list[int]] = {}
    for chain, seq, entry_id in rows:
        assert seq == len(ids.setdefault(chain, [])) + 1  # gap-free positions per chain
        ids[chain].append(entry_id)
    return org_id, ids


def test_sharded_chains_verify_and_name_their_first_bad_entry(db: Database) -> None:
    org_id, ids = _sharded(db)
    assert {c: len(v) for c, v in ids.items()} == {3: 6, 5: 3}
    with transaction(db.factory) as s:
        assert audit.verify_all(s) == []
    target = ids[3][2]
    _bypass_append_only(
        db,
        "UPDATE audit_entries SET after = '{\"n\": 9}' WHERE id = :i",
        "DELETE FROM audit_entries WHERE id = :j",
        i=target,
        j=ids[5][2],
    )
    with transaction(db.factory) as s:
        found = audit.verify_all(s)
    assert [(b.org_id, b.chain, b.seq, b.entry_id, b.problem) for b in found] == [
        (org_id, 3, 3, target, "changed"),
        (org_id, 5, 3, None, "truncated"),
    ]
    assert found[0].describe() == (
        f"organisation {org_id} chain 3: entry id {target} at position 3 was changed"
    )


def test_an_entry_moved_between_chains_is_named(db: Database) -> None:
    _org_id, ids = _sharded(db)
    moved = ids[5][0]
    _bypass_append_only(db, "UPDATE audit_entries SET chain = 3, seq = 7 WHERE id = :i", i=moved)
    with transaction(db.factory) as s:
        found = {(b.chain, b.seq, b.problem) for b in audit.verify_all(s)}
    assert found == {(3, 3, "reordered"), (5, 1, "missing")}  # 3: the intruder is out of place


def test_concurrent_writers_keep_every_chain_gap_free(db: Database) -> None:
    import threading

    with transaction(db.factory) as s:
        org_id = make_org(s, slug="busy-exporter")
    barrier = threading.Barrier(8)
    failures: list[str] = []

    def writer(n: int) -> None:
        barrier.wait()
        for i in range(10):
            try:
                with transaction(db.factory) as s:
                    audit.append_many(
                        s,
                        [
                            (
                                1 + (n + k) % 3,
                                audit.Pending(
                                    org_id=org_id,
                                    actor=f"apikey:{n}",
                                    action="declaration.attached",
                                    entity_type="declaration",
                                    entity_id=f"{n}-{i}-{k}",
                                ),
                            )
                            for k in range(2)
                        ],
                    )
            except Exception as exc:  # a deadlock would land here
                failures.append(repr(exc)[:300])

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    with transaction(db.factory) as s:
        assert audit.verify_all(s) == []
    with db.engine.connect() as conn:
        per_chain = conn.execute(
            text(
                "SELECT chain, COUNT(*), MAX(seq) FROM audit_entries WHERE org_id = :o "
                "AND chain > 0 GROUP BY chain ORDER BY chain"
            ),
            {"o": org_id},
        ).all()
    assert sum(n for _c, n, _m in per_chain) == 160
    assert all(n == top for _c, n, top in per_chain)
