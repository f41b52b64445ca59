"""The job kinds: a bulk limit change, CSV exports, a billing run; refused input writes
nothing; the page follows a job with its progress bar.
"""

from __future__ import annotations

from sqlalchemy import func, select

from tests.builders.declarations import world
from tests.conftest import Cast, Database, FormClient, make_person, sign_in
from tests.integration.jobs.conftest import run_until_done
from tradecover.access.roles import Role
from tradecover.audit import AuditEntry
from tradecover.jobs import Job, Queue


def _jobs(db: Database) -> int:
    with db.factory() as session:
        return int(session.scalar(select(func.count()).select_from(Job)) or 0)


def test_a_bulk_cancellation_changes_each_limit_and_reports_the_refused(
    client: FormClient, cast: Cast, db: Database, queue: Queue
) -> None:
    w = world(client, cast, db)
    accepted = client.post(
        "/api/v1/jobs/limits-bulk-change",
        headers=cast.underwriter.headers,
        json={
            "action": "cancel",
            "items": [{"limit_id": w.limit_id}, {"limit_id": 987654}],
            "reason": "portfolio review",
        },
    )
    assert accepted.status_code == 202, accepted.text
    job_id = accepted.json()["job_id"]
    assert run_until_done(db, queue, job_id) == "succeeded"
    done = client.get(f"/api/v1/jobs/{job_id}", headers=cast.underwriter.headers).json()
    assert done["progress"] == 100
    assert [(c["limit_id"], c["status"]) for c in done["result"]["changed"]] == [
        (w.limit_id, "cancelled")
    ]
    assert [(r["limit_id"], r["code"]) for r in done["result"]["refused"]] == [
        (987654, "limit_not_found")
    ]
    limit = client.get(f"/api/v1/limits/{w.limit_id}", headers=cast.exporter.headers).json()
    assert limit["status"] == "cancelled"


def test_refused_input_answers_a_problem_and_writes_no_job(
    client: FormClient, cast: Cast, db: Database
) -> None:
    before = _jobs(db)
    by_exporter = client.post(
        "/api/v1/jobs/limits-bulk-change",
        headers=cast.exporter.headers,
        json={"action": "cancel", "items": [{"limit_id": 1}], "reason": "mine"},
    )
    assert by_exporter.status_code == 403, by_exporter.text
    assert by_exporter.headers["content-type"].startswith("application/problem+json")
    no_amount = client.post(
        "/api/v1/jobs/limits-bulk-change",
        headers=cast.underwriter.headers,
        json={"action": "reduce", "items": [{"limit_id": 1}], "reason": "review"},
    )
    assert no_amount.status_code == 422 and "new amount" in no_amount.json()["detail"]
    bad_month = client.post(
        "/api/v1/jobs/billing-run", headers=cast.finance.headers, json={"month": "2026-13"}
    )
    assert bad_month.status_code == 422
    not_finance = client.post(
        "/api/v1/jobs/billing-run", headers=cast.exporter.headers, json={"month": "2026-05"}
    )
    assert not_finance.status_code == 403
    assert _jobs(db) == before


def test_a_limits_export_is_downloaded_by_its_organisation_only(
    client: FormClient, cast: Cast, db: Database, queue: Queue
) -> None:
    w = world(client, cast, db, limit=25_000)
    accepted = client.post("/api/v1/jobs/limits-export", headers=cast.exporter.headers)
    assert accepted.status_code == 202, accepted.text
    job_id = accepted.json()["job_id"]
    assert run_until_done(db, queue, job_id) == "succeeded"
    done = client.get(f"/api/v1/jobs/{job_id}", headers=cast.exporter.headers).json()
    assert done["result"] == {"rows": 1} and done["download"].endswith("/download")
    got = client.get(done["download"], headers=cast.exporter.headers)
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    header, row = got.text.splitlines()
    assert header.startswith("limit_id,organisation_id,policy_id")
    assert row.startswith(f"{w.limit_id},{cast.exporter.org_id},{w.policy_id}")
    assert ",25000.00,USD," in row
    assert client.get(done["download"], headers=cast.other_exporter.headers).status_code == 404
    other = client.get(f"/api/v1/jobs/{job_id}", headers=cast.other_exporter.headers)
    assert other.status_code == 404
    assert other.headers["content-type"].startswith("application/problem+json")


def test_an_insurers_export_is_in_the_exporters_access_log(
    client: FormClient, cast: Cast, db: Database, queue: Queue
) -> None:
    w = world(client, cast, db, limit=25_000)
    accepted = client.post("/api/v1/jobs/limits-export", headers=cast.underwriter.headers)
    assert accepted.status_code == 202, accepted.text
    assert run_until_done(db, queue, accepted.json()["job_id"]) == "succeeded"
    with db.factory() as session:
        logged = session.execute(
            select(AuditEntry).where(AuditEntry.action == "data.read")
        ).scalars()
        reads = [(e.org_id, e.entity_id, e.reason, e.after) for e in logged]
    # [domain CS-8]: on the exporter's chain, the contract's consent, the records exported
    assert [(org, scope, purpose) for org, scope, purpose, _after in reads] == [
        (cast.exporter.org_id, "buyer_identity", "underwriting")
    ]
    after = reads[0][3]
    assert after["path"] == "job:limits.export" and after["consent"] == "contract"
    assert after["records"] == {"credit_limits": [w.limit_id]}
    assert after["reader_org_id"] == cast.underwriter.org_id


def test_the_page_starts_an_export_and_shows_its_progress(
    client: FormClient, cast: Cast, db: Database, queue: Queue
) -> None:
    sign_in(client, make_person(db, "acme-exports", Role.EXPORTER, "ops@acme.example"))
    assert 'data-testid="export-declarations"' in client.get("/jobs").text
    started = client.post("/jobs/export/declarations", follow_redirects=False)
    assert started.status_code == 303, started.text
    page_url = started.headers["location"]
    waiting = client.get(page_url)
    assert 'http-equiv="refresh"' in waiting.text and 'data-testid="progress"' in waiting.text
    assert run_until_done(db, queue, page_url.rsplit("/", 1)[1]) == "succeeded"
    finished = client.get(page_url)
    assert 'http-equiv="refresh"' not in finished.text
    assert 'data-testid="download"' in finished.text and 'value="100"' in finished.text
    sign_in(client, make_person(db, "other-exports", Role.EXPORTER, "ops@other.example"))
    assert client.get(page_url).status_code == 404


def test_a_billing_run_job_bills_the_month_and_reports_the_run(
    client: FormClient, cast: Cast, db: Database, queue: Queue
) -> None:
    accepted = client.post(
        "/api/v1/jobs/billing-run",
        headers=cast.finance.headers,
        json={"month": "2026-05", "issue_date": "2026-06-01"},
    )
    assert accepted.status_code == 202, accepted.text
    job_id = accepted.json()["job_id"]
    assert run_until_done(db, queue, job_id) == "succeeded"
    result = client.get(f"/api/v1/jobs/{job_id}", headers=cast.finance.headers).json()["result"]
    assert (result["month"], result["pending"]) == ("2026-05-01", 0)
    run = client.get("/api/v1/billing/runs/2026-05", headers=cast.finance.headers)
    assert run.status_code == 200 and run.json()["run_id"] == result["run_id"]
