"""Exactly once under faults: worker processes killed mid-stream (SIGKILL) and restarted, and
two worker processes sharing the stream; every document attached once, none lost."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.builders.declarations import World
from tests.conftest import BACKENDS, Cast, Database
from tests.integration.feeds.helpers import (
    declaration_count,
    documents,
    erp_event,
    publish_all,
)
from tradecover.feeds.model import ReceivedDocument
from tradecover.feeds.stream.envelope import Envelope, FeedSource
from tradecover.feeds.stream.nats_stream import StreamSettings

REPOSITORY = Path(__file__).resolve().parents[3]
DOCUMENTS = 200  # enough that a kill after the first few always lands mid-stream

pytestmark = pytest.mark.slow


def _worker(
    db: Database,
    stream: StreamSettings,
    cwd: Path,
    *,
    idle_exit: float | None = None,
    batch: int = 1,
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPOSITORY),
        "TRADECOVER_DATABASE_URL": db.url,
        "TRADECOVER_NATS_URL": ",".join(stream.servers),
        "TRADECOVER_FEEDS_STREAM": stream.stream,
        "TRADECOVER_FEEDS_SUBJECT_PREFIX": stream.prefix,
        "TRADECOVER_FEEDS_CONSUMER": stream.consumer,
        "TRADECOVER_FEEDS_ACK_WAIT_SECONDS": "2",
        "TRADECOVER_FEEDS_MAX_DELIVER": "10",
        "TRADECOVER_SECRET_KEY": "feeds-fault-tests-signing-key-0123456789abcdef",
    }
    command = [
        sys.executable,
        "-c",
        "from tradecover.cli.main import main; main()",
        "feeds",
        "worker",
        "--batch",
        str(batch),
    ]
    if idle_exit is not None:
        command += ["--idle-exit", str(idle_exit)]
    return subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def _row_count(db: Database) -> int:
    with db.factory() as session:
        return int(session.execute(select(func.count(ReceivedDocument.id))).scalar_one())


def _wait_for_rows(
    db: Database,
    at_least: int,
    timeout: float = 120,
    count: Callable[[Database], int] = lambda db: len(documents(db)),
) -> None:
    deadline = time.monotonic() + timeout
    while count(db) < at_least:
        assert time.monotonic() < deadline, "the worker processed too little"
        time.sleep(0.01)


def _finish(process: subprocess.Popen[bytes], timeout: float = 180) -> str:
    output, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, output.decode()
    return output.decode()


def _envelopes(cast: Cast, copies: int = 1, count: int = DOCUMENTS) -> list[Envelope]:
    return [
        Envelope.new(
            source=FeedSource.ERP,
            exporter_org_id=cast.exporter.org_id,
            content=erp_event(f"S{i:03d}"),
        )
        for _copy in range(copies)
        for i in range(count)
    ]


def _attached_exactly_once(db: Database, count: int = DOCUMENTS) -> None:
    rows = documents(db)
    assert Counter(r.document_id for r in rows) == Counter(
        {f"S{i:03d}": 1 for i in range(count)}
    )  # none lost, none twice
    assert {r.status for r in rows} == {"attached"}
    assert len({r.declaration_id for r in rows}) == count
    assert declaration_count(db) == count


def test_a_worker_killed_mid_stream_and_restarted_attaches_every_document_once(
    db: Database, cast: Cast, covered_portfolio: World, stream: StreamSettings, tmp_path: Path
) -> None:
    count = 3 * DOCUMENTS  # a quiet machine drains one stream's worth before the kill lands
    publish_all(stream, _envelopes(cast, count=count))
    first = _worker(db, stream, tmp_path)
    _wait_for_rows(db, 5)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    assert first.returncode == -signal.SIGKILL
    assert len(documents(db)) < count  # it died mid-stream
    second = _worker(db, stream, tmp_path)
    _wait_for_rows(db, len(documents(db)) + 3)
    second.send_signal(signal.SIGKILL)
    second.wait(timeout=30)
    last = _worker(db, stream, tmp_path, idle_exit=4)
    _finish(last)
    _attached_exactly_once(db, count)


@pytest.mark.parametrize("database", [BACKENDS[-1]], indirect=True)  # the production backend
def test_a_batch_worker_killed_five_times_attaches_every_document_once(
    db: Database, cast: Cast, covered_portfolio: World, stream: StreamSettings, tmp_path: Path
) -> None:
    count = 5 * DOCUMENTS  # enough that the fifth kill still lands mid-stream
    publish_all(stream, _envelopes(cast, count=count))
    for _kill in range(5):  # batches of 20 received set-based, SIGKILL mid-stream
        worker = _worker(db, stream, tmp_path, batch=20)
        try:
            _wait_for_rows(db, _row_count(db) + 1, count=_row_count)
        finally:  # a failed wait leaves no worker behind
            worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        assert worker.returncode == -signal.SIGKILL
    assert len(documents(db)) < count  # every kill landed mid-stream
    _finish(_worker(db, stream, tmp_path, idle_exit=4, batch=20))
    _attached_exactly_once(db, count)


def test_two_workers_sharing_the_stream_attach_nothing_twice(
    db: Database, cast: Cast, covered_portfolio: World, stream: StreamSettings, tmp_path: Path
) -> None:
    publish_all(stream, _envelopes(cast, copies=2))  # every document sent twice
    workers = [_worker(db, stream, tmp_path, idle_exit=4) for _ in range(2)]
    outputs = [_finish(worker) for worker in workers]
    _attached_exactly_once(db)
    attached = [
        int(re.search(r"(\d+) attached", output).group(1))  # type: ignore[union-attr]
        for output in outputs
    ]
    assert sum(attached) == DOCUMENTS  # each document attached by one worker only
