"""The homes of a co-insurer and a subsidy programme through HTTP: each lands on what it
does here (a follower's share of the book and its statement, a programme's subsidies owed
and budget used), with a chart and its table, in the reader's language, and no link on it
leads to a refusal [domain CO-14].
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.builders.buyers import add_buyer
from tests.builders.policies import make_policy
from tests.conftest import (
    BACKENDS,
    Actor,
    Cast,
    Database,
    make_org,
    make_person,
    make_user_actor,
    sign_in,
)
from tests.integration.billing.helpers import add_programme
from tradecover import access
from tradecover.access import OrganisationKind, Role
from tradecover.audit.model import AuditEntry
from tradecover.claims.model import ClaimRow
from tradecover.coinsurance.model import CoinsuranceClaimApproval, CoinsuranceParticipation
from tradecover.db.engine import transaction
from tradecover.kit.dates import utc_now
from tradecover.kit.money import Money
from tradecover.policies.model import Policy
from tradecover.subsidies.programme import Programme

PASSWORD = "correct horse battery"
_HREF = re.compile(r'href="(/[^"#?]*)"')


def _sign_in(client: TestClient, actor: Actor) -> None:
    answer = client.post(
        "/sign-in", data={"email": actor.email, "password": PASSWORD}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text


def _follower(db: Database, cast: Cast) -> tuple[Actor, str]:
    """A co-insurer with 25 % of a policy of the exporter, and one of its people."""
    with transaction(db.factory) as s:
        org = make_org(s, slug="co-pacific", kind=OrganisationKind.COINSURER, region=None)
        policy = make_policy(s, exporter_org_id=cast.exporter.org_id)
        policy.number = "TC-CO-0001"
        lead = access.insurer(s).id
        day = date(2020, 1, 1)
        s.add_all(
            CoinsuranceParticipation(
                policy_id=policy.id,
                org_id=org_id,
                role=role,
                share=Decimal(share),
                effective_from=day,
            )
            for org_id, role, share in ((lead, "lead", "75"), (org, "follower", "25"))
        )
        person = make_user_actor(
            s, org_slug="co-pacific", role=Role.COINSURER, email="lee@co-pacific.example"
        )
    return person, "TC-CO-0001"


def _programme(db: Database) -> Actor:
    """A programme with a budget of 1,000,000 CNY, and one of its people."""
    with transaction(db.factory) as s:
        add_programme(
            s,
            Programme(
                code="ZJ",
                name="Zhejiang export subsidy",
                sponsor="Zhejiang",
                currency="CNY",
                share=Decimal("0.5"),
                budget=Money.of(1_000_000, "CNY"),
            ),
            slug="zj-fund",
        )
        return make_user_actor(
            s, org_slug="zj-fund", role=Role.PROGRAMME, email="huang@zj-fund.example"
        )


def test_the_followers_home_shows_its_share_of_the_book(
    app_client: TestClient, db: Database, cast: Cast
) -> None:
    person, number = _follower(db, cast)
    _sign_in(app_client, person)
    page = app_client.get("/")
    assert page.status_code == 200, page.text
    assert "Your share of the book" in page.text
    assert 'data-testid="follower-book"' in page.text and number in page.text
    assert "25%" in page.text and "Follower" in page.text
    assert "No claim waits for your approval." in page.text
    app_client.post("/language", data={"locale": "zh_Hans", "next": "/"})
    chinese = app_client.get("/")
    assert "您在承保业务中的份额" in chinese.text and "跟随共保人" in chinese.text
    assert "Your share of the book" not in chinese.text


def test_the_programmes_home_shows_subsidies_owed_and_budget_used(
    app_client: TestClient, db: Database
) -> None:
    _sign_in(app_client, _programme(db))
    page = app_client.get("/")
    assert page.status_code == 200, page.text
    assert "Subsidies owed and budget used" in page.text
    assert 'data-testid="programme-budget"' in page.text
    assert "Zhejiang export subsidy" in page.text
    assert "<svg" in page.text and 'role="img"' in page.text
    assert "No premium notice has asked this programme for a subsidy yet." in page.text
    app_client.post("/language", data={"locale": "ko", "next": "/"})
    korean = app_client.get("/")
    assert "지급할 보조금 및 사용한 예산" in korean.text


@pytest.mark.parametrize("database", [BACKENDS[-1]], indirect=True)  # links follow roles only
@pytest.mark.parametrize("role", [Role.COINSURER, Role.PROGRAMME])
def test_no_link_on_a_partys_home_leads_to_a_refusal(
    app_client: TestClient, db: Database, cast: Cast, role: Role
) -> None:
    person = _follower(db, cast)[0] if role is Role.COINSURER else _programme(db)
    _sign_in(app_client, person)
    page = app_client.get("/")
    assert page.status_code == 200
    links = sorted(set(_HREF.findall(page.text)) - {"/static/style.css", "/static/favicon.svg"})
    assert "/consents" in links
    for link in links:
        answer = app_client.get(link, follow_redirects=False)
        assert answer.status_code in (200, 303), (role, link, answer.status_code)


def _waiting_claim(db: Database, cast: Cast, number: str) -> int:
    """A claim of 10,000 USD on the follower's policy, waiting for its approval."""
    with transaction(db.factory) as s:
        policy = s.execute(select(Policy).where(Policy.number == number)).scalar_one()
        buyer_id = add_buyer(s, org_id=cast.exporter.org_id)
        follower = s.execute(
            select(CoinsuranceParticipation.org_id).where(
                CoinsuranceParticipation.policy_id == policy.id,
                CoinsuranceParticipation.role == "follower",
            )
        ).scalar_one()
        day, now = date(2020, 6, 1), utc_now()
        claim = ClaimRow(
            exporter_org_id=cast.exporter.org_id,
            policy_id=policy.id,
            buyer_id=buyer_id,
            cause="insolvency",
            currency="USD",
            loss_minor=1_100_000,
            indemnity_minor=1_000_000,
            state="approved",
            checks={},
            calculation={},
            notice_filed_on=day,
            due_date=day,
            filed_on=day,
            filed_at=now,
            filed_by="test",
        )
        s.add(claim)
        s.flush()
        s.add(
            CoinsuranceClaimApproval(
                claim_id=claim.id,
                policy_id=policy.id,
                exporter_org_id=cast.exporter.org_id,
                org_id=follower,
                currency="USD",
                indemnity_minor=1_000_000,
                share_minor=250_000,
                threshold_minor=100_000,
                state="pending",
                requested_at=now,
            )
        )
        return claim.id


