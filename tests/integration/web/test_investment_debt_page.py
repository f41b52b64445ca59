"""The policy page of an overseas investment debt policy: its premium schedule and its
claims on a missed repayment, in English and in Chinese.
"""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from tests.builders.policies import issued_investment_debt_policy
from tests.conftest import Cast, Database, make_person, sign_in
from tests.integration.policies.investment_debt_flow import (
    CLAIMS,
    approve_claim,
    dates,
    file_claim,
    first_three_paid,
    notify,
)
from tradecover.access.model import User
from tradecover.access.roles import Role
from tradecover.db.engine import transaction
from tradecover.web import i18n


def _cells(html: str, table_id: str) -> list[list[str]]:
    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(
        r"<tr[^>]*>(.*?)</tr>", body.split("<tbody>", 1)[1].split("</tbody>", 1)[0], re.S
    )
    return [
        [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)
        ]
        for r in rows
    ]


def test_schedule_and_claims_on_the_policy_page(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    d = dates()
    pid = issued_investment_debt_policy(app_client, cast, d.inception)
    first_three_paid(app_client, cast, pid, d)
    notify(app_client, cast, pid, 4, d.today - timedelta(days=5))
    cid = file_claim(app_client, cast, pid, d.r1_due)["id"]
    person = make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example")
    sign_in(app_client, person)
    page = app_client.get(f"/policies/{pid}")
    assert page.status_code == 200, page.text
    periods = _cells(page.text, "premium-schedule")
    assert [row[:4] for row in periods] == [
        ["1", "Drawdown 1", "$6,180,000.00", "$52,530.00"],
        ["2", "Drawdown 2", "$10,420,000.00", "$88,570.00"],
        ["3", "Repayment 1", "$10,600,000.00", "$90,100.00"],
        ["4", "Repayment 2", "$5,300,000.00", "$45,050.00"],
    ]
    assert [row[7] for row in periods] == ["Paid", "Paid", "Paid", "Due"]
    assert periods[3][6] == ""  # not paid yet
    assert '<td class="num" id="total-premium">$276,250.00</td>' in page.text
    assert _cells(page.text, "loan-claims") == [
        [
            str(cid),
            "1",
            i18n.Formatter("en").date(d.today),
            "Filed",
            "$5,600,000.00",
            "$5,600,000.00",
            "$0.00",
            "",
        ]
    ]
    approve_claim(app_client, cast, cid)
    r = app_client.post(
        f"{CLAIMS}/{cid}/pay", headers={**cast.finance.headers, "Idempotency-Key": "web-1"}
    )
    assert r.status_code == 200, r.text
    with transaction(db.factory) as s:
        user = s.get(User, person.user_id)
        assert user is not None
        user.locale = "zh_Hans"
    page = app_client.get(f"/policies/{pid}")
    periods = _cells(page.text, "premium-schedule")
    assert [row[1] for row in periods] == ["提款期 1", "提款期 2", "还款期 1", "还款期 2"]
    paid = i18n.gettext("zh_Hans", "Paid")
    assert [row[7] for row in periods] == [paid] * 4
    assert periods[3][6] == i18n.Formatter("zh_Hans").date(d.today)  # set off today
    claim = _cells(page.text, "loan-claims")[0]
    assert claim[4:] == ["US$5,600,000.00", "US$5,600,000.00", "US$45,050.00", "US$5,554,950.00"]
    assert "抵扣保费" in page.text and "实付赔款" in page.text
    assert "保费已从赔款中抵扣" in page.text  # the set-off in the policy's history


def test_other_products_show_no_loan_sections(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    from tests.builders.policies import make_policy

    with transaction(db.factory) as s:
        policy = make_policy(s, exporter_org_id=cast.exporter.org_id)
        pid = policy.id
    sign_in(app_client, make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example"))
    page = app_client.get(f"/policies/{pid}")
    assert page.status_code == 200
    assert 'id="premium-schedule"' not in page.text and 'id="loan-claims"' not in page.text
