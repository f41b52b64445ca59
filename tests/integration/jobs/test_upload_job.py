"""A declarations upload above the threshold is a job: answered 202, the worker attaches
the rows through the upload path and the job's result is the row report; below the
threshold the upload answers its report at once.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from tests.builders.declarations import world
from tests.conftest import Cast, Database, FormClient
from tests.integration.declarations.helpers import counts
from tests.integration.declarations.test_upload import EXPECTED, csv_bytes, rows, summary
from tests.integration.jobs.conftest import run_until_done
from tradecover.api.app import create_app
from tradecover.config import Settings
from tradecover.jobs import Job, Queue


@pytest.fixture
def small_threshold(settings: Settings, queue: Queue) -> Iterator[FormClient]:
    """The app with a 600-byte upload threshold, sending its jobs to the test's stream."""
    app = create_app(
        settings.model_copy(update={"jobs_stream": queue.stream, "upload_job_threshold_bytes": 600})
    )
    with FormClient(app, raise_server_exceptions=False) as c:
        yield c
    app.state.engine.dispose()


def test_a_large_upload_is_attached_by_a_job(
    small_threshold: FormClient, cast: Cast, db: Database, queue: Queue
) -> None:
    client = small_threshold
    w = world(client, cast, db)
    data = csv_bytes(rows(w))
    assert len(data) > 600
    accepted = client.post(
        "/api/v1/declarations/uploads",
        headers=cast.exporter.headers,
        files={"file": ("shipments.csv", data, "text/csv")},
    )
    assert accepted.status_code == 202, accepted.text
    job_id = accepted.json()["job_id"]
    assert accepted.headers["location"] == f"/api/v1/jobs/{job_id}"
    assert counts(db)["declarations"] == 0
    state = run_until_done(db, queue, job_id)
    done = client.get(f"/api/v1/jobs/{job_id}", headers=cast.exporter.headers).json()
    assert state == "succeeded", done["error"]
    assert done["progress"] == 100
    report = done["result"]
    assert (report["rows"], report["accepted"], report["rejected"]) == (7, 2, 5)
    assert summary(report) == EXPECTED
    assert counts(db)["declarations"] == 2
    with db.factory() as session:
        kept = session.scalar(select(Job.params).where(Job.job_id == job_id))
    assert kept is not None and "data" not in kept  # the file's bytes are dropped


def test_a_small_upload_still_answers_its_report_at_once(
    small_threshold: FormClient, cast: Cast, db: Database
) -> None:
    client = small_threshold
    w = world(client, cast, db)
    data = csv_bytes(rows(w)[:1])
    assert len(data) <= 600
    answer = client.post(
        "/api/v1/declarations/uploads",
        headers=cast.exporter.headers,
        files={"file": ("shipments.csv", data, "text/csv")},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["accepted"] == 1


def test_a_large_upload_by_a_bank_writes_no_job(
    small_threshold: FormClient, cast: Cast, db: Database
) -> None:
    client = small_threshold
    w = world(client, cast, db)
    answer = client.post(
        "/api/v1/declarations/uploads",
        headers=cast.bank.headers,
        files={"file": ("shipments.csv", csv_bytes(rows(w)), "text/csv")},
    )
    assert answer.status_code == 403, answer.text
    with db.factory() as session:
        assert session.scalar(select(Job.id)) is None
