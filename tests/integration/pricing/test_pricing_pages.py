"""The pricing pages of the dashboard through HTTP, on every configured database."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import Actor, Cast, Database, make_user_actor
from tradecover.access.model import User
from tradecover.access.roles import Role
from tradecover.audit.model import AuditEntry
from tradecover.db.engine import transaction
from tradecover.pricing import rate_table_to_dict
from tradecover.pricing.model import RateTableVersion
from tradecover.pricing.rate_table import default_rate_table

PASSWORD = "correct horse battery"
TABLE = "/pricing/rate-tables/ST-2026"


@pytest.fixture
def people(db: Database, cast: Cast) -> dict[str, Actor]:
    """An exporter's person and an insurer's underwriter who sign in to the dashboard."""
    with transaction(db.factory) as s:
        return {
            "exporter": make_user_actor(
                s, org_slug=cast.exporter.org_slug, role=Role.EXPORTER, email="li.wei@acme.example"
            ),
            "underwriter": make_user_actor(
                s, org_slug="insurer", role=Role.UNDERWRITER, email="uw@insurer.example"
            ),
        }


def sign_in(client: TestClient, actor: Actor) -> None:
    """Sign ``actor`` in through the form (the session cookie stays on the client)."""
    answer = client.post(
        "/sign-in", data={"email": actor.email, "password": PASSWORD}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text


def _versions(db: Database) -> list[tuple[int, str]]:
    with transaction(db.factory) as s:
        return [
            (r.version, r.status)
            for r in s.execute(
                select(RateTableVersion)
                .where(RateTableVersion.code == "ST-2026")
                .order_by(RateTableVersion.version)
            ).scalars()
        ]


def _audits(db: Database) -> int:
    with transaction(db.factory) as s:
        return int(
            s.execute(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "rate_table.version_added")
            ).scalar_one()
        )


def _cells(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", html)]


def _body(**cells: str) -> str:
    body: dict[str, Any] = rate_table_to_dict(default_rate_table())
    for key, rate in cells.items():
        c, terms, band = key.split("_")
        body["base"][c][terms][int(band)] = rate
    return json.dumps(body)


@pytest.mark.parametrize(
    "path", [TABLE, "/pricing/quote/short-term", "/pricing/quote/investment-debt", "/pricing/lab"]
)
def test_pricing_pages_need_a_signed_in_person(app_client: TestClient, path: str) -> None:
    answer = app_client.get(path, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/sign-in?next=")


def test_rate_table_page_shows_the_matrix_and_history_but_no_editor_to_exporters(
    app_client: TestClient, people: dict[str, Actor]
) -> None:
    sign_in(app_client, people["exporter"])
    page = app_client.get(TABLE)
    assert page.status_code == 200, page.text
    assert "Rate table ST-2026 · v1" in page.text
    assert "Floor 0.03% · Cap 3%" in page.text
    matrix = page.text.split('data-testid="rate-matrix"')[1].split("</table>")[0]
    # class 5, O/A: the 61-90 day band is 0.95 % (the cell the short-term quote starts on)
    row = next(r for r in matrix.split("<tr>") if r.startswith("<td>5</td><td>OA</td>"))
    assert _cells(row)[2 + 2] == "0.95"
    history = page.text.split('data-testid="rate-history"')[1].split("</table>")[0]
    assert _cells(history) == [
        "1",
        "active",
        "Jan 1, 2026",
        "system:bootstrap",
        "shipped default table",
    ]
    assert "Save a new version" not in page.text
    assert app_client.get("/pricing/rate-tables/NOPE").status_code == 404


def test_the_domestic_table_page_shows_one_row_without_country_classes(
    app_client: TestClient, people: dict[str, Actor]
) -> None:
    # [domain DT-4]
    sign_in(app_client, people["exporter"])
    page = app_client.get("/pricing/rate-tables/DT-2026")
    assert page.status_code == 200, page.text
    assert "Rate table DT-2026 · v1" in page.text
    matrix = page.text.split('data-testid="rate-matrix"')[1].split("</table>")[0]
    rows = [r for r in matrix.split("<tr>")[2:] if r.strip()]
    assert [_cells(r)[:2] for r in rows] == [["—", t] for t in ("LC", "DP", "DA", "OA")]
    oa = _cells(rows[3])
    assert oa[2 + 2] == "0.4"  # O/A 61-90 days


def test_underwriter_saves_a_new_version_from_the_page(
    app_client: TestClient, people: dict[str, Actor], db: Database
) -> None:
    sign_in(app_client, people["underwriter"])
    assert "Save a new version" in app_client.get(TABLE).text
    answer = app_client.post(
        TABLE,
        data={
            "body": _body(**{"7_OA_5": "0.02500"}),
            "reason": "class 7 long O/A up",
            "status": "active",
        },
        follow_redirects=False,
    )
    assert (answer.status_code, answer.headers["location"]) == (303, TABLE)
    assert _versions(db) == [(1, "retired"), (2, "active")]
    page = app_client.get(TABLE).text
    assert "Rate table ST-2026 · v2" in page
    history = page.split('data-testid="rate-history"')[1].split("</table>")[0]
    assert _cells(history)[:5] == [
        "2",
        "active",
        "Jan 1, 2026",
        "user:" + str(people["underwriter"].user_id),
        "class 7 long O/A up",
    ]


def test_a_non_monotone_edit_on_the_page_names_the_cell_and_writes_nothing(
    app_client: TestClient, people: dict[str, Actor], db: Database
) -> None:
    sign_in(app_client, people["underwriter"])
    answer = app_client.post(
        TABLE, data={"body": _body(**{"4_OA_2": "0.00100"}), "reason": "typo", "status": "active"}
    )
    assert answer.status_code == 422
    assert 'data-testid="rate-error">base[4][OA][61-90]: ' in answer.text
    answer = app_client.post(TABLE, data={"body": "{not json", "reason": "x"})
    assert answer.status_code == 422
    assert 'data-testid="rate-error">body: ' in answer.text
    answer = app_client.post(TABLE, data={"body": "[" * 50_000, "reason": "x"})
    assert answer.status_code == 422
    assert (_versions(db), _audits(db)) == ([(1, "active")], 0)


def test_an_exporter_cannot_save_a_version_from_the_page(
    app_client: TestClient, people: dict[str, Actor], db: Database
) -> None:
    sign_in(app_client, people["exporter"])
    answer = app_client.post(TABLE, data={"body": _body(), "reason": "cheaper for me"})
    assert answer.status_code == 403
    assert (_versions(db), _audits(db)) == ([(1, "active")], 0)


def test_short_term_quote_page_explains_the_rate(
    app_client: TestClient, people: dict[str, Actor]
) -> None:
    sign_in(app_client, people["exporter"])
    page = app_client.get("/pricing/quote/short-term")
    assert page.status_code == 200 and 'data-testid="quote-result"' not in page.text
    page = app_client.get(
        "/pricing/quote/short-term",
        params={"country": "tr", "terms": "OA", "days": "90", "indemnity": "90"},
    )
    assert page.status_code == 200, page.text
    result = page.text.split('data-testid="quote-result"')[1]
    assert "<h2>Rate: 1.045 %</h2>" in result
    assert "Rate table ST-2026 v1 · Country class 5 · OA · 61-90 days" in result
    assert _cells(result.split("</table>")[0]) == [
        "Base rate",
        "0.95 %",
        "",
        "buyer",
        "1.10",
        "buyer not rated",
        "indemnity_percentage",
        "1.000000",
        "insurer pays 90 % of a loss against the reference 90 %",
        "experience",
        "1",
        "no experience record: credibility 0, table rate",
        "concentration",
        "1",
        "concentration not assessed: no loading",
        "Bounds",
        "",
        "none applied",
    ]
    page = app_client.get(
        "/pricing/quote/short-term",
        params={"country": "XX", "terms": "OA", "days": "90", "indemnity": "90"},
    )
    assert page.status_code == 422
    assert 'data-testid="quote-error">country: ' in page.text
    page = app_client.get(
        "/pricing/quote/short-term",
        params={"country": "TR", "terms": "OA", "days": "soon", "indemnity": "90"},
    )
    assert page.status_code == 422


LOAN = {
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


def test_investment_debt_page_shows_the_schedule_and_table_2(
    app_client: TestClient, people: dict[str, Actor]
) -> None:
    sign_in(app_client, people["exporter"])
    assert "&#34;drawdown_periods&#34;" in app_client.get("/pricing/quote/investment-debt").text
    page = app_client.post("/pricing/quote/investment-debt", data={"loan": json.dumps(LOAN)})
    assert page.status_code == 200, page.text
    schedule = page.text.split('data-testid="schedule"')[1].split("</section>")[0]
    assert _cells(schedule) == [
        "drawdown",
        "1",
        "6,180,000",
        "52,530",
        "drawdown",
        "2",
        "10,420,000",
        "88,570",
        "repayment",
        "1",
        "10,600,000",
        "90,100",
        "repayment",
        "2",
        "5,300,000",
        "45,050",
        "276,250",
    ]
    comparison = page.text.split('data-testid="comparison"')[1].split("</section>")[0]
    assert _cells(comparison) == ["1", "5,300,000", "87,550", "142,800", "276,250"]
    bad = app_client.post(
        "/pricing/quote/investment-debt", data={"loan": json.dumps({**LOAN, "currency": "XYZ"})}
    )
    assert bad.status_code == 422
    assert 'data-testid="quote-error">currency: ' in bad.text
    for loan in ("[1, 2]", "{oops", "[" * 50_000):
        bad = app_client.post("/pricing/quote/investment-debt", data={"loan": loan})
        assert bad.status_code == 422, loan[:10]


def test_lab_page_draws_the_chart(app_client: TestClient, people: dict[str, Actor]) -> None:
    sign_in(app_client, people["exporter"])
    page = app_client.get("/pricing/lab")
    assert page.status_code == 200, page.text
    chart = page.text.split('data-testid="lab-chart">')[1].split("</figure>")[0]
    assert chart.lstrip().startswith("<svg")
    assert "flat" in page.text and "risk" in page.text


def test_pricing_pages_speak_the_readers_language(
    app_client: TestClient, people: dict[str, Actor], db: Database
) -> None:
    with transaction(db.factory) as s:
        user = s.get(User, people["underwriter"].user_id)
        assert user is not None
        user.locale = "zh_Hans"
    sign_in(app_client, people["underwriter"])
    page = app_client.get(TABLE).text
    assert "<h2>版本历史</h2>" in page and "<h2>保存新版本</h2>" in page
    page = app_client.get("/pricing/lab").text
    assert "<h1>定价实验室</h1>" in page
