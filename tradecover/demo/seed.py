"""Load the demo book into a database through the services (``tradecover demo seed``).

The plan comes from :func:`tradecover.demo.book.plan_book`; this module carries it out
in the caller's transaction: organisations, demo sign-ins, exporter profiles with their
main buyers, and one policy story per exporter driven through the policy service, so
every state change has its audit entry with a realistic actor (the exporter's own
principal for what an exporter does, the insurer's system principal for the rest).
Business dates are relative to ``as_of``; the same seed, size and ``as_of`` give the
same book.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

import tradecover.access as access
from tradecover import buyers, limits, policies
from tradecover.access import OrganisationKind, Principal, Role
from tradecover.billing import DEFAULT_TERMS, BillingTerms
from tradecover.db.engine import transaction
from tradecover.demo import feed_month, premiums, trading
from tradecover.demo.book import RATE_TABLE, ExporterPlan, Story, plan_book
from tradecover.demo.claims import seed_claims
from tradecover.demo.history import HistoryCounts
from tradecover.demo.refs import OrgRef, UserRef
from tradecover.kit.dates import business_today, one_year_term
from tradecover.kit.errors import Conflict, DomainError, ValidationFailed
from tradecover.kit.money import Money
from tradecover.limits import RequestType
from tradecover.policies import (
    DeclarationFrequency,
    InsurableScope,
    PolicySchedule,
    Product,
    TerminationKind,
)
from tradecover.reporting import RenewalReviewMetrics, book_summary

DEMO_PASSWORD: Final = "demo-password"
"""The password of every demo sign-in (a demo database is never a production one)."""

MAX_EXPORTERS: Final = 5000
"""The largest demo book ``seed_demo_book`` builds."""

SEED_ACTOR: Final = "system:demo-seed"
"""The actor of exporter actions for exporters that have no demo user."""


@dataclass(frozen=True, slots=True)
class DemoUser:
    """A fixed demo sign-in listed in the README and docs/demo.md."""

    email: str
    full_name: str
    role: Role
    org: str  # "insurer", "exporter:0", "exporter:1" or the slug of a partner organisation
    locale: str = "en"


@dataclass(frozen=True, slots=True)
class PartnerOrg:
    """A bank, subsidy programme or co-insurer of the demo book."""

    slug: str
    name: str
    kind: OrganisationKind
    country: str
    region: str | None


PARTNERS: Final[tuple[PartnerOrg, ...]] = (
    PartnerOrg(
        "demo-harbour-bank", "East Harbour Trade Bank", OrganisationKind.BANK, "CN", "CN-SH"
    ),
    PartnerOrg(
        "demo-sme-premium-programme",
        "Zhejiang SME Export Premium Support Programme",
        OrganisationKind.SUBSIDY_PROGRAMME,
        "CN",
        "CN-ZJ",
    ),
    PartnerOrg(
        "demo-pacific-coinsurer",
        "Pacific Mutual Credit Insurance",
        OrganisationKind.COINSURER,
        "KR",
        "KR-11",
    ),
)
"""The partner organisations of the demo book."""

DEMO_USERS: Final[tuple[DemoUser, ...]] = (
    DemoUser("admin@tradecover.demo", "Zhou Min", Role.ADMIN, "insurer"),
    DemoUser("underwriter@tradecover.demo", "Li Na", Role.UNDERWRITER, "insurer"),
    DemoUser("risk@tradecover.demo", "Park Ji-won", Role.RISK_MANAGER, "insurer"),
    DemoUser("claims@tradecover.demo", "Wang Lei", Role.CLAIMS_HANDLER, "insurer"),
    DemoUser("finance@tradecover.demo", "Chen Jing", Role.FINANCE, "insurer"),
    DemoUser("exporter@tradecover.demo", "Xu Hua", Role.EXPORTER, "exporter:0", "zh_Hans"),
    DemoUser("korea@tradecover.demo", "Kim Min-jun", Role.EXPORTER, "exporter:1", "ko"),
    DemoUser("bank@tradecover.demo", "Sun Yue", Role.BANK, "demo-harbour-bank"),
    DemoUser(
        "programme@tradecover.demo", "Huang Lin", Role.PROGRAMME, "demo-sme-premium-programme"
    ),
    DemoUser("coinsurer@tradecover.demo", "Lee Seo-yeon", Role.COINSURER, "demo-pacific-coinsurer"),
)
"""Every demo sign-in; all use :data:`DEMO_PASSWORD`."""

_SUSPENSION_REASON = "premium for two monthly notices more than 60 days in arrears"
_ARREARS_REASON = "premium arrears not cleared after suspension and written notice"
_FRAUD_REASON = "application misstated the export history and concealed an overdue buyer"
_CANCEL_REASON = "the exporter moved its sales to letters of credit and no longer needs cover"


@dataclass(slots=True)
class SeedSummary:
    """What ``seed_demo_book`` did; prints as a table on a Rich console."""

    seeded: bool
    seed: int
    as_of: date
    exporters: int = 0
    buyers: int = 0
    buyer_countries: int = 0
    users: tuple[str, ...] = ()
    policies_by_state: dict[str, int] = field(default_factory=dict)
    renewal_offers: int = 0
    endorsements: int = 0
    message: str = ""
    history: HistoryCounts = field(default_factory=HistoryCounts)
    claims_by_state: dict[str, int] = field(default_factory=dict)
    feeds: feed_month.FeedCounts = field(default_factory=feed_month.FeedCounts)

    def __rich__(self) -> Table | str:
        """A table of what was loaded (or the reason nothing was)."""
        if not self.seeded:
            return self.message
        table = Table(title=f"Demo book (seed {self.seed}, as of {self.as_of.isoformat()})")
        table.add_column("what")
        table.add_column("count", justify="right")
        table.add_row("exporters", str(self.exporters))
        table.add_row("buyers", f"{self.buyers} in {self.buyer_countries} countries")
        for state, count in sorted(self.policies_by_state.items()):
            table.add_row(f"policies {state}", str(count))
        table.add_row("renewal offers", str(self.renewal_offers))
        table.add_row("endorsements", str(self.endorsements))
        h = self.history
        table.add_row(
            "declarations (12 months)",
            f"{h.declarations} ({h.late_declarations} late) on {h.terms} terms",
        )
        table.add_row("collections confirmed", str(h.collections))
        table.add_row("turnover returns", str(h.turnover_returns))
        table.add_row("premium notices", str(h.notices))
        table.add_row("premium payments", f"{h.payments} + {h.programme_payments} by programmes")
        table.add_row("suspended for arrears", str(h.suspended_for_arrears))
        for state, count in sorted(self.claims_by_state.items()):
            table.add_row(f"claims {state}", str(count))
        table.add_row("feed documents (last month)", self.feeds.describe())
        table.add_row("sign-ins", f"{len(self.users)} (password {DEMO_PASSWORD!r})")
        return table


def _exporter_principal(org: OrgRef, user: UserRef | None) -> Principal:
    """The exporter acting for itself: its demo user, or the seeding system in its name."""
    actor = f"user:{user.id}" if user is not None else SEED_ACTOR
    return Principal(
        actor=actor,
        org_id=org.id,
        org_slug=org.slug,
        org_kind=OrganisationKind.EXPORTER,
        role=Role.EXPORTER,
        user_id=user.id if user is not None else None,
    )


def _schedule(plan: ExporterPlan) -> PolicySchedule:
    """The policy schedule the underwriter writes for ``plan``."""
    s = plan.schedule
    venue = "CIETAC, Beijing" if plan.country == "CN" else "Korean Commercial Arbitration Board"
    return PolicySchedule(
        currency=s.currency,
        expected_turnover=Money.of(s.expected_turnover, s.currency),
        maximum_liability=Money.of(s.maximum_liability, s.currency),
        indemnity_commercial_pct=s.indemnity_commercial_pct,
        indemnity_political_pct=s.indemnity_political_pct,
        declaration_frequency=DeclarationFrequency(s.declaration_frequency),
        rate_table=RATE_TABLE,
        base_rate_pct=s.base_rate_pct,
        scope=InsurableScope(
            destination_countries=plan.destination_countries,
            payment_terms=s.payment_terms,
            max_credit_days=s.max_credit_days,
            hs_chapters=plan.hs_chapters,
        ),
        dispute_venue=venue,
    )


def _profile(session: Session, plan: ExporterPlan, org: OrgRef, actor: Principal) -> None:
    """File the exporter's profile: history, products, destinations and main buyers."""
    policies.upsert_exporter_profile(
        session,
        principal=actor,
        org_id=org.id,
        legal_name=plan.name,
        region=plan.region,
        size_class=plan.size_class,
        cross_border_ecommerce=plan.cross_border_ecommerce,
        currency=plan.currency,
        previous_year_exports=Money.of(plan.previous_year_exports, plan.currency),
        export_history=[
            {"year": year, "amount": str(amount)} for year, amount in plan.export_history
        ],
        products=list(plan.hs_chapters),
        destination_countries=list(plan.destination_countries),
        main_buyers=[b.as_profile_entry() for b in plan.main_buyers],
    )


