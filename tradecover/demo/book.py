"""The generation plan of the demo book: pure values drawn from one ``random.Random``.

Nothing here touches the database or the clock.  :func:`plan_book` turns a seed, a
number of exporters and an "as of" business date into a :class:`BookPlan`; the same
three inputs always give the same plan.  :mod:`tradecover.demo.seed` then carries the
plan out through the services.  Every date is relative to ``as_of`` so the book always
looks current.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Final, TypeVar

from tradecover.demo.buyer_names import BUYER_COUNTRIES, LANGUAGES, BuyerCountry
from tradecover.demo.exporter_names import (
    CHINESE_BRAND_WORDS,
    ECOMMERCE_WORDS,
    EXPORTER_REGIONS,
    INDUSTRY_WORDS,
    KOREAN_BRAND_WORDS,
    ExporterRegion,
)
from tradecover.kit.money import round_money
from tradecover.reference.country_risk import shipped_risk_class
from tradecover.reference.payment_terms import PaymentTerms

_T = TypeVar("_T")

RATE_TABLE: Final = "ST-2026"
"""The rate table every demo schedule quotes."""

USD_RATES: Final[dict[str, Decimal]] = {
    "USD": Decimal(1),
    "CNY": Decimal("7.10"),
    "KRW": Decimal(1350),
    "EUR": Decimal("0.92"),
}
"""Fixed demo conversion rates from USD (the book is illustrative, not a rates feed)."""


class Story(StrEnum):
    """Where an exporter's policy history ends up in the demo book."""

    DRAFT = "draft"  # application underwritten, schedule being drafted
    QUOTED = "quoted"  # terms offered, not yet accepted
    ACTIVE = "active"  # issued and running
    SUSPENDED = "suspended"  # premium arrears: no new declarations
    EXPIRED = "expired"  # the insured gave notice of non-renewal; the term ran out
    RENEWED = "renewed"  # last year's term renewed; the successor is active
    CANCELLED = "cancelled"  # the insured cancelled during the term
    ARREARS_CANCELLED = "arrears_cancelled"  # suspended for arrears, then cancelled by the insurer
    WITHDRAWN = "withdrawn"  # a quote the exporter never took up (cancelled before issue)
    RESCINDED = "rescinded"  # voided for misrepresentation in the application


STORY_WEIGHTS: Final[dict[Story, int]] = {
    Story.ACTIVE: 56,
    Story.RENEWED: 12,
    Story.DRAFT: 5,
    Story.QUOTED: 5,
    Story.SUSPENDED: 5,
    Story.EXPIRED: 6,
    Story.CANCELLED: 4,
    Story.ARREARS_CANCELLED: 2,
    Story.WITHDRAWN: 3,
    Story.RESCINDED: 2,
}
"""Share of exporters per story (percent); every story occurs at least once."""


@dataclass(frozen=True, slots=True)
class Buyer:
    """A foreign buyer in the pool (the buyers context keeps them in its registry)."""

    ref: str  # stable demo reference, e.g. "B00042"
    name: str
    country: str
    risk_class: int | None  # shipped OECD class of the buyer's country
    chapter: str  # the HS chapter it mostly buys


@dataclass(frozen=True, slots=True)
class MainBuyer:
    """A buyer as an exporter reports it in its profile."""

    buyer: Buyer
    years_trading: int
    annual_volume: Decimal  # last year's sales to the buyer, in the exporter's currency
    share_pct: Decimal  # of the exporter's exports last year
    payment_terms: PaymentTerms

    def as_profile_entry(self) -> dict[str, object]:
        """The JSON entry of the profile's ``main_buyers`` list (the profile's own fields)."""
        return {
            "name": self.buyer.name,
            "country": self.buyer.country,
            "years_trading": self.years_trading,
            "share_pct": str(self.share_pct),
            "payment_terms": self.payment_terms.value,
        }


