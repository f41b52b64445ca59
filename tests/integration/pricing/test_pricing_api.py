"""Pricing through the API and the CLI, on every configured database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.builders.policies import active, expiring_inception, make_policy
from tests.conftest import Cast, Database
from tradecover import reporting
from tradecover.audit.model import AuditEntry
from tradecover.cli.main import app as cli_app
from tradecover.config import get_settings
from tradecover.db.engine import transaction
from tradecover.kit.dates import utc_now
from tradecover.policies import renewal_chain_length
from tradecover.policies.model import RenewalOffer
from tradecover.policies.review import ReviewMetrics
from tradecover.policies.schedule import Product
from tradecover.policies.service import schedule_of, schedule_to_dict
from tradecover.pricing import quote_investment_debt_json, rate_table_to_dict
from tradecover.pricing.model import RateTableVersion
from tradecover.pricing.rate_table import default_rate_table
from tradecover.pricing.service import pricer_for, renewal_repricer

QUOTE = "/api/v1/quotes/short-term"
ID_QUOTE = "/api/v1/quotes/investment-debt"
ID_BODY: dict[str, Any] = {
    "currency": "USD",
    "rate": "0.0085",
    "drawdown_periods": [
        {"drawn": "6000000", "interest": "180000"},
        {"drawn": "4000000", "interest": "420000"},
    ],
    "repayment_periods": [
        {"principal": "5000000", "interest": "600000"},
        {"principal": "5000000", "interest": "300000"},
    ],
}


def _audits(db: Database, action: str) -> int:
    with transaction(db.factory) as s:
        return int(
            s.execute(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
            ).scalar_one()
        )


# --- quotes -------------------------------------------------------------------------------


def test_short_term_quote_explains_the_rate(app_client: TestClient, cast: Cast) -> None:
    r = app_client.post(
        QUOTE,
        json={
            "country": "TR",
            "payment_terms": "OA",
            "credit_days": 90,
            "indemnity_percentage": "90",
        },
        headers=cast.exporter.headers,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["rate"] == "0.01045000"
    ex = body["explanation"]
    assert ex["table"] == {"code": "ST-2026", "version": 1, "effective_from": "2026-01-01"}
    assert (ex["country_class"], ex["payment_terms"], ex["credit_band"], ex["base_rate"]) == (
        5,
        "OA",
        "61-90",
        "0.00950",
    )
    assert [(a["name"], a["factor"]) for a in ex["adjustments"]] == [
        ("buyer", "1.10"),
        ("indemnity_percentage", "1.000000"),
        ("experience", "1"),
        ("concentration", "1"),
    ]
    assert ex["adjustments"][0]["reason"] == "buyer not rated"
    assert ex["bound_applied"] is None


def test_short_term_quote_with_grade_and_concentration(app_client: TestClient, cast: Cast) -> None:
    r = app_client.post(
        QUOTE,
        json={
            "country_class": 3,
            "payment_terms": "DA",
            "credit_days": 60,
            "indemnity_percentage": "95",
            "buyer_grade": "B",
            "concentration_hhi": "0.5",
        },
        headers=cast.bank.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["rate"] == "0.00414865"
    assert [a["factor"] for a in r.json()["explanation"]["adjustments"]] == [
        "0.90",
        "1.055556",
        "1",
        "1.100000",
    ]


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"country": "XX"}, "country", "unknown_country"),
        ({"credit_days": 400}, "credit_days", "credit_period_too_long"),
        ({"indemnity_percentage": "120"}, "indemnity_percentage", "indemnity_out_of_range"),
        ({"buyer_pd": "-0.1"}, "buyer_pd", "validation_failed"),
        ({"rate_table": "NOPE"}, "rate_table", "rate_table_not_found"),
    ],
)
def test_bad_short_term_quotes_name_the_field(
    app_client: TestClient, cast: Cast, change: dict[str, Any], field: str, code: str
) -> None:
    body = {
        "country": "TR",
        "payment_terms": "OA",
        "credit_days": 90,
        "indemnity_percentage": "90",
        **change,
    }
    r = app_client.post(QUOTE, json=body, headers=cast.exporter.headers)
    assert r.status_code in (404, 422), r.text
    assert (r.json()["field"], r.json()["code"]) == (field, code)


def test_quotes_need_a_credential(app_client: TestClient, cast: Cast) -> None:
    r = app_client.post(
        QUOTE,
        json={
            "country_class": 1,
            "payment_terms": "LC",
            "credit_days": 30,
            "indemnity_percentage": "90",
        },
    )
    assert r.status_code == 401


def test_investment_debt_quote_reconciles_to_the_pure_function(
    app_client: TestClient, cast: Cast
) -> None:
    r = app_client.post(ID_QUOTE, json=ID_BODY, headers=cast.exporter.headers)
    assert r.status_code == 200, r.text
    assert r.json() == quote_investment_debt_json(ID_BODY)
    assert r.json()["total_premium"] == "276250.00"
    assert [p["premium"] for p in r.json()["periods"]] == [
        "52530.00",
        "88570.00",
        "90100.00",
        "45050.00",
    ]
    r = app_client.post(ID_QUOTE + "/cover-comparison", json=ID_BODY, headers=cast.exporter.headers)
    assert r.status_code == 200, r.text
    # partial cover of T3 = 1 caps the drawdown periods at a_1 + I_1 = 5.6m too ([004]
    # scheme 2): 3 x 47,600; Table 2's extra premium is the repayment periods' difference
    assert r.json() == [
        {
            "covered_repayment_periods": 1,
            "extra_liability": "5300000",
            "extra_premium": "87550.0000",
            "partial_premium": "142800.00",
            "full_premium": "276250.00",
        }
    ]


def _with(**change: Any) -> dict[str, Any]:
    return {**json.loads(json.dumps(ID_BODY)), **change}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_with(currency="XYZ"), "currency"),
        (_with(rate="-0.01"), "rate"),
        (_with(rate="5"), "rate"),
        (
            _with(
                repayment_periods=[
                    {"principal": "-1", "interest": "0"},
                    {"principal": "10000001", "interest": "0"},
                ]
            ),
            "repayment_periods[0].principal",
        ),
        (
            _with(
                repayment_periods=[
                    {"principal": "5000000", "interest": "600000"},
                    {"principal": "4000000", "interest": "300000"},
                ]
            ),
            "drawdown_periods",
        ),
        (_with(covered_repayment_periods=3), "covered_repayment_periods"),
    ],
)
def test_bad_investment_debt_quotes_name_the_field(
    app_client: TestClient, cast: Cast, body: dict[str, Any], field: str
) -> None:
    r = app_client.post(ID_QUOTE, json=body, headers=cast.exporter.headers)
    assert r.status_code == 422, r.text
    assert r.json()["field"].startswith(field), r.json()


def test_mlt_minimum_premium(app_client: TestClient, cast: Cast) -> None:
    body = {
        "country_category": 4,
        "buyer_risk_category": "CC2",
        "disbursement_years": "1",
        "repayment_years": "5",
    }
    r = app_client.post(
        "/api/v1/quotes/mlt-minimum-premium", json=body, headers=cast.exporter.headers
    )
    assert r.status_code == 200, r.text
    assert (r.json()["mpr_percent"], r.json()["horizon_of_risk"]) == ("4.662000", "5.5")
    r = app_client.post(
        "/api/v1/quotes/mlt-minimum-premium",
        json={**body, "country_category": 0},
        headers=cast.exporter.headers,
    )
    assert r.status_code == 422


# --- rate tables ----------------------------------------------------------------------------


def _edited(**cells: str) -> dict[str, Any]:
    body = rate_table_to_dict(default_rate_table())
    for key, rate in cells.items():
        c, terms, band = key.split("_")
        body["base"][c][terms][int(band)] = rate
    body["effective_from"] = "2026-07-01"
    return body


def test_rate_table_versions_keep_history(app_client: TestClient, cast: Cast, db: Database) -> None:
    body = _edited(**{"7_OA_5": "0.02500"})
    r = app_client.post(
        "/api/v1/rate-tables/ST-2026/versions",
        json={"body": body, "reason": "class 7 O/A long credit up"},
        headers=cast.risk_manager.headers,
    )
    assert r.status_code == 201, r.text
    assert (r.json()["version"], r.json()["status"], r.json()["effective_from"]) == (
        2,
        "active",
        "2026-07-01",
    )
    r = app_client.get("/api/v1/rate-tables/ST-2026", headers=cast.exporter.headers)
    assert r.status_code == 200
    got = r.json()
    assert got["current"]["version"] == 2
    assert got["body"]["base"]["7"]["OA"][5] == "0.02500"
    assert [(v["version"], v["status"]) for v in got["versions"]] == [(2, "active"), (1, "retired")]
    assert _audits(db, "rate_table.version_added") == 1
    with transaction(db.factory) as s:
        pricer = pricer_for(s)
        assert (pricer.table.version, pricer.table.base[7][3][5]) == (2, Decimal("0.02500"))
        assert pricer.country_classes is not None and pricer.country_classes["TR"] == 5
    r = app_client.get("/api/v1/rate-tables", headers=cast.exporter.headers)
    assert [(i["code"], i["version"], i["versions"]) for i in r.json()["items"]] == [
        ("DT-2026", 1, 1),  # the domestic table [domain DT-4]
        ("ST-2026", 2, 2),
    ]


def test_non_monotone_table_is_refused_naming_the_cell(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    body = _edited(**{"4_OA_2": "0.00100"})
    r = app_client.post(
        "/api/v1/rate-tables/ST-2026/versions",
        json={"body": body, "reason": "typo"},
        headers=cast.underwriter.headers,
    )
    assert r.status_code == 422, r.text
    assert (r.json()["code"], r.json()["field"]) == (
        "rate_table_not_monotone",
        "base[4][OA][61-90]",
    )
    with transaction(db.factory) as s:
        assert s.execute(select(func.count()).select_from(RateTableVersion)).scalar_one() == 2
    assert _audits(db, "rate_table.version_added") == 0


def test_exporter_may_quote_but_not_edit_tables(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    for actor in (cast.exporter, cast.claims_handler):
        r = app_client.post(
            "/api/v1/rate-tables/ST-2026/versions",
            json={"body": _edited(), "reason": "cheaper for me"},
            headers=actor.headers,
        )
        assert r.status_code == 403, r.text
    with transaction(db.factory) as s:
        assert s.execute(select(func.count()).select_from(RateTableVersion)).scalar_one() == 2


def test_draft_version_is_not_priced_on(app_client: TestClient, cast: Cast) -> None:
    r = app_client.post(
        "/api/v1/rate-tables/ST-2026/versions",
        json={"body": _edited(**{"7_OA_5": "0.03000"}), "reason": "proposal", "status": "draft"},
        headers=cast.admin.headers,
    )
    assert r.status_code == 201, r.text
    got = app_client.get("/api/v1/rate-tables/ST-2026", headers=cast.admin.headers).json()
    assert got["current"]["version"] == 1
    assert [(v["version"], v["status"]) for v in got["versions"]] == [(2, "draft"), (1, "active")]


# --- renewal re-pricing ---------------------------------------------------------------------


def _offer(db: Database, cast: Cast) -> int:
    """An open renewal offer re-priced by the pricing service from a bad year's metrics."""
    with transaction(db.factory) as s:
        policy = make_policy(s, exporter_org_id=cast.exporter.org_id)
        policy.rate_table = "ST-2026"
        metrics = ReviewMetrics(
            compliance_rate=Decimal(1),
            declared_share_of_turnover=Decimal("0.95"),
            largest_buyer_share=Decimal("0.3"),
            possible_loss_rate=Decimal("0.005"),
            declared_amount=Decimal("20000000"),
            premium_earned=Decimal("50000"),
            claims_paid=Decimal("45000"),
        )
        rate, explanation = renewal_repricer(s, years_insured=renewal_chain_length)(metrics, policy)
        assert rate == Decimal("0.5625")  # 0.45 % x 1.25: LR 90 % vs 60 %, z = 0.5
        offer = RenewalOffer(
            policy_id=policy.id,
            status="offered",
            review_metrics=metrics.as_dict(),
            proposed_terms={**schedule_to_dict(schedule_of(policy)), "base_rate_pct": str(rate)},
            explanation=explanation,
            offered_at=utc_now(),
            offered_by="user:underwriter",
        )
        s.add(offer)
        s.flush()
        return offer.id