def _run_story(
    session: Session, plan: ExporterPlan, org: OrgRef, exporter: Principal, insurer: Principal
) -> int:
    """Drive one exporter's policy through the service to where its story ends (a
    renewal is offered and accepted later, by :func:`_renew`, once the term has traded);
    returns the policy's id.
    """
    s = plan.schedule
    application = policies.submit_application(
        session,
        principal=exporter,
        exporter_org_id=org.id,
        product=Product.SHORT_TERM_COMPREHENSIVE,
        currency=s.currency,
        expected_turnover=Money.of(s.expected_turnover, s.currency),
        requested_inception=plan.inception,
        destination_countries=list(plan.destination_countries),
        payment_terms=list(s.payment_terms),
        max_credit_days=s.max_credit_days,
        hs_chapters=list(plan.hs_chapters),
        notes="cross-border e-commerce seller" if plan.cross_border_ecommerce else None,
    )
    policy = policies.underwrite(
        session,
        principal=insurer,
        application_id=application.id,
        schedule=_schedule(plan),
        inception=plan.inception,
    )
    if plan.story is Story.DRAFT:
        return policy.id
    policies.quote(session, principal=insurer, policy_id=policy.id)
    if plan.story is Story.QUOTED:
        return policy.id
    if plan.story is Story.WITHDRAWN:
        policies.withdraw(
            session,
            principal=insurer,
            policy_id=policy.id,
            reason="quotation not taken up within 30 days",
        )
        return policy.id
    policies.issue(
        session,
        principal=exporter,
        policy_id=policy.id,
        today=plan.inception - timedelta(days=plan.issue_lead_days),
    )
    if plan.endorsement is not None:
        policies.add_endorsement(
            session,
            principal=insurer,
            policy_id=policy.id,
            text=plan.endorsement,
            effective_date=plan.inception + timedelta(days=30),
        )
    expiry = one_year_term(plan.inception)
    event_day = plan.inception + timedelta(days=plan.event_offset_days)
    if plan.story in (Story.SUSPENDED, Story.ARREARS_CANCELLED):
        policies.suspend(session, principal=insurer, policy_id=policy.id, reason=_SUSPENSION_REASON)
    if plan.story is Story.ARREARS_CANCELLED:
        policies.terminate(
            session,
            principal=insurer,
            policy_id=policy.id,
            kind=TerminationKind.INSURER_CANCELLATION,
            reason=_ARREARS_REASON,
            effective_date=event_day,
            today=event_day,
        )
    elif plan.story is Story.CANCELLED:
        policies.terminate(
            session,
            principal=exporter,
            policy_id=policy.id,
            kind=TerminationKind.INSURED_CANCELLATION,
            reason=_CANCEL_REASON,
            effective_date=event_day,
            today=event_day,
        )
    elif plan.story is Story.RESCINDED:
        policies.terminate(
            session,
            principal=insurer,
            policy_id=policy.id,
            kind=TerminationKind.RESCISSION_FOR_FRAUD,
            reason=_FRAUD_REASON,
            effective_date=None,
            today=event_day,
        )
    elif plan.story is Story.EXPIRED:
        notice_day = expiry - timedelta(days=plan.notice_days)
        policies.terminate(
            session,
            principal=exporter,
            policy_id=policy.id,
            kind=TerminationKind.NON_RENEWAL,
            reason="the exporter is moving to a commercial insurer",
            effective_date=None,
            today=notice_day,
        )
    return policy.id


