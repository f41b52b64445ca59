"""The credit limit pages: the underwriters' queue with the rating breakdown, the buyer page
and the limit history page, each scoped to what the signed-in person may see."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.builders.buyers import buyer
from tests.builders.limits import application
from tests.builders.policies import active
from tests.conftest import Cast, Database, make_person, sign_in
from tradecover.access.roles import Role
from tradecover.buyers.model import Buyer
from tradecover.db.engine import transaction
from tradecover.kit.dates import utc_now


def test_queue_buyer_and_history_pages(app_client: TestClient, cast: Cast, db: Database) -> None:
    pol = active(app_client, cast)
    b = buyer(app_client, cast.exporter)["buyer"]
    small = application(
        app_client, cast.exporter, policy_id=pol["id"], buyer_id=b["id"], amount="40000"
    )
    other_pol = active(app_client, cast)
    waiting = application(
        app_client, cast.exporter, policy_id=other_pol["id"], buyer_id=b["id"], amount="300000"
    )
    underwriter = make_person(db, "insurer", Role.UNDERWRITER, "uw@insurer.example")
    exporter = make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example")
    stranger = make_person(db, "other-exports", Role.EXPORTER, "kim@other.example")

    sign_in(app_client, underwriter)
    queue = app_client.get("/limits")
    assert queue.status_code == 200, queue.text
    assert f'data-testid="rating-{waiting["id"]}"' in queue.text
    assert "country_class" in queue.text
    assert "Amount above the automatic threshold" in queue.text
    page = app_client.get(f"/buyers/{b['id']}")
    assert page.status_code == 200
    assert "Müller Maschinenbau GmbH" in page.text and 'data-testid="aggregate"' in page.text
    history = app_client.get(f"/limits/{small['limit_id']}")
    assert history.status_code == 200
    assert "New credit limit" in history.text and "40,000.00" in history.text

    sign_in(app_client, exporter)
    own = app_client.get("/limits")
    assert own.status_code == 200
    assert 'data-testid="rating-' not in own.text  # the rating is the insurer's
    assert app_client.get(f"/buyers/{b['id']}").status_code == 200
    assert 'data-testid="rating"' not in app_client.get(f"/buyers/{b['id']}").text

    sign_in(app_client, stranger)
    assert app_client.get(f"/buyers/{b['id']}").status_code == 404
    assert app_client.get(f"/limits/{small['limit_id']}").status_code == 404
    assert "Müller" not in app_client.get("/limits").text


def test_an_unrated_buyer_page_says_so_instead_of_failing(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    now = utc_now()
    with transaction(db.factory) as s:  # a buyer known to the registry, never rated
        row = Buyer(
            kind="buyer",
            legal_name="Unrated Trading GmbH",
            normalised_name="unrated trading",
            other_names=[],
            country="DE",
            financials={},
            adverse_events=[],
            overdue_reports=0,
            defaults_on_record=0,
            created_at=now,
            created_by="test",
            updated_at=now,
        )
        s.add(row)
        s.flush()
        buyer_id = row.id
    underwriter = make_person(db, "insurer", Role.UNDERWRITER, "uw@insurer.example")
    sign_in(app_client, underwriter)
    page = app_client.get(f"/buyers/{buyer_id}")
    assert page.status_code == 200, page.text
    assert 'data-testid="unrated"' in page.text and 'data-testid="aggregate"' not in page.text