@dataclass(frozen=True, slots=True)
class SchedulePlan:
    """The terms an exporter applies for and the underwriter writes."""

    currency: str
    expected_turnover: Decimal
    maximum_liability: Decimal
    indemnity_commercial_pct: Decimal
    indemnity_political_pct: Decimal
    declaration_frequency: str
    base_rate_pct: Decimal
    max_credit_days: int
    payment_terms: tuple[PaymentTerms, ...]


@dataclass(frozen=True, slots=True)
class ExporterPlan:
    """One exporter of the book: who it is, what it sells, to whom, and its policy story."""

    index: int
    slug: str
    name: str
    country: str
    region: str
    town: str
    size_class: str
    cross_border_ecommerce: bool
    currency: str
    export_history: tuple[tuple[int, Decimal], ...]  # (year, amount), oldest first
    hs_chapters: tuple[str, ...]
    destination_countries: tuple[str, ...]
    main_buyers: tuple[MainBuyer, ...]
    schedule: SchedulePlan
    story: Story
    inception: date  # inception of the (first) policy of the story
    applied_on: date
    event_offset_days: int  # days after inception (or before as_of) of the story's last event
    endorsement: str | None
    issue_lead_days: int  # the exporter accepts the quote this many days before inception
    notice_days: int  # non-renewal notice given this many days before expiry
    renewal_offer_days: int  # renewal offered this many days before expiry (at most 30)
    renewal_accept_days: int  # renewal accepted this many days before expiry
    locale: str  # the language of the exporter's people

    @property
    def previous_year_exports(self) -> Decimal:
        """Exports of the last complete year, in the exporter's currency."""
        return self.export_history[-1][1]


@dataclass(frozen=True, slots=True)
class BookPlan:
    """The whole demo book."""

    seed: int
    as_of: date
    buyers: tuple[Buyer, ...]
    exporters: tuple[ExporterPlan, ...]


def _weighted(rng: random.Random, items: Sequence[_T], weights: Sequence[int]) -> _T:
    return rng.choices(items, weights=weights, k=1)[0]


def _nice(amount: float, step: int) -> Decimal:
    """Round a drawn amount to a plausible figure (a multiple of ``step``, at least one)."""
    return Decimal(max(step, round(amount / step) * step))


def buyer_name(rng: random.Random, country: BuyerCountry, *, joint: bool = False) -> str:
    """A local-sounding company name for a buyer in ``country``.

    ``joint`` names a partnership of two families ("Weber & Koch Handels GmbH"), which
    widens the name space of small languages.
    """
    lang = LANGUAGES[country.language]
    stem = rng.choice(lang.stems)
    if joint:
        second = rng.choice([s for s in lang.stems if s != stem])
        stem = f"{stem} & {second}"
    trade = rng.choice(lang.trades)
    suffix = rng.choice(country.suffixes)
    if country.code == "ID":
        return f"{suffix} {stem} {trade}"
    if lang.trade_first:
        return f"{trade} {stem} {suffix}"
    return f"{stem} {trade} {suffix}"


def buyer_pool(rng: random.Random, n: int) -> list[Buyer]:
    """``n`` buyers: one in every destination country first, then weighted by trade volume.

    With 74 destination countries a pool of a few thousand spans all of them, from class
    0 markets (the United States, Japan, the euro area) to class 7 ones (Pakistan,
    Kenya, Argentina).  Names are unique within the pool.
    """
    countries = list(BUYER_COUNTRIES)
    weights = [c.weight for c in countries]
    chapters = sorted(INDUSTRY_WORDS)
    seen: set[str] = set()
    pool: list[Buyer] = []
    for i in range(n):
        country = countries[i] if i < len(countries) else _weighted(rng, countries, weights)
        chapter = rng.choice(chapters)
        name = buyer_name(rng, country)
        for attempt in range(60):
            if name not in seen:
                break
            name = buyer_name(rng, country, joint=attempt >= 10)
        else:
            name = f"{name} ({i + 1})"
        seen.add(name)
        pool.append(
            Buyer(
                ref=f"B{i + 1:05d}",
                name=name,
                country=country.code,
                risk_class=shipped_risk_class(country.code),
                chapter=chapter,
            )
        )
    return pool