def _renew(
    session: Session, plan: ExporterPlan, policy_id: int, exporter: Principal, insurer: Principal
) -> None:
    """Review the traded term, offer its renewal and accept it (a RENEWED story)."""
    expiry = one_year_term(plan.inception)
    offer = policies.offer_renewal(
        session,
        principal=insurer,
        policy_id=policy_id,
        today=expiry - timedelta(days=plan.renewal_offer_days),
        metrics_source=RenewalReviewMetrics(session),
    )
    policies.accept_renewal(
        session,
        principal=exporter,
        offer_id=offer.id,
        today=expiry - timedelta(days=plan.renewal_accept_days),
    )


LIMIT_EXPORTERS: Final = 60
"""Exporters whose main buyers get registered and limits applied for (keeps seeding fast)."""


def _credit_limits(
    session: Session, plan: ExporterPlan, org: OrgRef, exporter: Principal, *, today: date
) -> None:
    """Register the exporter's main buyers and apply for a limit on each under its active
    policy: a quarter of last year's sales, so small ones are approved at once and larger
    ones wait in the underwriters' queue.
    """
    active = policies.active_terms_of(session, org.id)
    if not active:
        return
    policy = min(active, key=lambda t: t.id)
    s = plan.schedule
    rules = limits.LimitRules()
    for main in plan.main_buyers[:2]:
        savepoint = session.begin_nested()
        try:
            reg = buyers.register_buyer(
                session,
                principal=exporter,
                name=main.buyer.name,
                country=main.buyer.country,
                own_reference=main.buyer.ref,
                trading_since=today - timedelta(days=365 * main.years_trading),
            )
            terms = (
                main.payment_terms if main.payment_terms in s.payment_terms else s.payment_terms[0]
            )
            step = Decimal(10_000_000 if s.currency == "KRW" else 1_000)
            amount = max(step, (main.annual_volume / 4 / step).to_integral_value() * step)
            limits.apply(
                session,
                principal=exporter,
                policy_id=policy.id,
                buyer_id=reg.buyer.id,
                request_type=RequestType.NEW_LIMIT,
                amount=Money.of(amount, s.currency),
                payment_terms=terms,
                credit_period_days=min(s.max_credit_days, 90),
                today=today,
                rules=rules,
            )
            savepoint.commit()
        except DomainError:
            savepoint.rollback()


