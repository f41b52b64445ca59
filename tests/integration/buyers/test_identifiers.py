"""A document's buyer found among the exporter's buyers by VAT, EORI, registration number
or name, with one indexed query; on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.builders.buyers import add_buyer
from tests.conftest import Cast, Database
from tradecover.buyers import DocumentParty, identify_related_buyer
from tradecover.buyers.model import Buyer
from tradecover.db.engine import transaction


def _buyer(session: Session, org_id: int, name: str, **ids: str) -> int:
    buyer_id = add_buyer(session, org_id=org_id, name=name)
    row = session.get(Buyer, buyer_id)
    assert row is not None
    for key, value in ids.items():
        setattr(row, key, value)
    session.flush()
    return buyer_id


def test_identifiers_find_the_buyer_strongest_first(db: Database, cast: Cast) -> None:
    org = cast.exporter.org_id
    with transaction(db.factory) as session:
        by_vat = _buyer(session, org, "Rhein Handel GmbH", tax_id="123456789")
        by_reg = _buyer(session, org, "Isar Werke AG", registration_number="HRB12345")
        by_name = _buyer(session, org, "Main Logistik GmbH & Co. KG")
        other = add_buyer(session, org_id=org + 1000, name="Elbe Shipping GmbH", related=False)
        assert other
    with db.factory() as session:

        def found(**party: str) -> tuple[int, str] | None:
            hit = identify_related_buyer(session, org, DocumentParty(country="DE", **party))
            return (hit.buyer_id, hit.matched_by) if hit else None

        assert found(vat="DE 123 456 789", name="Isar Werke") == (by_vat, "vat")
        assert found(eori="DE123456789") == (by_vat, "eori")
        assert found(registration="hrb-12345") == (by_reg, "registration")
        assert found(name="MAIN LOGISTIK") == (by_name, "name")
        assert found(name="Elbe Shipping GmbH") is None  # not related to this exporter
        assert found(vat="DE999999999") is None


def test_two_buyers_at_the_same_strength_are_no_match(db: Database, cast: Cast) -> None:
    org = cast.exporter.org_id
    with transaction(db.factory) as session:
        _buyer(session, org, "Twin Trading GmbH")
        _buyer(session, org, "Twin Trading AG")
    with db.factory() as session:
        party = DocumentParty(name="Twin Trading", country="DE")
        assert identify_related_buyer(session, org, party) is None