def test_underwriter_accepts_the_proposed_renewal_rate(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    offer_id = _offer(db, cast)
    r = app_client.post(
        f"/api/v1/renewal-offers/{offer_id}/rate",
        json={"accept": True},
        headers=cast.underwriter.headers,
    )
    assert r.status_code == 200, r.text
    with transaction(db.factory) as s:
        offer = s.get(RenewalOffer, offer_id)
        assert offer is not None
        assert offer.proposed_terms["base_rate_pct"] == "0.5625"
        assert offer.explanation["decision"]["overridden"] is False
        assert offer.explanation["adjustments"][0]["factor"] == "1.250000"
    assert _audits(db, "renewal.rate_accepted") == 1
    r = app_client.post(
        f"/api/v1/renewal-offers/{offer_id}/rate",
        json={"accept": True},
        headers=cast.underwriter.headers,
    )
    assert (r.status_code, r.json()["code"]) == (409, "renewal_rate_decided")


def test_override_needs_a_reason(app_client: TestClient, cast: Cast, db: Database) -> None:
    offer_id = _offer(db, cast)
    r = app_client.post(
        f"/api/v1/renewal-offers/{offer_id}/rate",
        json={"rate": "0.0085"},
        headers=cast.underwriter.headers,
    )
    assert r.status_code == 422, r.text
    assert (r.json()["code"], r.json()["field"]) == ("reason_required", "reason")
    with transaction(db.factory) as s:
        offer = s.get(RenewalOffer, offer_id)
        assert offer is not None and offer.proposed_terms["base_rate_pct"] == "0.5625"
        assert offer.explanation["decision"] is None
    r = app_client.post(
        f"/api/v1/renewal-offers/{offer_id}/rate",
        json={"rate": "0.0085", "reason": "parent guarantee"},
        headers=cast.exporter.headers,
    )
    assert r.status_code == 403
    r = app_client.post(
        f"/api/v1/renewal-offers/{offer_id}/rate",
        json={"rate": "0.0085", "reason": "parent guarantee"},
        headers=cast.underwriter.headers,
    )
    assert r.status_code == 200, r.text
    with transaction(db.factory) as s:
        offer = s.get(RenewalOffer, offer_id)
        assert offer is not None and offer.proposed_terms["base_rate_pct"] == "0.85"
        assert offer.explanation["decision"]["reason"] == "parent guarantee"
    assert _audits(db, "renewal.rate_overridden") == 1


# --- investment-debt policies ---------------------------------------------------------------


def _investment_policy(db: Database, cast: Cast) -> int:
    """A policy of the investment-debt product (the policies service issues short-term
    products only so far, so the product is set on the row).
    """
    with transaction(db.factory) as s:
        policy = make_policy(s, exporter_org_id=cast.exporter.org_id)
        policy.product = Product.INVESTMENT_DEBT.value
        return policy.id


def test_investment_debt_schedule_payment_rules(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    pid = _investment_policy(db, cast)
    url = f"/api/v1/policies/{pid}/investment-debt-schedule"
    assert app_client.put(url, json=ID_BODY, headers=cast.exporter.headers).status_code == 403
    r = app_client.put(url, json=ID_BODY, headers=cast.underwriter.headers)
    assert r.status_code == 200, r.text
    assert r.json()["total_premium"] == "276250.00"
    assert [(p["position"], p["premium"], p["status"]) for p in r.json()["periods"]] == [
        (1, "52530.00", "not_issued"),
        (2, "88570.00", "not_issued"),
        (3, "90100.00", "not_issued"),
        (4, "45050.00", "not_issued"),
    ]
    r = app_client.post(
        url + "/notices",
        json={"position": 2, "notice_date": "2026-01-15"},
        headers=cast.finance.headers,
    )
    assert (r.status_code, r.json()["code"]) == (409, "notice_out_of_order")
    notice = date(2026, 1, 15)
    r = app_client.post(
        url + "/notices",
        json={"position": 1, "notice_date": notice.isoformat()},
        headers=cast.finance.headers,
    )
    assert r.status_code == 200, r.text
    first = r.json()["periods"][0]
    assert (first["due_date"], first["status"], first["cover_in_force"]) == (
        "2026-02-14",
        "overdue",
        False,
    )  # business today is long after 2026-02-14
    late = (notice + timedelta(days=31)).isoformat()
    r = app_client.post(
        url + "/payments", json={"position": 1, "paid_on": late}, headers=cast.finance.headers
    )
    assert (r.status_code, r.json()["code"]) == (409, "late_premium_refused")
    got = app_client.get(url, headers=cast.exporter.headers).json()
    assert got["periods"][0]["paid_on"] is None
    r = app_client.post(
        url + "/payments",
        json={"position": 1, "paid_on": "2026-02-14"},
        headers=cast.finance.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["periods"][0]["status"] == "paid"
    assert r.json()["periods"][0]["cover_in_force"] is True
    r = app_client.get(
        url + "/due-before-indemnity",
        params={"loss_period": 2, "settlement": "lump_sum"},
        headers=cast.claims_handler.headers,
    )
    assert r.status_code == 200, r.text
    assert ([p["premium"] for p in r.json()["periods"]], r.json()["total"]) == (
        ["90100.00", "45050.00"],
        "135150.00",
    )
    r = app_client.get(
        url + "/due-before-indemnity",
        params={"loss_period": 2, "settlement": "original_schedule"},
        headers=cast.claims_handler.headers,
    )
    assert (r.json()["periods"], r.json()["total"]) == ([], "0.00")
    assert app_client.get(url, headers=cast.other_exporter.headers).status_code == 404
    assert _audits(db, "investment_debt.premium_paid") == 1


def test_schedule_only_for_investment_debt_policies(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    with transaction(db.factory) as s:
        pid = make_policy(s, exporter_org_id=cast.exporter.org_id).id
    r = app_client.put(
        f"/api/v1/policies/{pid}/investment-debt-schedule",
        json=ID_BODY,
        headers=cast.underwriter.headers,
    )
    assert (r.status_code, r.json()["code"]) == (409, "not_investment_debt")


# --- CLI ------------------------------------------------------------------------------------


@pytest.fixture
def cli(db: Database, cast: Cast, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """A CLI runner on the test database."""
    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_cli_investment_debt_prints_the_api_json(
    cli: CliRunner, app_client: TestClient, cast: Cast, tmp_path: Path
) -> None:
    path = tmp_path / "loan.json"
    path.write_text(json.dumps(ID_BODY), encoding="utf-8")
    result = cli.invoke(cli_app, ["quote", "investment-debt", "--input", str(path)])
    assert result.exit_code == 0, result.output
    api = app_client.post(ID_QUOTE, json=ID_BODY, headers=cast.exporter.headers).json()
    assert json.loads(result.output) == api
    path.write_text(json.dumps(_with(rate="-1")), encoding="utf-8")
    result = cli.invoke(cli_app, ["quote", "investment-debt", "--input", str(path)])
    assert result.exit_code == 4


def test_cli_short_term_and_tables(cli: CliRunner) -> None:
    result = cli.invoke(
        cli_app,
        [
            "quote",
            "short-term",
            "--country",
            "TR",
            "--terms",
            "OA",
            "--days",
            "90",
            "--indemnity",
            "90",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "rate 0.01045000 (1.045 %) on ST-2026 v1" in result.output
    assert "buyer not rated" in result.output
    result = cli.invoke(cli_app, ["pricing", "tables", "list"])
    assert result.exit_code == 0 and "ST-2026" in result.output
    result = cli.invoke(cli_app, ["pricing", "tables", "show", "ST-2026"])
    assert result.exit_code == 0 and "shipped default table" in result.output
    result = cli.invoke(
        cli_app,
        [
            "quote",
            "short-term",
            "--country",
            "XX",
            "--terms",
            "OA",
            "--days",
            "90",
            "--indemnity",
            "90",
        ],
    )
    assert result.exit_code == 4


class _BadYear:
    """A review metrics source with a bad year: loss ratio 90 %."""

    def metrics(self, *, policy_id: int, start: date, end: date) -> ReviewMetrics:
        """The same metrics for every policy and period."""
        return ReviewMetrics(
            compliance_rate=Decimal(1),
            declared_share_of_turnover=Decimal("0.95"),
            largest_buyer_share=Decimal("0.3"),
            possible_loss_rate=Decimal("0.005"),
            declared_amount=Decimal("20000000"),
            premium_earned=Decimal("50000"),
            claims_paid=Decimal("45000"),
        )


def test_renewal_offered_through_the_api_is_repriced_then_accepted(
    app_client: TestClient, cast: Cast, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reporting, "RenewalReviewMetrics", lambda session: _BadYear())
    policy = active(app_client, cast, inception=expiring_inception(20))
    r = app_client.post(
        f"/api/v1/policies/{policy['id']}/renewal-offers", headers=cast.underwriter.headers
    )
    assert r.status_code == 201, r.text
    offer = r.json()
    assert offer["proposed_terms"]["base_rate_pct"] == "0.5625"
    with transaction(db.factory) as s:
        row = s.get(RenewalOffer, offer["id"])
        assert row is not None
        explanation = row.explanation
    assert (
        explanation["method"],
        explanation["current_rate"],
        explanation["proposed_rate"],
        explanation["decision"],
    ) == ("pricing.renewal", "0.00450000", "0.00562500", None)
    assert explanation["table"] == {"code": "ST-2026", "version": 1}
    r = app_client.post(
        f"/api/v1/renewal-offers/{offer['id']}/rate",
        json={"rate": "0.005", "reason": "long record, one bad buyer"},
        headers=cast.underwriter.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["proposed_terms"]["base_rate_pct"] == "0.5"
    r = app_client.post(
        f"/api/v1/renewal-offers/{offer['id']}/rate",
        json={"accept": True},
        headers=cast.other_exporter.headers,
    )
    assert r.status_code in (403, 404)


def test_cli_mlt_and_lab(cli: CliRunner, tmp_path: Path) -> None:
    result = cli.invoke(
        cli_app,
        [
            "quote",
            "mlt",
            "--country-category",
            "4",
            "--buyer",
            "CC2",
            "--disbursement-years",
            "1",
            "--repayment-years",
            "5",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "minimum premium 4.662000 % of the principal" in result.output
    result = cli.invoke(
        cli_app,
        [
            "quote",
            "mlt",
            "--country-category",
            "0",
            "--buyer",
            "CC2",
            "--disbursement-years",
            "1",
            "--repayment-years",
            "5",
        ],
    )
    assert result.exit_code == 4
    chart = tmp_path / "lab.svg"
    result = cli.invoke(
        cli_app,
        ["pricing", "tables", "lab", "--exporters", "200", "--rounds", "3", "--svg", str(chart)],
    )
    assert result.exit_code == 0, result.output
    assert chart.read_text(encoding="utf-8").startswith("<svg")


def test_concurrent_edits_of_one_table_get_distinct_versions(db: Database) -> None:
    """Eight editors at once: each edit a new version, exactly one active, nothing lost."""
    import threading

    from tradecover.access.service import system_principal
    from tradecover.kit.errors import Conflict
    from tradecover.pricing.service import add_rate_table_version

    editors = 8
    barrier = threading.Barrier(editors)
    outcomes: list[str] = []

    def edit(n: int) -> None:
        barrier.wait()
        try:
            with transaction(db.factory) as s:
                add_rate_table_version(
                    s,
                    principal=system_principal(s),
                    code="ST-2026",
                    body=_edited(),
                    reason=f"editor {n}",
                )
            outcomes.append("saved")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(editors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["saved"] * editors
    with transaction(db.factory) as s:
        rows = s.execute(
            select(RateTableVersion.version, RateTableVersion.status)
            .where(RateTableVersion.code == "ST-2026")
            .order_by(RateTableVersion.version)
        ).all()
    assert [r[0] for r in rows] == list(range(1, editors + 2))
    assert [r[1] for r in rows] == ["retired"] * editors + ["active"]
    assert _audits(db, "rate_table.version_added") == editors
