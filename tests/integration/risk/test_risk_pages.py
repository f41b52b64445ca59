"""The risk pages of the dashboard: run list, form, run page with inline SVG charts."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import Actor, Cast, Database, make_user_actor, sign_in
from tradecover.access.roles import Role
from tradecover.db.engine import transaction
from tradecover.risk.model import RiskRun


@pytest.fixture
def people(db: Database, cast: Cast) -> dict[str, Actor]:
    """A risk manager and an exporter who sign in to the dashboard."""
    with transaction(db.factory) as s:
        return {
            "risk": make_user_actor(
                s, org_slug="insurer", role=Role.RISK_MANAGER, email="risk@insurer.example"
            ),
            "exporter": make_user_actor(
                s, org_slug=cast.exporter.org_slug, role=Role.EXPORTER, email="li.wei@acme.example"
            ),
        }


def _runs(db: Database) -> int:
    with transaction(db.factory) as s:
        return int(s.execute(select(func.count()).select_from(RiskRun)).scalar_one())


def test_a_risk_manager_starts_a_run_and_sees_its_charts(
    app_client: TestClient, people: dict[str, Actor], db: Database
) -> None:
    sign_in(app_client, people["risk"])
    home = app_client.get("/risk")
    assert home.status_code == 200
    assert 'href="/risk"' in home.text
    assert "No risk runs yet." in home.text
    history = re.search(r'data-testid="history-chart"><svg.*?</svg>', home.text, re.S)
    assert history is not None and history.group(0).count("<polyline") == 1
    assert "<script" not in home.text
    started = app_client.post(
        "/risk/runs",
        data={
            "source": "generated",
            "buyers": "150",
            "basis": "limit",
            "method": "monte_carlo",
            "n_scenarios": "2000",
            "seed": "3",
            "scenarios": ["tariff_shock_us"],
        },
        follow_redirects=False,
    )
    assert started.status_code == 303, started.text
    assert started.headers["location"] == "/risk/runs/1"
    app_client.app.state.risk_executor.wait_idle()  # type: ignore[attr-defined]
    page = app_client.get("/risk/runs/1")
    assert page.status_code == 200
    assert '<span data-testid="run-status">finished</span>' in page.text
    for chart in (
        "loss",
        "buyers",
        "countries",
        "sectors",
        "concentration-country",
        "concentration-sector",
        "concentration-buyer_group",
    ):
        svg = re.search(rf'data-testid="chart-{chart}"><svg .*?</svg>', page.text, re.S)
        assert svg is not None, chart
    loss = re.search(r'data-testid="chart-loss"><svg .*?</svg>', page.text, re.S)
    assert loss is not None
    assert loss.group(0).count("<polyline") == 4  # VaR and ES, base and stressed
    assert "tariff_shock_us" in page.text
    assert "<script" not in page.text
    listing = app_client.get("/risk")
    assert 'href="/risk/runs/1"' in listing.text


def test_a_bad_form_shows_the_field_and_records_nothing(
    app_client: TestClient, people: dict[str, Actor], db: Database
) -> None:
    sign_in(app_client, people["risk"])
    answer = app_client.post(
        "/risk/runs", data={"source": "generated", "buyers": "10", "n_scenarios": "-1"}
    )
    assert answer.status_code == 422
    assert "n_scenarios: n_scenarios must be positive" in answer.text
    assert _runs(db) == 0


def test_exporters_cannot_see_or_start_runs(
    app_client: TestClient, people: dict[str, Actor], db: Database
) -> None:
    sign_in(app_client, people["exporter"])
    assert app_client.get("/risk").status_code == 403
    assert 'href="/risk"' not in app_client.get("/policies").text
    assert (
        app_client.post("/risk/runs", data={"source": "generated", "buyers": "10"}).status_code
        == 403
    )
    assert app_client.get("/risk/runs/1").status_code == 403
    assert _runs(db) == 0


@pytest.mark.parametrize(
    ("locale", "heading"), [("zh_Hans", "风险计算"), ("zh_Hant", "風險計算"), ("ko", "리스크 계산")]
)
def test_the_risk_page_speaks_the_readers_language(
    app_client: TestClient, people: dict[str, Actor], locale: str, heading: str
) -> None:
    sign_in(app_client, people["risk"])
    chosen = app_client.post(
        "/language", data={"locale": locale, "next": "/risk"}, follow_redirects=False
    )
    assert chosen.status_code == 303
    page = app_client.get("/risk")
    assert page.status_code == 200
    assert f"<h1>{heading}</h1>" in page.text
