"""Double insurance end to end, on both backends [000]: commercial risk with a commercial
insurer and political risk with the state insurer on one policy, each with its own rate
and limit [domain MK-12], its own premium on every notice [domain MK-13], the claims of its
causes within its own limit [domain MK-14], shown together to the exporter
[domain MK-15]; every refusal writes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from tests.conftest import Cast, Database, make_org, make_person, sign_in
from tests.integration.billing.helpers import book, declaration_row, declare
from tests.integration.claims.conftest import AFTER_DUE, Book, principal, run, usd
from tests.integration.claims.documents import accept_documents
from tests.integration.coinsurance.conftest import claims_book
from tests.integration.coinsurance.test_coinsurance import body as coinsured
from tests.integration.web.test_investment_debt_page import _cells
from tradecover import access, claims
from tradecover.access import OrganisationKind
from tradecover.access.model import User
from tradecover.access.roles import Role
from tradecover.audit.model import AuditEntry
from tradecover.billing import jobs
from tradecover.billing.model import PremiumNotice
from tradecover.billing.notice import DEFAULT_TERMS
from tradecover.claims.indemnity import LossCause
from tradecover.claims.model import ClaimRow
from tradecover.claims.recovery import RecoverySource
from tradecover.collections import service as collections
from tradecover.collections.overdue import LossCauseHint
from tradecover.db.engine import transaction
from tradecover.ledger import Account, party_balances
from tradecover.market import CarrierLimitExceeded
from tradecover.market.model import MarketCarrierPart, MarketRiskCarrier
from tradecover.reporting import books_check
from tradecover.web import i18n

__all__ = ["claims_book"]

M = "/api/v1/market"


def _market(db: Database, client: TestClient, cast: Cast) -> tuple[int, int]:
    """A commercial insurer and the platform's insurer as the insurer of last resort."""
    with transaction(db.factory) as s:
        alpha = make_org(s, slug="alpha-credit", kind=OrganisationKind.COINSURER, region=None)
        state = access.insurer(s).id
    for org_id, last in ((alpha, False), (state, True)):
        r = client.post(
            f"{M}/insurers",
            json={"org_id": org_id, "last_resort": last},
            headers=cast.admin.headers,
        )
        assert r.status_code == 201, r.text
    return alpha, state


def _body(alpha: int, state: int, **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "commercial": {"insurer_org_id": alpha, "rate_pct": "0.30", "maximum_liability": "3000000"},
        "political": {"insurer_org_id": state, "rate_pct": "0.15", "maximum_liability": "2000000"},
        "reason": "double insurance agreed with the exporter",
    }
    body.update(over)
    return body


def _counts(db: Database) -> tuple[int, int, int]:
    with db.factory() as s:
        return tuple(  # type: ignore[return-value]
            s.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (MarketRiskCarrier, MarketCarrierPart, AuditEntry)
        )


def test_carriers_are_set_audited_and_bad_sets_change_nothing(
    db: Database, app_client: TestClient, cast: Cast
) -> None:
    # [domain MK-12]
    pid = book(db, app_client, cast).policy_ids[0]
    alpha, state = _market(db, app_client, cast)
    url = f"{M}/policies/{pid}/carriers"
    before = _counts(db)

    def changed(risk_class: str, **over: str | int) -> dict[str, Any]:
        good = _body(alpha, state)
        return {**good, risk_class: {**good[risk_class], **over}}

    for body, status, code in (
        (changed("commercial", rate_pct="0.20"), 422, "carrier_rates_mismatch"),
        (changed("political", insurer_org_id=alpha), 422, "political_not_last_resort"),
        (changed("commercial", insurer_org_id=state), 422, "not_a_commercial_insurer"),
        (changed("political", maximum_liability="5000000.01"), 422, "carrier_limit_exceeds_policy"),
        (changed("political", rate_pct="0.12345"), 422, "invalid_request"),
    ):
        r = app_client.put(url, json=body, headers=cast.underwriter.headers)
        assert (r.status_code, r.json()["code"]) == (status, code), r.text
    r = app_client.put(url, json=_body(alpha, state), headers=cast.exporter.headers)
    assert r.status_code == 403
    r = app_client.put(f"{M}/policies/999999/carriers", json=_body(alpha, state),
                       headers=cast.underwriter.headers)  # fmt: skip
    assert r.status_code == 404
    assert _counts(db) == before
    r = app_client.put(url, json=_body(alpha, state), headers=cast.underwriter.headers)
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["double_insurance"] is True
    assert [(c["risk_class"], c["insurer_org_id"], c["rate_pct"]) for c in got["carriers"]] == [
        ("commercial", alpha, "0.30"),
        ("political", state, "0.15"),
    ]
    assert got["carriers"][0]["causes"] == ["insolvency", "protracted_default", "refusal_of_goods"]
    assert "war" in got["carriers"][1]["causes"]
    with db.factory() as s:
        entry = s.execute(
            select(AuditEntry).where(AuditEntry.action == "market.carriers_set")
        ).scalar_one()
        assert entry.org_id == cast.exporter.org_id
        assert [c["insurer_org_id"] for c in entry.after] == [alpha, state]
        assert entry.before == []