_SIZES: Final = (
    ("micro", 35, 600_000),
    ("small", 43, 3_000_000),
    ("medium", 16, 14_000_000),
    ("large", 6, 55_000_000),
)
_ECOMMERCE_CHAPTERS: Final = ("95", "94", "85", "61", "62", "42", "33", "64", "96")


def _currency(rng: random.Random, country: str) -> str:
    local = "CNY" if country == "CN" else "KRW"
    return _weighted(rng, ("USD", local, "EUR"), (78, 14, 8))


def _exporter_name(
    rng: random.Random,
    region: ExporterRegion,
    town: str,
    chapter: str,
    ecommerce: bool,
    taken: set[str],
) -> str:
    words = KOREAN_BRAND_WORDS if region.country == "KR" else CHINESE_BRAND_WORDS
    for _ in range(50):
        trade = rng.choice(ECOMMERCE_WORDS if ecommerce else INDUSTRY_WORDS[chapter])
        brand = rng.choice(words)
        name = (
            f"{brand} {trade} Co., Ltd."
            if region.country == "KR"
            else f"{town} {brand} {trade} Co., Ltd."
        )
        if name not in taken:
            taken.add(name)
            return name
    name = f"{town} {rng.choice(words)}{len(taken)} Trading Co., Ltd."
    taken.add(name)
    return name


def _slug(name: str, index: int) -> str:
    words = "".join(ch if ch.isalnum() else " " for ch in name.lower()).split()
    words = [w for w in words if w not in {"co", "ltd"}][:4]
    return f"{'-'.join(words)}-{index + 1:03d}"[:64].strip("-")


def _schedule(
    rng: random.Random,
    *,
    currency: str,
    previous_year: Decimal,
    buyers: Sequence[MainBuyer],
    ecommerce: bool,
) -> SchedulePlan:
    step = 10_000_000 if currency == "KRW" else 10_000
    growth = rng.gauss(0.08, 0.10)
    turnover = _nice(float(previous_year) * (1 + growth), step)
    share = rng.uniform(1 / 3, 1 / 2)
    liability = min(_nice(float(turnover) * share, step), turnover)
    commercial, political = _weighted(rng, (("90", "95"), ("80", "90"), ("85", "95")), (78, 15, 7))
    frequency = (
        _weighted(rng, ("immediate", "monthly", "weekly"), (50, 40, 10))
        if ecommerce
        else _weighted(rng, ("monthly", "weekly", "immediate"), (85, 10, 5))
    )
    classes = [b.buyer.risk_class if b.buyer.risk_class is not None else 4 for b in buyers]
    mean_class = sum(classes) / len(classes)
    rate = min(1.2, max(0.3, 0.3 + 0.12 * mean_class + rng.gauss(0, 0.08)))
    credit_days = _weighted(rng, (60, 90, 120, 180), (25, 40, 20, 15))
    used = {b.payment_terms for b in buyers}
    terms = tuple(t for t in PaymentTerms if t in used)  # whole turnover: every term in use
    return SchedulePlan(
        currency=currency,
        expected_turnover=turnover,
        maximum_liability=liability,
        indemnity_commercial_pct=Decimal(commercial),
        indemnity_political_pct=Decimal(political),
        declaration_frequency=frequency,
        base_rate_pct=Decimal(f"{rate:.2f}"),
        max_credit_days=credit_days,
        payment_terms=terms,
    )


def _story_dates(rng: random.Random, story: Story, as_of: date) -> tuple[date, int]:
    """Inception of the story's (first) policy and the offset of its last event."""
    if story in (Story.DRAFT, Story.QUOTED, Story.WITHDRAWN):
        return as_of + timedelta(days=rng.randint(10, 45)), rng.randint(1, 9)
    if story in (Story.EXPIRED, Story.RENEWED):
        # The first term ended before as_of; a renewal's successor is still running.
        return as_of - timedelta(days=rng.randint(370, 700)), 0
    if story is Story.ACTIVE:  # about one in twelve is inside its renewal window
        return as_of - timedelta(days=rng.randint(10, 360)), 0
    # Suspended, cancelled or rescinded during the term: something happened after inception.
    inception = as_of - timedelta(days=rng.randint(120, 330))
    return inception, rng.randint(60, (as_of - inception).days - 5)


