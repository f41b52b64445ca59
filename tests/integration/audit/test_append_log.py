"""The access log's one-round-trip append (``audit.append_log``) [domain CS-8]: the same
gap-free, hash-chained positions as ``append_many``, which the verifier accepts, under
concurrent writers and mixed with the other writers of the same chains; and a read's
relaxed commit only on the read's transaction.
"""

from __future__ import annotations

import threading

from sqlalchemy import text

from tests.conftest import Database, make_org
from tradecover.audit import service as audit
from tradecover.db.engine import transaction


def _pending(org_id: int, n: int, *, after: object = None) -> audit.Pending:
    return audit.Pending(
        org_id=org_id,
        actor="apikey:7",
        action="data.read",
        entity_type="exporter_data",
        entity_id="shipment_core",
        reason="underwriting",
        after=after if after is not None else {"records": {"declarations": [n, n + 1]}},
    )


def test_append_log_chains_like_append_many_and_verifies(db: Database) -> None:
    with transaction(db.factory) as s:
        one = make_org(s, slug="log-exporter-one")
        two = make_org(s, slug="log-exporter-two")
    for round_ in range(3):
        with transaction(db.factory) as s:
            audit.append_log(
                s,
                [
                    (5, _pending(two, round_, after={"quote": 'a "b" \\ é', "n": round_})),
                    (5, _pending(one, round_)),
                    (3, _pending(one, round_)),
                    (5, _pending(one, round_ + 10)),  # two entries on one chain
                ],
                relaxed_commit=True,
            )
        with transaction(db.factory) as s:  # another writer of the same chain between
            audit.append_many(s, [(5, _pending(one, 100 + round_))])
    with transaction(db.factory) as s:
        assert audit.verify_all(s) == []
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT org_id, chain, COUNT(*), MAX(seq), MIN(seq) FROM audit_entries "
                "WHERE org_id IN (:a, :b) AND chain > 0 "
                "GROUP BY org_id, chain ORDER BY org_id, chain"
            ),
            {"a": one, "b": two},
        ).all()
    assert [tuple(r) for r in rows] == [(one, 3, 3, 3, 1), (one, 5, 9, 9, 1), (two, 5, 3, 3, 1)]
    with db.engine.connect() as conn:
        tail = conn.execute(
            text("SELECT last_seq FROM audit_chain_heads WHERE org_id = :o AND chain = 5"),
            {"o": one},
        ).scalar_one()
    assert tail == 9


def test_concurrent_logs_keep_every_chain_gap_free(db: Database) -> None:
    with transaction(db.factory) as s:
        orgs = [make_org(s, slug=f"read-exporter-{n}") for n in range(3)]
    barrier = threading.Barrier(6)
    failures: list[str] = []

    def reader(n: int) -> None:
        barrier.wait()
        for i in range(8):
            try:
                with transaction(db.factory) as s:
                    audit.append_log(
                        s,
                        [(1 + (n % 2), _pending(org, i)) for org in reversed(orgs)],
                        relaxed_commit=True,
                    )
            except Exception as exc:  # a deadlock would land here
                failures.append(repr(exc)[:300])

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    with transaction(db.factory) as s:
        assert audit.verify_all(s) == []
        assert (
            s.execute(
                text("SELECT COUNT(*) FROM audit_entries WHERE action = 'data.read'")
            ).scalar_one()
            == 6 * 8 * 3
        )


def test_the_relaxed_commit_is_the_reads_own(db: Database) -> None:
    if db.backend != "postgresql":
        return  # SQLite has no asynchronous commit to relax
    with transaction(db.factory) as s:
        org_id = make_org(s, slug="relaxed-exporter")
    with transaction(db.factory) as s:
        s.execute(text("SET LOCAL synchronous_commit TO on"))
        audit.append_log(s, [(1, _pending(org_id, 1))], relaxed_commit=True)
        assert s.execute(text("SHOW synchronous_commit")).scalar_one() == "off"
    with transaction(db.factory) as s:
        s.execute(text("SET LOCAL synchronous_commit TO on"))
        audit.append_log(s, [(1, _pending(org_id, 2))])
        assert s.execute(text("SHOW synchronous_commit")).scalar_one() == "on"
