"""A risk run and the consent purge as jobs: the worker runs them, the job carries the
progress and the result; a bad spec or a caller without the permission writes nothing.
"""

from __future__ import annotations

from sqlalchemy import func, select

from tests.conftest import Cast, Database, FormClient
from tests.integration.consents.test_retention import _consent, _ended
from tests.integration.jobs.conftest import run_until_done
from tradecover.jobs import Job, Queue

SPEC = {"source": "generated", "buyers": 20, "book_seed": 3, "method": "vasicek"}


def _jobs(db: Database) -> int:
    with db.factory() as session:
        return int(session.scalar(select(func.count()).select_from(Job)) or 0)


def test_a_risk_run_job_records_the_run_and_reports_its_figures(
    client: FormClient, cast: Cast, db: Database, queue: Queue
) -> None:
    accepted = client.post("/api/v1/jobs/risk-run", headers=cast.risk_manager.headers, json=SPEC)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["kind"] == "risk.run"
    job_id = accepted.json()["job_id"]
    assert run_until_done(db, queue, job_id) == "succeeded"
    done = client.get(f"/api/v1/jobs/{job_id}", headers=cast.risk_manager.headers).json()
    assert done["progress"] == 100
    result = done["result"]
    assert result["status"] == "finished" and result["expected_loss"] > 0
    assert set(result["value_at_risk"]) == {"0.99", "0.995", "0.999"}
    run = client.get(result["url"], headers=cast.risk_manager.headers).json()
    assert run["status"] == "finished" and run["spec"]["buyers"] == 20


def test_a_bad_risk_spec_or_an_exporter_writes_no_job(
    client: FormClient, cast: Cast, db: Database
) -> None:
    before = _jobs(db)
    bad = client.post(
        "/api/v1/jobs/risk-run",
        headers=cast.risk_manager.headers,
        json={**SPEC, "method": "astrology"},
    )
    assert bad.status_code == 422, bad.text
    assert bad.json()["code"] == "unknown_method"
    by_exporter = client.post("/api/v1/jobs/risk-run", headers=cast.exporter.headers, json=SPEC)
    assert by_exporter.status_code == 403, by_exporter.text
    assert _jobs(db) == before


def test_the_consent_purge_runs_as_a_job_for_the_insurers_admins_only(
    client: FormClient, cast: Cast, db: Database, queue: Queue
) -> None:
    before = _jobs(db)
    by_exporter = client.post("/api/v1/jobs/consents-purge", headers=cast.exporter.headers)
    assert by_exporter.status_code == 403, by_exporter.text
    assert _jobs(db) == before
    ended = _consent(client, cast, revoked=True)
    _ended(db, ended, 40)  # past the retention
    accepted = client.post("/api/v1/jobs/consents-purge", headers=cast.admin.headers)
    assert accepted.status_code == 202, accepted.text
    job_id = accepted.json()["job_id"]
    assert run_until_done(db, queue, job_id) == "succeeded"
    done = client.get(f"/api/v1/jobs/{job_id}", headers=cast.admin.headers).json()
    assert done["kind"] == "consents.purge"
    assert done["result"] == {
        "consents": 1,
        "purged": {str(ended): {"documents": 0, "pool_rows": 0}},
    }
