"""Risk-based rates on every declaration ([000], [002] 4): the rate table's country class x
payment terms x credit period, the buyer's rating, the policy's floating adjustments,
floor and cap, stored with the declaration; a flat rate only where the schedule agrees it;
a newly published table or class prices the next declaration."""

from __future__ import annotations

import copy
import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.builders.buyers import add_buyer
from tests.builders.declarations import TODAY, World, body, world
from tests.builders.limits import add_limit
from tests.builders.policies import apply, schedule_body
from tests.conftest import Cast, Database, make_user_actor
from tests.integration.declarations.helpers import counts
from tests.integration.web.test_pages import sign_in
from tradecover.access import service as access
from tradecover.access.roles import Role
from tradecover.buyers.model import BuyerRating
from tradecover.cli.main import app as cli_app
from tradecover.config import get_settings
from tradecover.country_risk import service as country_risk
from tradecover.db.engine import transaction
from tradecover.declarations.model import Declaration
from tradecover.kit.dates import utc_now
from tradecover.policies.model import Policy
from tradecover.pricing.rate_table import default_rate_table, rate_table_to_dict

RISK_BASED: dict[str, Any] = {"flat_rate_option": False, "flat_rate_pct": None}
WORKED_FLOATING = {
    "experience": {
        "years": 3,
        "earned_premium": "100000",
        "incurred_claims": "30000",
        "exposure": "20",
    },
    "concentration_hhi": "0.5",
}


def declare(client: TestClient, cast: Cast, payload: dict[str, Any], key: str) -> Any:
    r = client.post(
        "/api/v1/declarations",
        json=payload,
        headers={**cast.exporter.headers, "Idempotency-Key": key},
    )
    assert r.status_code == 201, r.text
    return r.json()


def rate_buyer(db: Database, buyer_id: int, pd: str) -> None:
    with transaction(db.factory) as s:
        s.add(
            BuyerRating(
                buyer_id=buyer_id,
                model_version="test",
                score=500,
                grade=3,
                pd=Decimal(pd),
                hard_stop=False,
                hard_stop_reasons=[],
                contributions=[],
                rated_at=utc_now(),
                rated_by="test",
            )
        )


def publish_unrated_factor(client: TestClient, cast: Cast, factor: str) -> None:
    """Publish ST-2026 v2 with another factor for unrated buyers."""
    table = rate_table_to_dict(default_rate_table())
    edited = copy.deepcopy(table)
    edited["buyer"]["grade_factors"]["UNRATED"] = factor
    r = client.post(
        "/api/v1/rate-tables/ST-2026/versions",
        json={"body": edited, "reason": "unrated buyers re-priced"},
        headers=cast.risk_manager.headers,
    )
    assert r.status_code == 201, r.text


@pytest.fixture
def w(app_client: TestClient, cast: Cast, db: Database) -> World:
    return world(app_client, cast, db, **RISK_BASED)


def test_unrated_buyer_in_germany_priced_on_the_table(
    app_client: TestClient, cast: Cast, db: Database, w: World
) -> None:
    data = declare(app_client, cast, body(w), "k-1")
    # class 0 (DE), O/A 31-60 days: 0.085 % x unrated 1.10 x indemnity 90/90 = 0.0935 %
    assert (data["rate"], data["premium"]) == ("0.00093500", "9.35")
    e = data["rate_explanation"]
    assert (
        e["table"]["code"],
        e["table"]["version"],
        e["country_class"],
        e["payment_terms"],
        e["credit_band"],
        e["base_rate"],
    ) == ("ST-2026", 1, 0, "OA", "31-60", "0.00085")
    assert [(a["name"], a["factor"]) for a in e["adjustments"]] == [
        ("buyer", "1.10"),
        ("indemnity_percentage", "1.000000"),
        ("experience", "1"),
        ("concentration", "1"),
    ]
    assert (e["floor"], e["cap"], e["bound_applied"], e["final_rate"]) == (
        "0.0003",
        "0.03",
        None,
        "0.00093500",
    )
    with db.factory() as s:
        row = s.get(Declaration, data["id"])
        assert row is not None
        assert (row.rate, row.premium_minor, row.rate_explanation) == (
            Decimal("0.00093500"),
            935,
            e,
        )
    r = app_client.get(f"/api/v1/declarations/{data['id']}", headers=cast.exporter.headers)
    assert r.json()["rate_explanation"] == e