def test_each_carrier_bills_its_own_premium_on_the_notice(
    db: Database, app_client: TestClient, cast: Cast
) -> None:
    # [domain MK-13] [domain MK-15]
    b = book(db, app_client, cast)
    pid = b.policy_ids[0]
    alpha, state = _market(db, app_client, cast)
    r = app_client.put(
        f"{M}/policies/{pid}/carriers", json=_body(alpha, state), headers=cast.underwriter.headers
    )
    assert r.status_code == 200, r.text
    with transaction(db.factory) as s:
        declare(
            s,
            [
                declaration_row(
                    policy_id=pid, org_id=b.exporter_org_id, buyer_id=b.buyer_id,
                    premium_minor=m, day=date(2026, 10, 3 + n), n=n,
                )
                for n, m in enumerate((12345, 1001, 56))
            ],
        )  # fmt: skip
        system = access.system_principal(s)
    jobs.run_month(
        db.factory, principal=system, month="2026-10", issue_date=date(2026, 11, 2),
        terms=DEFAULT_TERMS,
    )  # fmt: skip
    with db.factory() as s:
        notice = s.execute(select(PremiumNotice)).scalar_one()
        parts = {
            r.risk_class: (r.org_id, r.amount_minor)
            for r in s.execute(select(MarketCarrierPart)).scalars()
        }
        # 134.02 x 0.30/0.45 = 89.3467 and x 0.15/0.45 = 44.6733: 89.34 + 44.67, the cent
        # left to the larger remainder (the commercial carrier's .67)
        assert notice.total_minor == 13402
        assert parts == {"commercial": (alpha, 8935), "political": (state, 4467)}
        income = party_balances(s, Account.PREMIUM_INCOME)
        assert income[(f"insurer:{alpha}", "USD")] == -8935
        assert income[(f"insurer:{state}", "USD")] == -4467
        assert income[("None", "USD")] == 0
        assert books_check.check(s) == []
        # the ledger check names a tampered split (then the change is rolled back)
        s.execute(
            update(MarketCarrierPart)
            .where(MarketCarrierPart.risk_class == "political")
            .values(amount_minor=4466)
        )
        problems = books_check.check(s)
        assert any(p.startswith("carrier split of notice") for p in problems), problems
        assert any(p.startswith("carrier entry of notice") for p in problems), problems
        s.rollback()
    view = app_client.get(f"{M}/policies/{pid}/insurers", headers=cast.exporter.headers).json()
    assert [(c["risk_class"], c["premium"]) for c in view["carriers"]] == [
        ("commercial", "89.35"),
        ("political", "44.67"),
    ]


def _approved_claim(db: Database, cast: Cast, bk: Book) -> int:
    exporter = principal(db, cast.exporter)
    handler = principal(db, cast.claims_handler)
    decl = bk.declarations[0]
    run(
        db,
        lambda s: collections.file_notice(
            s, principal=exporter, declaration_id=decl, cause=LossCauseHint.INSOLVENCY,
            today=AFTER_DUE,
        ),
    )  # fmt: skip
    row = run(
        db,
        lambda s: claims.file_claim(
            s, principal=exporter, today=AFTER_DUE, cause=LossCause.INSOLVENCY,
            lines=[claims.LineIn(declaration_id=decl)],
        ),
    )  # fmt: skip
    assert isinstance(row, ClaimRow)
    run(db, lambda s: claims.start_checks(s, principal=handler, claim_id=row.id))
    accept_documents(db, cast, row.id)
    run(db, lambda s: claims.approve(s, principal=handler, claim_id=row.id, today=AFTER_DUE))
    return row.id


