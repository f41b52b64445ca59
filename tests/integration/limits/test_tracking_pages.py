"""The limit tracking pages: the large-limit watch list, bulk actions with their preview,
the idle-limit job, the buyer match review queue and the aggregate override on the buyer
page; insurer staff only, and refused input shows a problem and writes nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from tests.builders.buyers import buyer
from tests.builders.limits import limit_in_force
from tests.builders.policies import active
from tests.conftest import Actor, Cast, Database, make_person, sign_in
from tests.integration.limits.helpers import committed, counts
from tradecover.access.roles import Role
from tradecover.audit.model import AuditEntry
from tradecover.buyers.model import Buyer, BuyerMatchReview
from tradecover.kit.dates import business_today
from tradecover.limits.model import BuyerAggregate, CreditLimit, LimitNotification
from tradecover.web.limits import tracking_pages as limit_tracking_pages


def _limit(
    client: TestClient,
    cast: Cast,
    pol: int,
    n: int,
    amount: str,
    *,
    country: str = "DE",
    sector: str = "machinery",
) -> tuple[int, int]:
    """A limit in force (automatic approval) on a new buyer: (buyer id, limit id)."""
    made = limit_in_force(
        client,
        cast.exporter,
        policy_id=pol,
        amount=amount,
        name=f"Tracking Buyer {n} Handels GmbH",
        country=country,
        sector=sector,
        registration_number=f"HRB 7{n:04d}",
        own_reference=f"T-{n}",
    )
    return made.buyer_id, made.limit_id


def _amounts(db: Database) -> dict[int, tuple[int, str]]:
    with db.factory() as s:
        return {r.id: (r.amount_minor, r.status) for r in s.execute(select(CreditLimit)).scalars()}


def _fingerprint(html: str) -> str:
    found = re.search(r'name="preview" value="([0-9a-f]{64})"', html)
    assert found, html
    return found.group(1)


def _people(db: Database) -> tuple[Actor, Actor, Actor]:
    return (
        make_person(db, "insurer", Role.RISK_MANAGER, "risk@insurer.example"),
        make_person(db, "insurer", Role.UNDERWRITER, "uw@insurer.example"),
        make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example"),
    )


def test_watch_list_shows_buyers_over_the_thresholds_to_insurer_staff_only(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    pol = active(app_client, cast)["id"]
    big, _ = _limit(app_client, cast, pol, 1, "45000")
    small, _ = _limit(app_client, cast, pol, 2, "20000")
    risk, underwriter, exporter = _people(db)

    sign_in(app_client, risk)
    queue = app_client.get("/limits")
    assert 'href="/limits/watch-list"' in queue.text and 'href="/buyers/matches"' in queue.text
    default = app_client.get("/limits/watch-list")
    assert default.status_code == 200, default.text
    assert 'data-testid="watch-' not in default.text  # nothing reaches 5 million
    page = app_client.get("/limits/watch-list", params={"single": "40,000"})
    assert page.status_code == 200, page.text
    assert f'data-testid="watch-{big}"' in page.text and "Tracking Buyer 1" in page.text
    assert "45,000.00" in page.text and "Large single limit" in page.text
    assert f'data-testid="watch-{small}"' not in page.text
    both = app_client.get("/limits/watch-list", params={"single": "19000"})
    assert f'data-testid="watch-{small}"' in both.text
    bad = app_client.get("/limits/watch-list", params={"single": "lots"})
    assert bad.status_code == 422 and "invalid_threshold" in bad.text

    app_client.post("/language", data={"locale": "ko", "next": "/limits/watch-list"})
    korean = app_client.get("/limits/watch-list", params={"single": "40000"})
    assert "고액 한도 관찰 목록" in korean.text and "관찰 목록</a>" in korean.text

    sign_in(app_client, underwriter)
    assert app_client.get("/limits/watch-list", params={"single": "40000"}).status_code == 200

    sign_in(app_client, exporter)
    assert app_client.get("/limits/watch-list").status_code == 403
    assert 'href="/limits/watch-list"' not in app_client.get("/limits").text


def test_bulk_cut_by_country_previews_and_cuts_exactly_the_limits_there(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    pol = active(app_client, cast)["id"]
    de_1, de_limit_1 = _limit(app_client, cast, pol, 3, "40000")
    _, de_limit_2 = _limit(app_client, cast, pol, 4, "30000", sector="electronics")
    _, us_limit = _limit(app_client, cast, pol, 5, "20000", country="US")
    risk, _, exporter = _people(db)
    form = {
        "scope": "country",
        "value": "de",
        "action": "cut",
        "cut_pct": "30",
        "reason": "tariff shock",
    }

    sign_in(app_client, risk)
    preview = app_client.get("/limits/bulk", params=form)
    assert preview.status_code == 200, preview.text
    assert f'data-testid="preview-{de_limit_1}"' in preview.text
    assert f'data-testid="preview-{de_limit_2}"' in preview.text
    assert f'data-testid="preview-{us_limit}"' not in preview.text
    assert "28,000.00" in preview.text and "21,000.00" in preview.text  # after the cut
    fingerprint = _fingerprint(preview.text)
    assert _amounts(db)[de_limit_1] == (4_000_000, "active")  # a preview writes nothing

    before = counts(db)
    for bad, code, status in (
        ({"cut_pct": "150"}, "cut_out_of_range", 422),
        ({"cut_pct": "abc"}, "cut_out_of_range", 422),
        ({"reason": "  "}, "reason_required", 422),
        ({"value": "Germany"}, "invalid_country", 422),
        ({"scope": "planet"}, "invalid_scope", 422),
        ({"value": "US"}, "scope_changed", 409),
    ):
        answer = app_client.post("/limits/bulk", data={**form, **bad, "preview": fingerprint})
        assert answer.status_code == status, (bad, answer.text)
        assert 'data-testid="problem"' in answer.text and code in answer.text
    stale = app_client.post("/limits/bulk", data={**form, "preview": "0" * 64})
    assert stale.status_code == 409 and "scope_changed" in stale.text
    assert counts(db) == before

    done = app_client.post("/limits/bulk", data={**form, "preview": fingerprint})
    assert done.status_code == 200, done.text
    assert 'data-testid="done"' in done.text
    amounts = _amounts(db)
    assert amounts[de_limit_1] == (2_800_000, "active")
    assert amounts[de_limit_2] == (2_100_000, "active")
    assert amounts[us_limit] == (2_000_000, "active")
    assert committed(db, buyer_id=de_1, country="DE") == (2_800_000, 4_900_000)
    with db.factory() as s:
        notices = sorted(s.execute(select(LimitNotification.limit_id)).scalars())
        action = s.execute(
            select(AuditEntry).where(AuditEntry.action == "limit.bulk_action")
        ).scalar_one()
    assert notices == sorted([de_limit_1, de_limit_2])
    assert (action.actor, action.reason) == (f"user:{risk.user_id}", "tariff shock")

    sign_in(app_client, exporter)
    assert app_client.get("/limits/bulk", params=form).status_code == 403
    before = counts(db)
    assert app_client.post("/limits/bulk", data={**form, "preview": fingerprint}).status_code == 403
    assert counts(db) == before


def test_bulk_cancel_by_sector_and_by_buyer(
    app_client: TestClient, cast: Cast, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    pol = active(app_client, cast)["id"]
    _, machinery = _limit(app_client, cast, pol, 6, "40000")
    _, electronics_1 = _limit(app_client, cast, pol, 7, "30000", sector="electronics")
    electronics_buyer, electronics_2 = _limit(
        app_client, cast, pol, 8, "25000", sector="electronics", country="US"
    )
    risk, _, _ = _people(db)
    sign_in(app_client, risk)
    form = {
        "scope": "sector",
        "value": "electronics",
        "action": "cancel",
        "cut_pct": "",
        "reason": "chip glut",
    }
    preview = app_client.get("/limits/bulk", params=form)
    assert preview.status_code == 200, preview.text
    listed = [int(i) for i in re.findall(r'data-testid="preview-(\d+)"', preview.text)]
    assert listed == [electronics_1, electronics_2]  # DE before US
    monkeypatch.setattr(limit_tracking_pages, "PREVIEW_ROWS", 1)
    short = app_client.get("/limits/bulk", params=form)
    assert re.findall(r'data-testid="preview-(\d+)"', short.text) == [str(electronics_1)]
    assert 'data-testid="more"' in short.text  # the second is counted, not printed
    unknown = app_client.get("/limits/bulk", params={**form, "value": "spaceflight"})
    assert unknown.status_code == 422 and "invalid_sector" in unknown.text

    done = app_client.post("/limits/bulk", data={**form, "preview": _fingerprint(short.text)})
    assert done.status_code == 200, done.text
    amounts = _amounts(db)
    assert amounts[electronics_1][1] == amounts[electronics_2][1] == "cancelled"
    assert amounts[machinery] == (4_000_000, "active")
    nothing = app_client.get(
        "/limits/bulk", params={**form, "scope": "buyer", "value": str(electronics_buyer)}
    )
    assert nothing.status_code == 200 and 'name="preview"' not in nothing.text


def test_idle_limits_are_previewed_then_revoked(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    pol = active(app_client, cast)["id"]
    _, old = _limit(app_client, cast, pol, 9, "40000")
    _, fresh = _limit(app_client, cast, pol, 10, "30000")
    with db.factory() as s, s.begin():
        s.execute(
            update(CreditLimit)
            .where(CreditLimit.id == old)
            .values(effective_from=business_today() - timedelta(days=200))
        )
    risk, _, exporter = _people(db)

    sign_in(app_client, risk)
    preview = app_client.get("/limits/idle")
    assert preview.status_code == 200, preview.text
    assert f'data-testid="preview-{old}"' in preview.text
    assert f'data-testid="preview-{fresh}"' not in preview.text
    longer = app_client.get("/limits/idle", params={"idle_days": "365"})
    assert 'data-testid="preview-' not in longer.text

    before = counts(db)
    for days in ("0", "ten", "99999"):
        bad = app_client.post(
            "/limits/idle", data={"idle_days": days, "preview": _fingerprint(preview.text)}
        )
        assert bad.status_code == 422 and "invalid_idle_days" in bad.text, days
    stale = app_client.post("/limits/idle", data={"idle_days": "180", "preview": "f" * 64})
    assert stale.status_code == 409 and "scope_changed" in stale.text
    assert counts(db) == before

    done = app_client.post(
        "/limits/idle", data={"idle_days": "180", "preview": _fingerprint(preview.text)}
    )
    assert done.status_code == 200, done.text
    assert 'data-testid="done"' in done.text
    amounts = _amounts(db)
    assert (amounts[old][1], amounts[fresh][1]) == ("cancelled", "active")
    with db.factory() as s:
        kinds = list(s.execute(select(LimitNotification.kind)).scalars())
    assert kinds == ["revoked"]

    sign_in(app_client, exporter)
    assert app_client.get("/limits/idle").status_code == 403
    before = counts(db)
    assert app_client.post("/limits/idle", data={"idle_days": "1"}).status_code == 403
    assert counts(db) == before


def test_match_review_queue_merge_and_keep_apart(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    first = buyer(app_client, cast.exporter, registration_number=None)
    maybe = buyer(
        app_client,
        cast.other_exporter,
        name="Müller Maschinenbau Handels GmbH",
        registration_number=None,
    )
    other = buyer(
        app_client,
        cast.other_exporter,
        name="Müller Maschinenbau Vertrieb GmbH",
        registration_number=None,
    )
    assert maybe["verdict"] == other["verdict"] == "possible"
    with db.factory() as s:
        reviews = {r.buyer_id: r.id for r in s.execute(select(BuyerMatchReview)).scalars()}
    merge_id, apart_id = reviews[maybe["buyer"]["id"]], reviews[other["buyer"]["id"]]
    risk, underwriter, exporter = _people(db)

    sign_in(app_client, underwriter)
    seen = app_client.get("/buyers/matches")
    assert seen.status_code == 200, seen.text
    assert f'data-testid="match-{merge_id}"' in seen.text
    assert "Müller Maschinenbau Handels GmbH" in seen.text
    assert 'data-testid="resolve-' not in seen.text  # risk managers resolve
    before = counts(db)
    refused = app_client.post(f"/buyers/matches/{merge_id}", data={"resolution": "merge"})
    assert refused.status_code == 403 and 'data-testid="problem"' in refused.text
    assert counts(db) == before

    sign_in(app_client, risk)
    page = app_client.get("/buyers/matches")
    assert f'data-testid="resolve-{merge_id}"' in page.text
    bad = app_client.post(f"/buyers/matches/{merge_id}", data={"resolution": "maybe"})
    assert bad.status_code == 422 and "invalid_form" in bad.text
    missing = app_client.post("/buyers/matches/999999", data={"resolution": "merge"})
    assert missing.status_code == 404 and "review_not_found" in missing.text
    assert counts(db) == before

    merged = app_client.post(
        f"/buyers/matches/{merge_id}", data={"resolution": "merge", "note": "same register entry"}
    )
    assert merged.status_code == 200, merged.text
    assert 'data-testid="done"' in merged.text
    assert f'data-testid="match-{merge_id}"' not in merged.text  # out of the open queue
    apart = app_client.post(f"/buyers/matches/{apart_id}", data={"resolution": "keep_separate"})
    assert apart.status_code == 200, apart.text
    with db.factory() as s:
        statuses = {r.id: r.status for r in s.execute(select(BuyerMatchReview)).scalars()}
        duplicate = s.get_one(Buyer, maybe["buyer"]["id"])
        kept = s.get_one(Buyer, other["buyer"]["id"])
        audited = sorted(
            s.execute(
                select(AuditEntry.action).where(AuditEntry.entity_type == "buyer_match_review")
            ).scalars()
        )
    assert statuses == {merge_id: "merged", apart_id: "kept_separate"}
    assert (duplicate.merged_into_id, kept.merged_into_id) == (first["buyer"]["id"], None)
    assert audited == [
        "buyer.match_review_kept_separate",
        "buyer.match_review_merged",
        "buyer.match_review_opened",
        "buyer.match_review_opened",
    ]
    again = app_client.post(f"/buyers/matches/{merge_id}", data={"resolution": "merge"})
    assert again.status_code == 409 and "review_already_resolved" in again.text
    resolved = app_client.get("/buyers/matches", params={"status": "merged"})
    assert f'data-testid="match-{merge_id}"' in resolved.text

    sign_in(app_client, exporter)
    assert app_client.get("/buyers/matches").status_code == 403
    assert (
        app_client.post(f"/buyers/matches/{apart_id}", data={"resolution": "merge"}).status_code
        == 403
    )


def test_risk_manager_overrides_the_buyer_aggregate_on_the_buyer_page(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    b = buyer(app_client, cast.exporter)["buyer"]["id"]
    risk, underwriter, exporter = _people(db)

    def aggregate() -> tuple[int, int | None]:
        with db.factory() as s:
            row = s.get_one(BuyerAggregate, b)
            return row.aggregate_minor, row.override_minor

    suggested, _ = aggregate()
    sign_in(app_client, underwriter)
    page = app_client.get(f"/buyers/{b}")
    assert page.status_code == 200 and 'data-testid="aggregate-form"' not in page.text
    before = counts(db)
    refused = app_client.post(
        f"/buyers/{b}/aggregate", data={"action": "set", "amount": "1", "reason": "x"}
    )
    assert refused.status_code == 403 and 'data-testid="problem"' in refused.text

    sign_in(app_client, risk)
    assert 'data-testid="aggregate-form"' in app_client.get(f"/buyers/{b}").text
    for data, code in (
        ({"action": "set", "amount": "-5", "reason": "x"}, "amount_not_positive"),
        ({"action": "set", "amount": "much", "reason": "x"}, "amount"),
        ({"action": "set", "amount": "750000", "reason": " "}, "reason_required"),
        ({"action": "raise", "amount": "750000", "reason": "x"}, "invalid_form"),
    ):
        bad = app_client.post(f"/buyers/{b}/aggregate", data=data)
        assert bad.status_code == 422 and code in bad.text, (data, bad.text)
    assert counts(db) == before and aggregate() == (suggested, None)

    done = app_client.post(
        f"/buyers/{b}/aggregate",
        data={"action": "set", "amount": "750,000", "reason": "group guarantee"},
    )
    assert done.status_code == 200, done.text
    assert 'data-testid="done"' in done.text and "group guarantee" in done.text
    assert aggregate() == (75_000_000, 75_000_000)
    cleared = app_client.post(
        f"/buyers/{b}/aggregate", data={"action": "clear", "reason": "guarantee expired"}
    )
    assert cleared.status_code == 200, cleared.text
    assert aggregate() == (suggested, None)
    with db.factory() as s:
        actions = list(
            s.execute(
                select(AuditEntry.action)
                .where(
                    AuditEntry.entity_type == "buyer",
                    AuditEntry.entity_id == str(b),
                    AuditEntry.action.like("buyer_aggregate.%"),
                )
                .order_by(AuditEntry.id)
            ).scalars()
        )
    assert actions == ["buyer_aggregate.overridden", "buyer_aggregate.cleared"]

    sign_in(app_client, exporter)
    own = app_client.get(f"/buyers/{b}")
    assert own.status_code == 200 and 'data-testid="aggregate-form"' not in own.text
    before = counts(db)
    assert (
        app_client.post(
            f"/buyers/{b}/aggregate", data={"action": "set", "amount": "1", "reason": "mine"}
        ).status_code
        == 403
    )
    assert counts(db) == before and aggregate() == (suggested, None)