def test_rated_buyer_riskier_terms_and_longer_credit_cost_more(
    app_client: TestClient, cast: Cast, db: Database, w: World
) -> None:
    rate_buyer(db, w.buyer_id, "0.02")
    first = declare(app_client, cast, body(w), "k-1")
    # 0.085 % x buyer 1.2 (1 + 20 x (0.02 - 0.01)) = 0.102 %: 10.20 on 10000
    assert (first["rate"], first["premium"]) == ("0.00102000", "10.20")
    assert first["rate_explanation"]["adjustments"][0]["factor"] == "1.200000"
    da = declare(
        app_client,
        cast,
        body(
            w,
            invoice_number="INV-2",
            payment_terms="DA",
            due_date=(TODAY + timedelta(days=90)).isoformat(),
        ),
        "k-2",
    )
    # D/A 61-90 days: 0.085 % x 1.2 = 0.102 % as well (the D/A cell of the longer band)
    assert (da["rate_explanation"]["base_rate"], da["premium"]) == ("0.00085", "10.20")
    oa = declare(
        app_client,
        cast,
        body(w, invoice_number="INV-3", due_date=(TODAY + timedelta(days=90)).isoformat()),
        "k-3",
    )
    assert (oa["rate_explanation"]["base_rate"], oa["premium"]) == ("0.00100", "12.00")