def test_a_claim_goes_to_the_carrier_of_its_cause_within_its_own_limit(
    db: Database, app_client: TestClient, cast: Cast, claims_book: Book
) -> None:
    # [domain MK-14] [domain MK-15]
    pid = claims_book.policy_id
    alpha, state = _market(db, app_client, cast)
    url = f"{M}/policies/{pid}/carriers"
    small = _body(alpha, state, commercial={**_body(alpha, state)["commercial"],
                                            "maximum_liability": "20000"})  # fmt: skip
    assert app_client.put(url, json=small, headers=cast.underwriter.headers).status_code == 200
    claim_id = _approved_claim(db, cast, claims_book)
    before = _counts(db)
    finance = principal(db, cast.finance)
    with pytest.raises(CarrierLimitExceeded) as refused:  # 27,000 against a 20,000 limit
        run(db, lambda s: claims.pay(s, principal=finance, claim_id=claim_id, today=AFTER_DUE))
    assert (refused.value.status, refused.value.code) == (409, "carrier_limit_exceeded")
    assert refused.value.details["remaining_minor"] == 2_000_000
    assert _counts(db) == before
    with db.factory() as s:
        claim = s.get(ClaimRow, claim_id)
        assert claim is not None and (claim.state, claim.paid_on) == ("approved", None)
    assert (
        app_client.put(url, json=_body(alpha, state), headers=cast.underwriter.headers).status_code
        == 200
    )
    run(db, lambda s: claims.pay(s, principal=finance, claim_id=claim_id, today=AFTER_DUE))
    handler = principal(db, cast.claims_handler)
    run(
        db,
        lambda s: claims.record_recovery(
            s, principal=handler, claim_id=claim_id, source=RecoverySource.ESTATE,
            gross=usd("1000.01"), costs=usd(100), received_on=AFTER_DUE,
        ),
    )  # fmt: skip
    with db.factory() as s:
        claim = s.get(ClaimRow, claim_id)
        assert claim is not None
        parts = {
            (r.source, r.risk_class): (r.org_id, r.amount_minor)
            for r in s.execute(select(MarketCarrierPart)).scalars()
        }
        assert parts[("claim", "commercial")] == (alpha, claim.paid_minor)
        assert parts[("claim", "political")] == (state, 0)
        assert parts[("recovery", "political")] == (state, 0)
        assert parts[("recovery", "commercial")][0] == alpha
        expense = party_balances(s, Account.CLAIMS_EXPENSE)
        assert expense[(f"insurer:{alpha}", "USD")] == claim.paid_minor
        assert books_check.check(s) == []
    view = app_client.get(f"{M}/policies/{pid}/insurers", headers=cast.exporter.headers).json()
    commercial, political = view["carriers"]
    paid = claim.paid_minor
    assert commercial["claims_paid"] == f"{paid // 100}.{paid % 100:02d}"
    assert political["claims_paid"] == "0.00"
    assert (
        commercial["remaining_liability"]
        == f"{(300000000 - paid) // 100}.{(300000000 - paid) % 100:02d}"
    )
    assert political["remaining_liability"] == "2000000.00"


def test_the_policy_page_shows_both_insurers_in_every_language(
    db: Database, app_client: TestClient, cast: Cast
) -> None:
    # [domain MK-15]
    pid = book(db, app_client, cast).policy_ids[0]
    alpha, state = _market(db, app_client, cast)
    r = app_client.put(
        f"{M}/policies/{pid}/carriers", json=_body(alpha, state), headers=cast.underwriter.headers
    )
    assert r.status_code == 200, r.text
    person = make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example")
    sign_in(app_client, person)
    page = app_client.get(f"/policies/{pid}")
    assert page.status_code == 200, page.text
    rows = _cells(page.text, "carriers")
    assert [(row[0], row[2], row[3], row[4]) for row in rows] == [
        ("Commercial risks", "Insolvency, Protracted default, Refusal of goods", "0.3%",
         "$3,000,000.00"),
        ("Political risks", "Transfer restriction, Import ban, War, Other political event",
         "0.15%", "$2,000,000.00"),
    ]  # fmt: skip
    assert [row[8] for row in rows] == ["$3,000,000.00", "$2,000,000.00"]
    for locale in ("zh_Hans", "zh_Hant", "ko"):
        with transaction(db.factory) as s:
            user = s.get(User, person.user_id)
            assert user is not None
            user.locale = locale
        page = app_client.get(f"/policies/{pid}")
        assert page.status_code == 200
        rows = _cells(page.text, "carriers")
        assert rows[0][0] == i18n.gettext(locale, "Commercial risks")
        assert i18n.gettext(locale, "Double insurance") in page.text
        for code in ("commercial", "political", "insolvency", "import_ban"):
            assert f">{code}<" not in page.text


def test_a_policy_is_double_insured_or_coinsured_never_both(
    db: Database, app_client: TestClient, cast: Cast
) -> None:
    # [domain MK-12]: both would move the same pooled amount to insurers
    first, second = book(db, app_client, cast, policies=2).policy_ids
    alpha, state = _market(db, app_client, cast)
    with transaction(db.factory) as s:
        beta = make_org(s, slug="beta-cover", kind=OrganisationKind.COINSURER, region=None)
    r = app_client.put(
        f"{M}/policies/{first}/carriers", json=_body(alpha, state), headers=cast.underwriter.headers
    )
    assert r.status_code == 200, r.text
    before = _counts(db)
    r = app_client.post(
        "/api/v1/coinsurance/participations",
        json=coinsured(first, state, alpha, beta),
        headers=cast.underwriter.headers,
    )
    assert (r.status_code, r.json()["code"]) == (409, "policy_double_insured"), r.text
    assert _counts(db) == before
    r = app_client.post(
        "/api/v1/coinsurance/participations",
        json=coinsured(second, state, alpha, beta),
        headers=cast.underwriter.headers,
    )
    assert r.status_code == 201, r.text
    before = _counts(db)
    r = app_client.put(
        f"{M}/policies/{second}/carriers",
        json=_body(alpha, state),
        headers=cast.underwriter.headers,
    )
    assert (r.status_code, r.json()["code"]) == (409, "policy_coinsured")
    assert _counts(db) == before