def _summary(
    session: Session, *, seed: int, as_of: date, exporters: int, buyers: int, buyer_countries: int
) -> SeedSummary:
    return SeedSummary(
        seeded=True,
        seed=seed,
        as_of=as_of,
        exporters=exporters,
        buyers=buyers,
        buyer_countries=buyer_countries,
        users=tuple(u.email for u in DEMO_USERS),
        policies_by_state=book_summary.policies_by_state(session),
        renewal_offers=book_summary.renewal_offer_count(session),
        endorsements=book_summary.endorsement_count(session),
        claims_by_state=book_summary.claims_by_state(session),
    )


def seed_demo_book(
    session: Session,
    *,
    exporters: int = 300,
    seed: int = 2026,
    if_empty: bool = False,
    as_of: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> SeedSummary:
    """Load the demo book in the caller's transaction and return what it holds.

    ``as_of`` is the business date the book is built around (today when not given);
    ``if_empty`` makes it a no-op when any exporter organisation exists.  Seeding a
    database that already holds the demo sign-ins raises :class:`Conflict`.  Each step
    is told to ``progress`` as it starts.
    """
    say = progress or (lambda step: None)
    if not 1 <= exporters <= MAX_EXPORTERS:
        raise ValidationFailed(
            f"a demo book has 1 to {MAX_EXPORTERS} exporters",
            code="invalid_exporter_count",
            field="exporters",
        )
    as_of = as_of or business_today()
    if if_empty:
        existing = access.count_organisations(session, kind=OrganisationKind.EXPORTER)
        if existing:
            return SeedSummary(
                seeded=False,
                seed=seed,
                as_of=as_of,
                message=f"{existing} exporter organisations exist: demo book not loaded",
            )
    if access.has_user(session, DEMO_USERS[0].email):
        raise Conflict("the demo book is already loaded", code="demo_already_seeded")
    say(f"planning {exporters} exporters and their buyers; organisations and sign-ins")
    plan = plan_book(seed=seed, exporters=exporters, as_of=as_of)
    insurer = access.system_principal(session, actor=SEED_ACTOR)
    orgs = {"insurer": access.insurer(session)}
    for partner in PARTNERS:
        orgs[partner.slug] = access.create_organisation(
            session,
            principal=insurer,
            slug=partner.slug,
            name=partner.name,
            kind=partner.kind,
            country=partner.country,
            region=partner.region,
        )
    exporter_orgs = [
        access.create_organisation(
            session,
            principal=insurer,
            slug=p.slug,
            name=p.name,
            kind=OrganisationKind.EXPORTER,
            country=p.country,
            region=p.region,
        )
        for p in plan.exporters
    ]
    for i, org in enumerate(exporter_orgs[:2]):
        orgs[f"exporter:{i}"] = org
    users: dict[int, UserRef] = {}
    for demo in DEMO_USERS:
        if demo.org not in orgs:  # a book of fewer than two exporters
            continue
        user = access.create_user(
            session,
            principal=insurer,
            org=orgs[demo.org],
            email=demo.email,
            full_name=demo.full_name,
            role=demo.role,
            password=DEMO_PASSWORD,
            locale=demo.locale,
        )
        if demo.role is Role.EXPORTER:
            users[user.org_id] = user
    actors = [
        (exporter_plan, org, _exporter_principal(org, users.get(org.id)))
        for exporter_plan, org in zip(plan.exporters, exporter_orgs, strict=True)
    ]
    renewing: list[tuple[ExporterPlan, int, Principal]] = []
    say(f"profiles and policy stories of {len(actors)} exporters")
    for exporter_plan, org, actor in actors:
        _profile(session, exporter_plan, org, actor)
        policy_id = _run_story(session, exporter_plan, org, actor, insurer)
        if exporter_plan.story is Story.RENEWED:
            renewing.append((exporter_plan, policy_id, actor))
    # A year of trading first, so that renewal reviews read it (the successor terms of
    # the renewals trade once they exist); then expiry, renewal offers and the rest.
    if "demo-sme-premium-programme" in orgs:
        premiums.create_programmes(
            session,
            insurer=insurer,
            as_of=as_of,
            sponsor_org_id=orgs["demo-sme-premium-programme"].id,
        )
    traded: set[int] = set()
    say("a year of trading: declarations, collections, turnover returns")
    counts = trading.trade(
        session, exporters=actors, insurer=insurer, as_of=as_of, seed=seed, done=traded
    )
    say(f"renewing {len(renewing)} policies, then their trading")
    for exporter_plan, policy_id, actor in renewing:
        _renew(session, exporter_plan, policy_id, actor, insurer)
    counts.add(
        trading.trade(
            session, exporters=actors, insurer=insurer, as_of=as_of, seed=seed, done=traded
        )
    )
    say("expiries, renewal offers, credit limits and claims")
    policies.expire_due(session, principal=insurer, today=as_of)
    policies.offer_due_renewals(
        session, principal=insurer, today=as_of, metrics_source=RenewalReviewMetrics(session)
    )
    for exporter_plan, org, actor in actors[:LIMIT_EXPORTERS]:
        _credit_limits(session, exporter_plan, org, actor, today=as_of)
    seed_claims(session, insurer=insurer, as_of=as_of, exporters=actors)
    say("a month of customs records and e-invoices through connected sources")
    feeds = feed_month.seed_feed_month(session, actors, insurer=insurer, as_of=as_of, seed=seed)
    summary = _summary(
        session,
        seed=seed,
        as_of=as_of,
        exporters=len(plan.exporters),
        buyers=len(plan.buyers),
        buyer_countries=len({b.country for b in plan.buyers}),
    )
    summary.history, summary.feeds = counts, feeds
    return summary


def seed_demo(
    factory: sessionmaker[Session],
    *,
    exporters: int = 300,
    seed: int = 2026,
    if_empty: bool = False,
    as_of: date | None = None,
    terms: BillingTerms = DEFAULT_TERMS,
    progress: Callable[[str], None] | None = None,
) -> SeedSummary:
    """Load the whole demo book: :func:`seed_demo_book` in one transaction, then the
    monthly billing runs of the history (the job's own transactions) and, in a last
    transaction, the premium payments and the arrears job (``tradecover demo seed``).
    """
    with transaction(factory) as session:
        summary = seed_demo_book(
            session,
            exporters=exporters,
            seed=seed,
            if_empty=if_empty,
            as_of=as_of,
            progress=progress,
        )
        insurer = access.system_principal(session, actor=SEED_ACTOR)
    if not summary.seeded:
        return summary
    summary.history.notices = premiums.bill(
        factory, insurer=insurer, as_of=summary.as_of, terms=terms, progress=progress
    )
    plan = plan_book(seed=seed, exporters=exporters, as_of=summary.as_of)
    if progress is not None:
        progress("premium payments and the arrears job")
    with transaction(factory) as session:
        slugs = {p.slug for p in plan.exporters}
        orgs = access.organisations_by_slug(session, slugs)
        settled = premiums.settle(
            session,
            insurer=insurer,
            as_of=summary.as_of,
            seed=seed,
            terms=terms,
            exporters=[(p, orgs[p.slug]) for p in plan.exporters],
        )
        summary.history.payments = settled.payments
        summary.history.programme_payments = settled.programme_payments
        summary.history.suspended_for_arrears = settled.suspended_for_arrears
        summary.policies_by_state = book_summary.policies_by_state(session)
    return summary