def _approval(db: Database, claim_id: int) -> tuple[str, str | None]:
    with db.factory() as s:
        row = s.execute(
            select(CoinsuranceClaimApproval).where(CoinsuranceClaimApproval.claim_id == claim_id)
        ).scalar_one()
        return row.state, row.reason


def test_the_follower_answers_a_waiting_claim_from_its_home(
    app_client: TestClient, db: Database, cast: Cast
) -> None:
    """[domain CO-12] Approve and object (with a reason) from the co-insurer's home; a
    refusal shows the home again with the field and its 4xx, nothing written."""
    person, number = _follower(db, cast)
    first, second = _waiting_claim(db, cast, number), _waiting_claim(db, cast, number)
    _sign_in(app_client, person)
    page = app_client.get("/")
    assert f'action="/coinsurance/claims/{first}/approval"' in page.text
    assert 'data-testid="follower-waiting"' in page.text
    app_client.post("/language", data={"locale": "ko", "next": "/"})
    assert "이의 제기" in app_client.get("/").text
    app_client.post("/language", data={"locale": "en", "next": "/"})
    url = f"/coinsurance/claims/{second}/approval"
    refused = app_client.post(url, data={"answer": "object", "reason": "  "})
    assert refused.status_code == 422 and "reason_required" in refused.text
    assert "<code>reason</code>" in refused.text and 'aria-invalid="true"' in refused.text
    assert _approval(db, second) == ("pending", None)
    odd = app_client.post(url, data={"answer": "maybe"})
    assert odd.status_code == 422 and "<code>answer</code>" in odd.text
    unknown = app_client.post("/coinsurance/claims/999999/approval", data={"answer": "approve"})
    assert unknown.status_code == 404
    assert _approval(db, second) == ("pending", None)
    objected = app_client.post(url, data={"answer": "object", "reason": "the buyer paid us"})
    assert objected.status_code == 200 and 'data-testid="answered"' in objected.text
    assert _approval(db, second) == ("objected", "the buyer paid us")
    assert 'data-testid="objected-' + str(second) + '"' in objected.text  # may still approve
    approved = app_client.post(f"/coinsurance/claims/{first}/approval", data={"answer": "approve"})
    assert approved.status_code == 200, approved.text
    assert _approval(db, first)[0] == "approved"
    assert f'data-testid="waiting-{first}"' not in approved.text
    with db.factory() as s:
        actions = list(
            s.execute(
                select(AuditEntry.action).where(
                    AuditEntry.entity_type == "claim",
                    AuditEntry.entity_id.in_([str(first), str(second)]),
                )
            ).scalars()
        )
    assert len(actions) == 2
    sign_in(app_client, make_person(db, "insurer", Role.UNDERWRITER, "uw@insurer.test"))
    other = app_client.post(url, data={"answer": "approve"})
    assert other.status_code == 403
