"""The demo book: every policy state, deterministic, idempotent with --if-empty, auditable."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Database, make_org
from tradecover.access import service as access
from tradecover.access import sessions
from tradecover.access.model import Organisation, User
from tradecover.audit import service as audit
from tradecover.audit.model import AuditEntry
from tradecover.config import Settings
from tradecover.db.engine import transaction
from tradecover.demo.book import plan_book
from tradecover.demo.seed import DEMO_PASSWORD, DEMO_USERS, SeedSummary, seed_demo_book
from tradecover.kit.errors import AuthenticationFailed, Conflict
from tradecover.policies.lifecycle import PolicyState
from tradecover.policies.model import Endorsement, ExporterProfile, Policy, RenewalOffer
from tradecover.reference.country_risk import shipped_risk_class

AS_OF = date(2026, 6, 15)
SMALL = 20
SIGNING_KEY = "demo-test-signing-key-0123456789-abcdefghijklmnop"


def _seed(
    db: Database, *, seed: int = 7, exporters: int = SMALL, if_empty: bool = False
) -> SeedSummary:
    with transaction(db.factory) as s:
        return seed_demo_book(s, exporters=exporters, seed=seed, if_empty=if_empty, as_of=AS_OF)


def _strip_instants(value: Any) -> Any:
    """Drop wall-clock timestamps (``*_at``) from stored JSON; business dates stay."""
    if isinstance(value, dict):
        return {k: _strip_instants(v) for k, v in value.items() if not k.endswith("_at")}
    if isinstance(value, list):
        return [_strip_instants(v) for v in value]
    return value


def _dump(s: Session) -> dict[str, Any]:
    """A canonical dump of everything the book decides (no ids, no wall-clock instants)."""
    slugs = dict(s.execute(select(Organisation.id, Organisation.slug)).all())
    numbers = dict(s.execute(select(Policy.id, Policy.number)).all())
    orgs = [
        (o.slug, o.name, o.kind, o.country, o.region)
        for o in s.execute(select(Organisation).order_by(Organisation.slug)).scalars()
    ]
    profiles = [
        (
            slugs[p.org_id],
            p.legal_name,
            p.region,
            p.size_class,
            p.cross_border_ecommerce,
            p.currency,
            p.previous_year_exports_minor,
            p.export_history,
            p.products,
            p.destination_countries,
            p.main_buyers,
        )
        for p in s.execute(select(ExporterProfile).order_by(ExporterProfile.org_id)).scalars()
    ]
    policies = [
        (
            p.number,
            slugs[p.exporter_org_id],
            p.state,
            p.currency,
            p.inception,
            p.expiry,
            p.expected_turnover_minor,
            p.maximum_liability_minor,
            p.indemnity_commercial_pct,
            p.indemnity_political_pct,
            p.declaration_frequency,
            p.rate_table,
            p.base_rate_pct,
            p.scope,
            p.auto_renew,
            numbers.get(p.renewal_of_id) if p.renewal_of_id else None,
            _strip_instants(p.termination),
            p.state_reason,
        )
        for p in s.execute(select(Policy).order_by(Policy.id)).scalars()
    ]
    endorsements = [
        (numbers[e.policy_id], e.number, e.text, e.effective_date)
        for e in s.execute(select(Endorsement).order_by(Endorsement.id)).scalars()
    ]
    offers = [
        (
            numbers[o.policy_id],
            o.status,
            o.proposed_terms,
            numbers.get(o.renewal_policy_id) if o.renewal_policy_id else None,
        )
        for o in s.execute(select(RenewalOffer).order_by(RenewalOffer.id)).scalars()
    ]
    users = [
        (slugs[u.org_id], u.email, u.role, u.locale)
        for u in s.execute(select(User).order_by(User.email)).scalars()
    ]
    return {
        "orgs": orgs,
        "profiles": profiles,
        "policies": policies,
        "endorsements": endorsements,
        "offers": offers,
        "users": users,
    }


def _counts(s: Session) -> dict[str, int]:
    return {
        model.__name__: s.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (
            Organisation,
            User,
            ExporterProfile,
            Policy,
            Endorsement,
            RenewalOffer,
            AuditEntry,
        )
    }


# The tests that seed books of their own come first, those that read the shared small book
# after them (and test_seed_claims.py next), so that one seeding serves them all.


def test_same_seed_and_date_give_the_same_book(db: Database) -> None:
    _seed(db, seed=11)
    with transaction(db.factory) as s:
        first = _dump(s)
    db.reset()
    _seed(db, seed=11)
    with transaction(db.factory) as s:
        second = _dump(s)
    db.reset()
    _seed(db, seed=12)
    with transaction(db.factory) as s:
        other = _dump(s)

    assert len(first["policies"]) == len(second["policies"]) > SMALL
    assert first == second
    assert other["policies"] != first["policies"]


def test_if_empty_skips_when_any_exporter_exists(db: Database) -> None:
    with transaction(db.factory) as s:
        make_org(s, slug="acme-exports")
        before = _counts(s)

    summary = _seed(db, if_empty=True)

    assert summary.seeded is False
    with transaction(db.factory) as s:
        assert _counts(s) == before


def test_if_empty_seeds_an_empty_database(db: Database) -> None:
    summary = _seed(db, exporters=12, if_empty=True)

    assert summary.seeded is True
    assert summary.exporters == 12
    with transaction(db.factory) as s:
        assert _counts(s)["ExporterProfile"] == 12


@pytest.mark.xdist_group("demo-small-book")
def test_small_book_holds_every_policy_state(database: Database, small_book: SeedSummary) -> None:
    summary = small_book

    assert summary.seeded is True
    assert set(summary.policies_by_state) == {state.value for state in PolicyState}
    with database.factory() as s:
        states = dict(s.execute(select(Policy.state, func.count()).group_by(Policy.state)).all())
        assert summary.policies_by_state == states
        # every exporter has exactly one story; a renewal adds the successor term
        assert sum(states.values()) == SMALL + states["renewed"]
        assert states["active"] >= SMALL // 2
        exporters = (
            s.execute(select(Organisation).where(Organisation.kind == "exporter")).scalars().all()
        )
        assert len(exporters) == SMALL == summary.exporters
        assert {o.country for o in exporters} <= {"CN", "KR"}
        assert all(o.region and o.region.startswith(f"{o.country}-") for o in exporters)
        kinds = set(s.execute(select(Organisation.kind)).scalars())
        assert kinds == {"insurer", "exporter", "bank", "subsidy_programme", "coinsurer"}
        profiles = s.execute(select(ExporterProfile)).scalars().all()
        assert len(profiles) == SMALL
        for profile in profiles:
            assert 5 <= len(profile.main_buyers) <= 15
            assert len(profile.export_history) == 3
            assert [h["year"] for h in profile.export_history] == [2023, 2024, 2025]
            home = next(o.country for o in exporters if o.id == profile.org_id)
            assert all(b["country"] != home for b in profile.main_buyers)
            assert all(b["country"] in profile.destination_countries for b in profile.main_buyers)
        # a renewed term has an active successor that starts the day after it expires
        for old in s.execute(select(Policy).where(Policy.state == "renewed")).scalars():
            new = s.execute(select(Policy).where(Policy.renewal_of_id == old.id)).scalar_one()
            assert new.state == "active"
            assert new.inception == old.expiry + timedelta(days=1)
            assert old.expiry < AS_OF < new.expiry
        for p in s.execute(select(Policy).where(Policy.state == "active")).scalars():
            assert p.inception <= AS_OF <= p.expiry
            assert p.number is not None
            assert 3 * p.maximum_liability_minor >= p.expected_turnover_minor - 3
            assert 2 * p.maximum_liability_minor <= p.expected_turnover_minor + 2
        for p in s.execute(select(Policy).where(Policy.state.in_(["draft", "quoted"]))).scalars():
            assert p.number is None
            assert p.inception > AS_OF


def test_buyer_pool_spans_many_countries_and_risk_classes() -> None:
    plan = plan_book(seed=2026, exporters=300, as_of=AS_OF)

    assert len(plan.buyers) == 3000
    assert len({b.name for b in plan.buyers}) == 3000
    countries = {b.country for b in plan.buyers}
    assert len(countries) >= 60
    classes = {b.risk_class for b in plan.buyers}
    assert classes == {0, 2, 3, 4, 5, 6, 7}
    assert all(b.risk_class == shipped_risk_class(b.country) for b in plan.buyers)
    share_class_0 = sum(b.risk_class == 0 for b in plan.buyers) / len(plan.buyers)
    assert 0.4 < share_class_0 < 0.7
    ecommerce = sum(e.cross_border_ecommerce for e in plan.exporters) / 300
    assert 0.2 < ecommerce < 0.4
    small = sum(e.size_class in ("micro", "small") for e in plan.exporters) / 300
    assert small > 0.7
    assert {e.region for e in plan.exporters} >= {
        "CN-ZJ",
        "CN-GD",
        "CN-JS",
        "CN-FJ",
        "CN-SD",
        "CN-SH",
        "KR-11",
        "KR-26",
        "KR-41",
    }
    assert {e.schedule.currency for e in plan.exporters} == {"USD", "CNY", "KRW", "EUR"}


@pytest.mark.xdist_group("demo-small-book")
def test_if_empty_leaves_a_seeded_database_untouched(
    database: Database, small_book: SeedSummary
) -> None:
    db = database  # the shared book: the skipped seed writes nothing, the refused one rolls back
    with db.factory() as s:
        before, dump_before = _counts(s), _dump(s)

    skipped = _seed(db, seed=99, if_empty=True)
    with pytest.raises(Conflict) as refused:
        _seed(db, seed=99)

    assert skipped.seeded is False
    assert skipped.message == f"{SMALL} exporter organisations exist: demo book not loaded"
    assert refused.value.code == "demo_already_seeded"
    with db.factory() as s:
        assert _counts(s) == before
        assert _dump(s) == dump_before


@pytest.mark.xdist_group("demo-small-book")
def test_audit_chain_verifies_and_shows_realistic_actors(
    database: Database, small_book: SeedSummary
) -> None:
    with database.factory() as s:
        assert audit.verify_all(s) == []
        demo_exporter = s.execute(
            select(User).where(User.email == "exporter@tradecover.demo")
        ).scalar_one()
        actions = s.execute(
            select(AuditEntry.actor, AuditEntry.action)
            .where(AuditEntry.org_id == demo_exporter.org_id)
            .order_by(AuditEntry.seq)
        ).all()
        actors = {actor for actor, _ in actions}
        # the exporter's connected sources declare as the feeds' system principal
        feeds = {"system:feeds:ubl", "system:feeds:erp"}
        assert actors == {f"user:{demo_exporter.id}", "system:demo-seed"} | feeds
        by_action = {action: actor for actor, action in actions}
        assert by_action["organisation.created"] == "system:demo-seed"
        policy_count = s.execute(select(func.count()).select_from(Policy)).scalar_one()
        policy_entries = s.execute(
            select(func.count(func.distinct(AuditEntry.entity_id))).where(
                AuditEntry.entity_type == "policy"
            )
        ).scalar_one()
        assert policy_entries == policy_count


@pytest.mark.xdist_group("demo-small-book")
def test_demo_users_sign_in_with_the_demo_password(
    database: Database, small_book: SeedSummary
) -> None:
    limits = sessions.sign_in_limits(Settings())

    def sign_in(email: str, password: str) -> sessions.SignInOutcome:
        return sessions.attempt_sign_in(
            s,
            email=email,
            password=password,
            client_address=None,
            user_agent=None,
            key=SIGNING_KEY,
            ttl=timedelta(minutes=5),
            limits=limits,
        )

    # the sign-ins' sessions are rolled back with the test's own session: the book stays
    with database.factory() as s:
        for demo in DEMO_USERS:
            outcome = sign_in(demo.email, DEMO_PASSWORD)
            assert outcome.refusal is None and outcome.user is not None
            assert outcome.token is not None
            assert outcome.user.role == demo.role.value
            assert outcome.user.locale == demo.locale
            principal = sessions.principal_from_token(s, outcome.token, key=SIGNING_KEY)
            assert principal.role is demo.role
        refused = sign_in("admin@tradecover.demo", "wrong-password")
        assert isinstance(refused.refusal, AuthenticationFailed)
        insurer_id = access.insurer(s).id
        admin = s.execute(select(User).where(User.email == "admin@tradecover.demo")).scalar_one()
        assert admin.org_id == insurer_id


@pytest.mark.xdist_group("demo-small-book")
def test_demo_exporters_are_the_ones_the_readme_promises(
    database: Database, small_book: SeedSummary
) -> None:
    with database.factory() as s:
        china = s.execute(select(User).where(User.email == "exporter@tradecover.demo")).scalar_one()
        korea = s.execute(select(User).where(User.email == "korea@tradecover.demo")).scalar_one()
        china_org = s.get(Organisation, china.org_id)
        korea_org = s.get(Organisation, korea.org_id)
        assert china_org is not None
        assert korea_org is not None
        assert (china_org.country, china_org.region) == ("CN", "CN-ZJ")
        assert (korea_org.country, korea_org.region) == ("KR", "KR-26")
        assert korea.locale == "ko"
        profile = s.get(ExporterProfile, china_org.id)
        assert profile is not None
        assert profile.products[0] == "61"
        assert profile.size_class == "small"
        china_states = sorted(
            s.execute(select(Policy.state).where(Policy.exporter_org_id == china_org.id)).scalars()
        )
        korea_states = sorted(
            s.execute(select(Policy.state).where(Policy.exporter_org_id == korea_org.id)).scalars()
        )
        assert china_states == ["active"]
        assert korea_states == ["active", "renewed"]