def _stories(rng: random.Random, exporters: int) -> list[Story]:
    """The story of each exporter: the first two are the demo users' firms, then a mix."""
    fixed = [Story.ACTIVE, Story.RENEWED]
    rest = max(0, exporters - len(fixed))
    stories: list[Story] = [s for s in STORY_WEIGHTS if s is not Story.ACTIVE]  # one of each
    for story, weight in STORY_WEIGHTS.items():
        extra = math.floor(rest * weight / 100) - (0 if story is Story.ACTIVE else 1)
        stories.extend([story] * max(0, extra))
    stories.extend([Story.ACTIVE] * max(0, rest - len(stories)))
    stories = stories[:rest]
    rng.shuffle(stories)
    return (fixed + stories)[:exporters]


def _plan_exporter(
    rng: random.Random,
    *,
    index: int,
    story: Story,
    region: ExporterRegion,
    as_of: date,
    pool_by_country: dict[str, list[Buyer]],
    taken: set[str],
    forced_chapter: str | None = None,
    ecommerce: bool | None = None,
    size: str | None = None,
) -> ExporterPlan:
    if ecommerce is None:
        ecommerce = rng.random() < 0.30
    drawn, _, median = _weighted(rng, _SIZES, [s[1] for s in _SIZES])
    if size is not None:
        median = next(m for name, _, m in _SIZES if name == size)
    size = size or drawn
    if ecommerce and size in ("medium", "large"):
        size, median = "small", 3_000_000
    town = rng.choice(region.towns)
    if ecommerce:
        chapters = rng.sample(_ECOMMERCE_CHAPTERS, k=rng.randint(2, 4))
    else:
        first = forced_chapter or _weighted(
            rng, region.hs_chapters, list(range(len(region.hs_chapters), 0, -1))
        )
        others = [c for c in region.hs_chapters if c != first]
        chapters = [first, *rng.sample(others, k=rng.randint(0, 2))]
    name = _exporter_name(rng, region, town, chapters[0], ecommerce, taken)
    currency = _currency(rng, region.country)
    usd_last = math.exp(math.log(median) + rng.gauss(0, 0.55))
    history: list[tuple[int, Decimal]] = []
    amount = usd_last / (1 + rng.gauss(0.07, 0.08)) ** 2
    step = 10_000_000 if currency == "KRW" else 10_000
    for year in range(as_of.year - 3, as_of.year):
        history.append((year, _nice(amount * float(USD_RATES[currency]), step)))
        amount *= 1 + rng.gauss(0.07, 0.08)
    domestic = region.country
    candidates = [c for c in pool_by_country if c != domestic]
    weights = [len(pool_by_country[c]) for c in candidates]
    n_dest = rng.randint(3, 8) if not ecommerce else rng.randint(4, 10)
    destinations: list[str] = []
    while len(destinations) < min(n_dest, len(candidates)):
        pick = _weighted(rng, candidates, weights)
        if pick not in destinations:
            destinations.append(pick)
    destinations.sort()
    n_buyers = rng.randint(5, 15)
    picked: list[Buyer] = []
    for _ in range(n_buyers * 4):
        if len(picked) == n_buyers:
            break
        in_country = pool_by_country[rng.choice(destinations)]
        same_trade = [b for b in in_country if b.chapter in chapters]
        buyer = rng.choice(same_trade if same_trade and rng.random() < 0.7 else in_country)
        if buyer not in picked:
            picked.append(buyer)
    previous = history[-1][1]
    shares = [rng.paretovariate(1.5) for _ in picked]
    total_share = sum(shares) / 0.8  # the main buyers take about 80 % of exports
    term_weights = (10, 15, 30, 45)  # LC, DP, DA, OA: open account dominates
    main_buyers = tuple(
        MainBuyer(
            buyer=b,
            years_trading=rng.randint(1, 12),
            annual_volume=round_money(previous * Decimal(f"{x / total_share:.6f}"), currency),
            share_pct=Decimal(f"{100 * x / total_share:.1f}"),
            payment_terms=_weighted(rng, tuple(PaymentTerms), term_weights),
        )
        for b, x in sorted(zip(picked, shares, strict=True), key=lambda pair: -pair[1])
    )
    schedule = _schedule(
        rng, currency=currency, previous_year=previous, buyers=main_buyers, ecommerce=ecommerce
    )
    inception, offset = _story_dates(rng, story, as_of)
    applied_on = (
        as_of - timedelta(days=offset + rng.randint(3, 10))
        if story in (Story.DRAFT, Story.QUOTED, Story.WITHDRAWN)
        else inception - timedelta(days=rng.randint(14, 40))
    )
    endorsement = None
    if story in (Story.ACTIVE, Story.RENEWED) and rng.random() < 0.2:
        endorsement = rng.choice(
            (
                "Shipments to buyers with an approved credit limit only; discretionary limit "
                f"up to {round_money(schedule.maximum_liability / 20, currency)} {currency}.",
                "Cover extended to pre-shipment risk for orders of custom-made goods.",
                "Claims waiting period reduced to 90 days for protracted default.",
                "Payment by letter of credit confirmed by a first-class bank is excluded.",
            )
        )
    return ExporterPlan(
        index=index,
        slug=_slug(name, index),
        name=name,
        country=region.country,
        region=region.code,
        town=town,
        size_class=size,
        cross_border_ecommerce=ecommerce,
        currency=currency,
        export_history=tuple(history),
        hs_chapters=tuple(chapters),
        destination_countries=tuple(destinations),
        main_buyers=main_buyers,
        schedule=schedule,
        story=story,
        inception=inception,
        applied_on=applied_on,
        event_offset_days=offset,
        endorsement=endorsement,
        issue_lead_days=rng.randint(0, 10),
        notice_days=rng.randint(35, 80),
        renewal_offer_days=rng.randint(21, 30),
        renewal_accept_days=rng.randint(3, 15),
        locale="ko" if region.country == "KR" else "zh_Hans",
    )