def test_policy_floating_adjustments_and_prepayment(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    w = world(app_client, cast, db, **RISK_BASED, rate_floating=WORKED_FLOATING)
    data = declare(app_client, cast, body(w, prepayment="2000.00"), "k-1")
    # 0.085 % x 1.10 = 0.0935 %, x experience 0.75 = 0.070125 %, x concentration 1.1
    # = 0.0771375 % -> 0.00077138 (half-up, 8 places); on 8000.00 insured: 6.17104 -> 6.17
    assert (data["rate"], data["premium"]) == ("0.00077138", "6.17")
    assert [a["factor"] for a in data["rate_explanation"]["adjustments"]] == [
        "1.10",
        "1.000000",
        "0.750000",
        "1.100000",
    ]
    r = app_client.get(f"/api/v1/policies/{w.policy_id}", headers=cast.exporter.headers)
    schedule = r.json()["schedule"]
    assert (schedule["rate_basis"], schedule["flat_rate_option"], schedule["flat_rate_pct"]) == (
        "risk_based",
        False,
        None,
    )
    assert schedule["rate_floating"] == WORKED_FLOATING


def test_flat_rate_where_the_schedule_agrees_it(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    w = world(app_client, cast, db, flat_rate_option=True, flat_rate_pct="0.6")
    rate_buyer(db, w.buyer_id, "0.30")  # a flat rate ignores the buyer's risk
    data = declare(app_client, cast, body(w), "k-1")
    assert (data["rate"], data["premium"]) == ("0.006", "60.00")
    assert (
        data["rate_explanation"]["country_class"],
        data["rate_explanation"]["adjustments"][0]["name"],
    ) == (-1, "flat_rate")
    schedule = app_client.get(
        f"/api/v1/policies/{w.policy_id}", headers=cast.exporter.headers
    ).json()["schedule"]
    assert (schedule["rate_basis"], schedule["flat_rate_option"], schedule["flat_rate_pct"]) == (
        "flat",
        True,
        "0.6",
    )


@pytest.mark.parametrize(
    ("terms", "code"),
    [
        ({"flat_rate_pct": "0.45"}, "flat_rate_not_in_schedule"),
        ({"flat_rate_option": False, "flat_rate_pct": "0.45"}, "flat_rate_not_in_schedule"),
        ({"flat_rate_option": True}, "flat_rate_missing"),
        ({"flat_rate_option": True, "flat_rate_pct": "11"}, "rate_out_of_range"),
    ],
)
def test_flat_rate_without_the_option_is_refused_and_writes_nothing(
    app_client: TestClient, cast: Cast, db: Database, terms: dict[str, Any], code: str
) -> None:
    app = apply(app_client, cast.exporter)
    with db.factory() as s:
        before = s.execute(select(func.count()).select_from(Policy)).scalar_one()
    r = app_client.post(
        f"/api/v1/applications/{app['id']}/underwrite",
        json={"inception": TODAY.isoformat(), "schedule": schedule_body(**terms)},
        headers=cast.underwriter.headers,
    )
    assert r.status_code == 422, r.text
    assert (r.json()["code"], r.json()["field"]) == (code, "flat_rate_pct")
    assert r.headers["content-type"].startswith("application/problem+json")
    with db.factory() as s:
        assert s.execute(select(func.count()).select_from(Policy)).scalar_one() == before


def test_revising_a_risk_based_policy_with_a_flat_rate_is_refused(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    app = apply(app_client, cast.exporter)
    r = app_client.post(
        f"/api/v1/applications/{app['id']}/underwrite",
        json={"inception": TODAY.isoformat(), "schedule": schedule_body()},
        headers=cast.underwriter.headers,
    )
    assert r.status_code == 201, r.text
    policy = r.json()
    assert policy["schedule"]["rate_basis"] == "risk_based"
    r = app_client.put(
        f"/api/v1/policies/{policy['id']}/schedule",
        json={
            "schedule": schedule_body(flat_rate_pct="0.3"),
            "reason": "exporter asked for a flat rate",
        },
        headers=cast.underwriter.headers,
    )
    assert (r.status_code, r.json()["code"], r.json()["field"]) == (
        422,
        "flat_rate_not_in_schedule",
        "flat_rate_pct",
    )
    again = app_client.get(f"/api/v1/policies/{policy['id']}", headers=cast.underwriter.headers)
    assert again.json() == policy


def test_a_published_version_prices_the_next_declaration(
    app_client: TestClient, cast: Cast, db: Database, w: World
) -> None:
    assert declare(app_client, cast, body(w), "k-1")["premium"] == "9.35"
    publish_unrated_factor(app_client, cast, "1.20")
    data = declare(app_client, cast, body(w, invoice_number="INV-2"), "k-2")
    # 0.085 % x 1.20 = 0.102 %
    assert (data["rate_explanation"]["table"]["version"], data["premium"]) == (2, "10.20")


def test_a_reclassified_country_prices_the_next_declaration(
    app_client: TestClient, cast: Cast, db: Database, w: World
) -> None:
    with transaction(db.factory) as s:
        buyer = add_buyer(s, org_id=w.org_id, name="Hanoi Tools", country="VN")
        limit_id, version_id = add_limit(
            s,
            org_id=w.org_id,
            policy_id=w.policy_id,
            buyer_id=buyer,
            amount=100_000,
            effective_from=w.inception,
            country="VN",
        )
    w = World(w.policy_id, w.org_id, buyer, limit_id, version_id, w.inception)
    first = declare(app_client, cast, body(w), "k-1")
    # VN class 4, O/A 31-60 days: 0.638 % x 1.10 = 0.7018 %
    assert (first["rate_explanation"]["country_class"], first["premium"]) == (4, "70.18")
    try:
        with transaction(db.factory) as s:
            country_risk.change(
                s,
                principal=access.system_principal(s),
                country="VN",
                reason="downgraded",
                effective_from=TODAY,
                risk_class=5,
            )
        data = declare(app_client, cast, body(w, invoice_number="INV-2"), "k-2")
        # class 5: 0.808 % x 1.10 = 0.8888 %
        assert (data["rate_explanation"]["country_class"], data["premium"]) == (5, "88.88")
    finally:  # PostgreSQL keeps country views between tests
        with transaction(db.factory) as s:
            country_risk.change(
                s,
                principal=access.system_principal(s),
                country="VN",
                reason="restored",
                effective_from=TODAY,
                risk_class=4,
            )


def test_a_batch_prices_each_item_and_a_refused_item_writes_nothing(
    app_client: TestClient, cast: Cast, db: Database, w: World
) -> None:
    before = counts(db)
    r = app_client.post(
        "/api/v1/declarations",
        json={
            "declarations": [
                body(w),
                body(w, invoice_number="INV-2", payment_terms="DA"),
                body(w, invoice_number="INV-3", currency="EUR"),
            ]
        },
        headers={**cast.exporter.headers, "Idempotency-Key": "b-1"},
    )
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    # O/A 31-60: 0.0935 %; D/A 31-60: 0.072 % x 1.10 = 0.0792 %; EUR is not the policy's
    assert [(i["declaration"] or {}).get("premium") for i in items] == ["9.35", "7.92", None]
    assert items[2]["problem"]["code"] == "currency_mismatch"
    after = counts(db)
    assert after["declarations"] == before["declarations"] + 2


def test_the_declaration_page_shows_how_its_rate_was_reached(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    w = world(app_client, cast, db, **RISK_BASED, rate_floating=WORKED_FLOATING)
    data = declare(app_client, cast, body(w), "k-1")
    with transaction(db.factory) as s:
        person = make_user_actor(
            s, org_slug=cast.exporter.org_slug, role=Role.EXPORTER, email="li.wei@acme.example"
        )
        stranger = make_user_actor(
            s, org_slug=cast.other_exporter.org_slug, role=Role.EXPORTER, email="kim@other.example"
        )
    sign_in(app_client, person)
    page = app_client.get(f"/declarations/{data['id']}")
    assert page.status_code == 200, page.text
    assert "Rate explanation" in page.text
    assert "ST-2026</code> v1 · Country class 0 · OA · 31-60 days" in page.text
    assert "0.085 %" in page.text  # the base cell
    assert "0.077138 %" in page.text  # the final rate
    assert "loss ratio 30 % over 3 year(s)" in page.text
    assert re.search(r'data-testid="premium">[^<]*7\.71<', page.text)
    assert f'href="/declarations/{data["id"]}"' in app_client.get("/declarations").text
    policy_page = app_client.get(f"/policies/{w.policy_id}").text
    assert (
        "Risk-based: the rate table, the buyer's rating and the policy's floating adjustments"
    ) in policy_page
    assert "Concentration (HHI): 0.5" in policy_page
    app_client.post("/language", data={"locale": "zh_Hans", "next": f"/declarations/{data['id']}"})
    assert "费率说明" in app_client.get(f"/declarations/{data['id']}").text
    app_client.post("/sign-out")
    sign_in(app_client, stranger)
    assert app_client.get(f"/declarations/{data['id']}").status_code == 404


def test_the_cli_underwrites_a_flat_rate_only_with_the_option(
    db: Database, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    get_settings.cache_clear()
    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(cli_app, ["policies", *args])

    try:
        assert (
            run(
                "apply", "--exporter", "acme-exports", "--currency", "USD", "--turnover", "1000000"
            ).exit_code
            == 0
        )
        refused = run("underwrite", "1", "--max-liability", "400000", "--flat-rate", "0.5")
        assert (refused.exit_code, "flat_rate_not_in_schedule" in refused.output) == (4, True)
        with db.factory() as s:
            assert s.execute(select(func.count()).select_from(Policy)).scalar_one() == 0
        made = run(
            "underwrite",
            "1",
            "--max-liability",
            "400000",
            "--flat-rate-option",
            "--flat-rate",
            "0.5",
        )
        assert made.exit_code == 0, made.output
        with db.factory() as s:
            policy = s.get(Policy, 1)
            assert policy is not None
            assert (policy.flat_rate_option, policy.flat_rate_pct) == (True, Decimal("0.5"))
    finally:
        get_settings.cache_clear()
