"""Subsidy programmes: API, caps and budget under concurrency, statements and who sees them."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import Cast, Database, make_key_actor
from tests.integration.billing.helpers import (
    add_programme,
    book,
    declaration_row,
    declare,
    profile,
    programme_org,
)
from tradecover.access.principal import Principal
from tradecover.access.roles import Role
from tradecover.access.service import system_principal
from tradecover.billing import jobs
from tradecover.billing.notice import DEFAULT_TERMS
from tradecover.db.engine import transaction
from tradecover.kit.errors import Conflict
from tradecover.kit.money import Money
from tradecover.reporting import books_check
from tradecover.subsidies import service as subsidies
from tradecover.subsidies.model import SubsidyProgramme, SubsidyUsageExporter, SubsidyUsageYear
from tradecover.subsidies.programme import Programme

BODY = {
    "code": "SZ-SME",
    "name": "Shenzhen SME premium subsidy",
    "currency": "USD",
    "share": "0.8",
    "size_tiers": [{"below": "8000000", "share": "1"}],
    "cap_per_exporter_year": "50000",
    "budget": "2000000",
}


def test_register_read_and_refuse_programmes(
    db: Database, app_client: TestClient, cast: Cast
) -> None:
    with transaction(db.factory) as s:
        sponsor = programme_org(s, "sz-fund")
    r = app_client.post(
        "/api/v1/subsidies/programmes",
        headers=cast.finance.headers,
        json={**BODY, "sponsor_org_id": sponsor},
    )
    assert r.status_code == 201, r.text
    assert (
        r.json()["code"],
        r.json()["share"],
        r.json()["budget"],
        r.json()["used"],
        r.json()["size_tiers"],
    ) == ("SZ-SME", "0.8", "2000000.00", "0.00", [{"below": "8000000.00", "share": "1"}])
    refusals = [
        (cast.exporter.headers, {**BODY, "sponsor_org_id": sponsor}, 403),
        (cast.finance.headers, {**BODY, "sponsor_org_id": cast.exporter.org_id}, 422),
        (cast.finance.headers, {**BODY, "sponsor_org_id": sponsor}, 409),
        (
            cast.finance.headers,
            {**BODY, "code": "X2", "sponsor_org_id": sponsor, "share": 0.8},
            422,
        ),
        (
            cast.finance.headers,
            {**BODY, "code": "X3", "sponsor_org_id": sponsor, "share": "1.5"},
            422,
        ),
        (
            cast.finance.headers,
            {
                **BODY,
                "code": "X4",
                "sponsor_org_id": sponsor,
                "valid_from": "2027-01-01",
                "valid_to": "2026-01-01",
            },
            422,
        ),
    ]
    for headers, body, status in refusals:
        answer = app_client.post("/api/v1/subsidies/programmes", headers=headers, json=body)
        assert answer.status_code == status, (body, answer.text)
    with db.factory() as s:
        assert s.execute(select(SubsidyProgramme.code)).scalars().all() == ["SZ-SME"]


def test_concurrent_grants_never_pass_the_budget_or_the_caps(db: Database, cast: Cast) -> None:
    with transaction(db.factory) as s:
        pid = add_programme(
            s,
            Programme(
                code="TIGHT",
                name="Tight",
                sponsor="T",
                currency="USD",
                share=Decimal("1"),
                budget=Money.of("10.00", "USD"),
                cap_per_year=Money.of("9.00", "USD"),
                cap_per_exporter_year=Money.of("4.00", "USD"),
            ),
            slug="tight-fund",
        )
    barrier = threading.Barrier(16)
    granted: list[int] = []
    errors: list[BaseException] = []

    def one(i: int) -> None:
        try:
            barrier.wait()
            with transaction(db.factory) as s:
                g = subsidies.grant(
                    s,
                    programme_id=pid,
                    year=2026,
                    requests=[
                        subsidies.Request(
                            cast.exporter.org_id if i % 2 else cast.other_exporter.org_id, 150, 150
                        )
                    ],
                )
                granted.append(g[0].granted_minor)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [e for e in errors if not isinstance(e, Conflict)] == []
    assert sum(granted) == 800  # 4.00 per exporter, two exporters, under the 9.00 year cap
    with db.factory() as s:
        assert s.get(SubsidyProgramme, pid).used_minor == 800  # type: ignore[union-attr]
        assert s.execute(select(SubsidyUsageYear.used_minor)).scalar_one() == 800
        assert sorted(s.execute(select(SubsidyUsageExporter.used_minor)).scalars()) == [400, 400]


def test_statement_and_who_may_read_it(db: Database, app_client: TestClient, cast: Cast) -> None:
    b = book(db, app_client, cast)
    profile(app_client, cast.exporter, exports="3000000")
    with transaction(db.factory) as s:
        declare(
            s,
            [
                declaration_row(
                    policy_id=b.policy_ids[0],
                    org_id=b.exporter_org_id,
                    buyer_id=b.buyer_id,
                    premium_minor=p,
                    day=date(2026, 10, 2 + i),
                    n=i,
                )
                for i, p in enumerate((12345, 1001, 55))
            ],
        )
        sz = add_programme(
            s,
            Programme(
                code="SZ",
                name="Shenzhen SME",
                sponsor="SZ",
                currency="USD",
                share=Decimal("0.8"),
                size_tiers=(),
                max_previous_year_exports=Money.of("8000000", "USD"),
            ),
            slug="sz-fund",
        )
        other = add_programme(
            s,
            Programme(
                code="OTHER", name="Other", sponsor="O", currency="USD", share=Decimal("0.1")
            ),
            slug="other-fund",
        )
        sz_user = make_key_actor(s, org_slug="sz-fund", role=Role.PROGRAMME)
        principal: Principal = system_principal(s)
    jobs.run_month(
        db.factory,
        principal=principal,
        month="2026-10",
        issue_date=date(2026, 11, 2),
        terms=DEFAULT_TERMS,
    )
    url = f"/api/v1/subsidies/programmes/{sz}/statement?month=2026-10"
    own = app_client.get(url, headers=sz_user.headers)
    assert own.status_code == 200, own.text
    body = own.json()
    assert (body["granted"], body["paid"], body["outstanding"], body["used_total"]) == (
        "107.21",
        "0.00",
        "107.21",
        "107.21",
    )
    assert [(x["rule_applied"], x["requested"], x["granted"]) for x in body["lines"]] == [
        ("standard_share", "107.21", "107.21")
    ]
    foreign = app_client.get(
        f"/api/v1/subsidies/programmes/{other}/statement?month=2026-10", headers=sz_user.headers
    )
    assert foreign.status_code == 404
    assert app_client.get(url, headers=cast.exporter.headers).status_code == 403
    assert app_client.get(url, headers=cast.finance.headers).json() == body
    listed = app_client.get("/api/v1/subsidies/programmes", headers=sz_user.headers).json()
    assert [p["code"] for p in listed] == ["SZ"]
    # the programme pays its part: subsidy receivable settles, the books still balance
    pay = app_client.post(
        "/api/v1/billing/payments",
        json={
            "payer_kind": "programme",
            "payer_id": sz,
            "amount": "107.21",
            "currency": "USD",
            "received_on": "2026-12-01",
            "reference": "SZ-TRANSFER-1",
        },
        headers={**cast.finance.headers, "Idempotency-Key": "sz-1"},
    )
    assert pay.status_code == 201, pay.text
    after = app_client.get(url, headers=sz_user.headers).json()
    assert (after["paid"], after["outstanding"]) == ("107.21", "0.00")
    with db.factory() as s:
        assert books_check.check(s) == []