def plan_book(*, seed: int, exporters: int, as_of: date, buyers: int | None = None) -> BookPlan:
    """The demo book for ``seed``: same seed, size and ``as_of``, same book.

    The first exporter is a Zhejiang textile firm with an active policy, the second a
    Busan exporter whose policy was renewed this year (the two demo exporter users).
    """
    rng = random.Random(seed)
    pool = buyer_pool(rng, buyers if buyers is not None else max(200, exporters * 10))
    by_country: dict[str, list[Buyer]] = {}
    for buyer in pool:
        by_country.setdefault(buyer.country, []).append(buyer)
    stories = _stories(rng, exporters)
    regions = list(EXPORTER_REGIONS)
    region_weights = [r.weight for r in regions]
    by_code = {r.code: r for r in regions}
    taken: set[str] = set()
    plans: list[ExporterPlan] = []
    for index, story in enumerate(stories):
        if index == 0:
            plan = _plan_exporter(
                rng,
                index=index,
                story=story,
                region=by_code["CN-ZJ"],
                as_of=as_of,
                pool_by_country=by_country,
                taken=taken,
                forced_chapter="61",
                ecommerce=False,
                size="small",
            )
        elif index == 1:
            plan = _plan_exporter(
                rng,
                index=index,
                story=story,
                region=by_code["KR-26"],
                as_of=as_of,
                pool_by_country=by_country,
                taken=taken,
                ecommerce=False,
                size="small",
            )
        else:
            region = _weighted(rng, regions, region_weights)
            plan = _plan_exporter(
                rng,
                index=index,
                story=story,
                region=region,
                as_of=as_of,
                pool_by_country=by_country,
                taken=taken,
            )
        plans.append(plan)
    return BookPlan(seed=seed, as_of=as_of, buyers=tuple(pool), exporters=tuple(plans))
