"""Risk runs through the API: jobs from queued to finished, refusals that record nothing."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import Cast, Database
from tradecover.audit.model import AuditEntry
from tradecover.db.engine import transaction
from tradecover.risk import RiskRunSpec, run_risk
from tradecover.risk.exposures import GeneratedExposures
from tradecover.risk.jobs import LOSS_CURVE_LEVELS
from tradecover.risk.model import RiskRun

SPEC: dict[str, Any] = {
    "source": "generated",
    "buyers": 300,
    "book_seed": 7,
    "basis": "outstanding",
    "method": "monte_carlo",
    "confidence_levels": [0.99, 0.995],
    "scenarios": ["recession"],
    "n_scenarios": 4000,
    "seed": 11,
    "importance_sampling": True,
}


def _runs(db: Database) -> int:
    with transaction(db.factory) as s:
        return int(s.execute(select(func.count()).select_from(RiskRun)).scalar_one())


def _audit(db: Database, action: str) -> int:
    with transaction(db.factory) as s:
        return int(
            s.execute(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
            ).scalar_one()
        )


def _wait(client: TestClient) -> None:
    client.app.state.risk_executor.wait_idle()  # type: ignore[attr-defined]


def _without_timing(result: dict[str, Any]) -> dict[str, Any]:
    """The result without its timing and loss curves (the API adds curve levels)."""
    out = {k: copy.deepcopy(v) for k, v in result.items() if k != "elapsed_seconds"}
    for case in [out["base"], *out["stressed"]]:
        case.pop("loss_curve", None)
    return out


def test_a_run_goes_from_queued_to_finished_with_the_library_figures(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    answer = app_client.post("/api/v1/risk/runs", json=SPEC, headers=cast.risk_manager.headers)
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert body["status"] == "queued"
    assert body["result"] is None
    _wait(app_client)
    run = app_client.get(f"/api/v1/risk/runs/{body['id']}", headers=cast.risk_manager.headers)
    assert run.status_code == 200
    got = run.json()
    assert got["status"] == "finished", got
    assert got["error"] is None
    assert got["progress_done"] == got["progress_total"] == 8000  # 2 cases x 4000
    port = GeneratedExposures(buyers=300, seed=7).portfolio()
    direct = run_risk(
        RiskRunSpec(
            portfolio=port,
            confidence_levels=(0.99, 0.995),
            scenarios=("recession",),
            n_scenarios=4000,
            seed=11,
        )
    )
    assert _without_timing(got["result"]) == _without_timing(direct.to_dict())
    assert got["result"]["base"]["expected_loss"] == pytest.approx(port.expected_loss(), rel=1e-12)
    curve = got["result"]["base"]["loss_curve"]
    assert [c["level"] for c in curve] == list(LOSS_CURVE_LEVELS)
    at_99 = next(c for c in curve if c["level"] == 0.99)
    assert at_99["value_at_risk"] == got["result"]["base"]["value_at_risk"]["0.99"]
    assert [c["value_at_risk"] for c in curve] == sorted(c["value_at_risk"] for c in curve)
    assert _audit(db, "risk_run.created") == 1
    assert _audit(db, "risk_run.finished") == 1
    listed = app_client.get("/api/v1/risk/runs", headers=cast.admin.headers).json()
    assert listed["total"] == 1
    assert [(r["id"], r["status"], r["result"]) for r in listed["items"]] == [
        (body["id"], "finished", None)
    ]


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"scenarios": ["alien_invasion"]}, "scenarios", "unknown_scenario"),
        ({"confidence_levels": [0.99, 1.0]}, "confidence_levels", None),
        ({"confidence_levels": [0.0]}, "confidence_levels", None),
        ({"n_scenarios": -5}, "n_scenarios", "bad_n_scenarios"),
        ({"method": "astrology"}, "method", "unknown_method"),
        ({"source": "crystal_ball"}, "source", "unknown_source"),
        ({"basis": "hope"}, "basis", "unknown_basis"),
        ({"buyers": 0}, "buyers", "bad_buyers"),
        ({"buyers": None}, "buyers", "buyers_required"),
        ({"seed": -1}, "seed", "bad_seed"),
        ({"n_scenarios": 5_000_000, "buyers": 1_000_000}, "n_scenarios", "run_too_large"),
    ],
)
def test_a_bad_spec_is_refused_naming_the_field_and_records_no_run(
    app_client: TestClient,
    cast: Cast,
    db: Database,
    change: dict[str, Any],
    field: str,
    code: str | None,
) -> None:
    answer = app_client.post(
        "/api/v1/risk/runs", json={**SPEC, **change}, headers=cast.risk_manager.headers
    )
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["field"] == field
    if code is not None:
        assert problem["code"] == code
    assert _runs(db) == 0
    assert _audit(db, "risk_run.created") == 0


def test_unknown_fields_are_refused(app_client: TestClient, cast: Cast, db: Database) -> None:
    answer = app_client.post(
        "/api/v1/risk/runs", json={**SPEC, "pd": [2.0]}, headers=cast.risk_manager.headers
    )
    assert answer.status_code == 422
    assert answer.json()["field"] == "body.pd"
    assert _runs(db) == 0


def test_a_run_whose_execution_fails_is_recorded_failed_never_finished(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    # the book is empty: the spec is valid, the execution cannot measure anything
    answer = app_client.post(
        "/api/v1/risk/runs",
        json={"source": "book", "n_scenarios": 100},
        headers=cast.risk_manager.headers,
    )
    assert answer.status_code == 202, answer.text
    _wait(app_client)
    got = app_client.get(
        f"/api/v1/risk/runs/{answer.json()['id']}", headers=cast.risk_manager.headers
    ).json()
    assert got["status"] == "failed"
    assert got["result"] is None
    assert got["error"] == {
        "code": "empty_book",
        "message": "the book holds no exposure to measure",
    }
    assert got["finished_at"] is not None
    assert _audit(db, "risk_run.failed") == 1
    assert _audit(db, "risk_run.finished") == 0


@pytest.mark.parametrize("who", ["exporter", "underwriter", "bank"])
def test_only_risk_managers_and_admins_start_runs(
    app_client: TestClient, cast: Cast, db: Database, who: str
) -> None:
    answer = app_client.post("/api/v1/risk/runs", json=SPEC, headers=getattr(cast, who).headers)
    assert answer.status_code == 403
    assert _runs(db) == 0


def test_exporters_cannot_read_runs(app_client: TestClient, cast: Cast, db: Database) -> None:
    made = app_client.post(
        "/api/v1/risk/runs", json={**SPEC, "method": "vasicek"}, headers=cast.admin.headers
    )
    assert made.status_code == 202
    _wait(app_client)
    for actor in (cast.exporter, cast.other_exporter):
        assert (
            app_client.get(
                f"/api/v1/risk/runs/{made.json()['id']}", headers=actor.headers
            ).status_code
            == 403
        )
        assert app_client.get("/api/v1/risk/runs", headers=actor.headers).status_code == 403
    assert (
        app_client.get("/api/v1/risk/runs/999", headers=cast.risk_manager.headers).status_code
        == 404
    )


def test_scenarios_and_portfolio_history(app_client: TestClient, cast: Cast) -> None:
    scenarios = app_client.get("/api/v1/risk/scenarios", headers=cast.exporter.headers).json()
    assert [s["name"] for s in scenarios] == ["recession", "tariff_shock_us"]
    history = app_client.get(
        "/api/v1/risk/portfolio-history", headers=cast.risk_manager.headers
    ).json()
    assert [h["year"] for h in history] == [2015, 2016, 2017, 2018, 2019, 2020]
    assert [h["loss_ratio_pct"] for h in history] == [
        h["published_loss_ratio_pct"] for h in history
    ]
    assert history[0]["loss_ratio_pct"] == "56"
    assert history[-1]["loss_ratio_pct"] == "78"
