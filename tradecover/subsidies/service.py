"""Subsidy programmes: persistence, eligibility of an exporter, grants within caps.

A programme row maps to the pure :class:`tradecover.subsidies.programme.Programme`
(:func:`to_programme`).  The billing run asks :func:`exporter_decision` whether a programme
subsidises an exporter (the exporter-level rules: validity, region, previous-year size,
size tiers) and filters the lines by the shipment-level rules (HS chapter, destination,
shipment date) in SQL.  :func:`plan_grants` then takes what fits from the per-exporter-year
cap, the per-year cap and the budget as read, and :func:`apply_usage` (last in the
transaction, so the usage rows are locked only until the commit) moves the totals with
conditional updates that refuse to pass a ceiling, so that no concurrent run ever exceeds
them (CHECK constraints are the backstop); :func:`grant` does both.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, case, select, text, update
from sqlalchemy.orm import Session

from tradecover.access import (
    OrganisationKind,
    Permission,
    Principal,
    organisation_of,
    organisations_of,
)
from tradecover.audit import record as audit_record
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tradecover.kit.money import Money, check_currency
from tradecover.policies import exporter_profiles_of
from tradecover.subsidies.model import SubsidyProgramme, SubsidyUsageExporter, SubsidyUsageYear
from tradecover.subsidies.programme import (
    CapKind,
    EligibilityDecision,
    EligibilityRule,
    ExporterFacts,
    Programme,
    ShipmentFacts,
    SizeTier,
    decide_eligibility,
)

MAX_PROGRAMMES = 1000


def _minor(money: Money | None) -> int | None:
    return None if money is None else money.minor_units()


def _money(minor: int | None, currency: str) -> Money | None:
    return None if minor is None else Money.from_minor(minor, currency)


def to_programme(row: SubsidyProgramme) -> Programme:
    """The pure programme of a row."""
    cur = row.currency
    return Programme(
        code=row.code,
        name=row.name,
        sponsor=row.name,
        currency=cur,
        share=row.share,
        size_tiers=tuple(
            SizeTier(Money.from_minor(int(t["below_minor"]), cur), Decimal(str(t["share"])))
            for t in row.size_tiers or []
        ),
        regions=tuple(row.regions or ()),
        hs_chapters=tuple(row.hs_chapters or ()),
        destination_countries=tuple(row.destination_countries or ()),
        max_previous_year_exports=_money(row.max_previous_year_exports_minor, cur),
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        cap_per_exporter_year=_money(row.cap_per_exporter_year_minor, cur),
        cap_per_year=_money(row.cap_per_year_minor, cur),
        budget=_money(row.budget_minor, cur),
    )


def snapshot(row: SubsidyProgramme) -> dict[str, Any]:
    """The audited view of a programme."""
    return {
        "id": row.id,
        "code": row.code,
        "name": row.name,
        "currency": row.currency,
        "share": str(row.share),
        "size_tiers": row.size_tiers,
        "regions": row.regions,
        "hs_chapters": row.hs_chapters,
        "destination_countries": row.destination_countries,
        "max_previous_year_exports_minor": row.max_previous_year_exports_minor,
        "valid_from": row.valid_from.isoformat() if row.valid_from else None,
        "valid_to": row.valid_to.isoformat() if row.valid_to else None,
        "cap_per_exporter_year_minor": row.cap_per_exporter_year_minor,
        "cap_per_year_minor": row.cap_per_year_minor,
        "budget_minor": row.budget_minor,
        "sponsor_org_id": row.sponsor_org_id,
    }


def create_programme(
    session: Session,
    *,
    principal: Principal,
    sponsor_org_id: int,
    programme: Programme,
    priority: int = 100,
) -> SubsidyProgramme:
    """Register a programme (finance/admin) for a sponsor organisation of kind programme."""
    principal.require(Permission.SUBSIDY_MANAGE)
    if not principal.is_insurer:
        raise PermissionDenied("only the insurer registers programmes", code="forbidden")
    sponsor = organisation_of(session, sponsor_org_id)
    if sponsor is None:
        raise NotFound(
            f"no organisation {sponsor_org_id}",
            code="organisation_not_found",
            field="sponsor_org_id",
        )
    if sponsor.kind is not OrganisationKind.SUBSIDY_PROGRAMME:
        raise ValidationFailed(
            "the sponsor must be an organisation of kind subsidy_programme",
            code="sponsor_not_a_programme",
            field="sponsor_org_id",
        )
    if not 0 <= priority <= 10_000:
        raise ValidationFailed(
            "priority must be 0 to 10000", code="priority_out_of_range", field="priority"
        )
    code = programme.code.strip().upper()
    if not code.replace("-", "").replace("_", "").isalnum() or len(code) > 32:
        raise ValidationFailed(
            "a code is 1-32 letters, digits, '-' or '_'", code="invalid_code", field="code"
        )
    if (
        session.execute(select(SubsidyProgramme.id).where(SubsidyProgramme.code == code)).first()
        is not None
    ):
        raise Conflict(
            f"a programme {code} exists already", code="duplicate_programme", field="code"
        )
    check_currency(programme.currency)
    row = SubsidyProgramme(
        sponsor_org_id=sponsor.id,
        code=code,
        name=programme.name.strip()[:200] or code,
        currency=programme.currency,
        share=programme.share,
        size_tiers=[
            {"below_minor": t.below.minor_units(), "share": str(t.share)}
            for t in programme.size_tiers
        ],
        regions=list(programme.regions),
        hs_chapters=list(programme.hs_chapters),
        destination_countries=list(programme.destination_countries),
        max_previous_year_exports_minor=_minor(programme.max_previous_year_exports),
        valid_from=programme.valid_from,
        valid_to=programme.valid_to,
        cap_per_exporter_year_minor=_minor(programme.cap_per_exporter_year),
        cap_per_year_minor=_minor(programme.cap_per_year),
        budget_minor=_minor(programme.budget),
        used_minor=0,
        priority=priority,
        created_at=utc_now(),
        created_by=principal.actor,
    )
    session.add(row)
    session.flush()
    audit_record(
        session,
        org_id=sponsor.id,
        actor=principal.actor,
        action="subsidy_programme.created",
        entity_type="subsidy_programme",
        entity_id=row.id,
        after=snapshot(row),
    )
    return row


def readable_programmes(principal: Principal) -> Select[SubsidyProgramme]:
    """The programmes ``principal`` may read: the insurer all, a programme's users theirs.

    Every list and get of programmes starts from this statement.
    """
    query = select(SubsidyProgramme)
    if principal.is_insurer:
        return query
    return query.where(SubsidyProgramme.sponsor_org_id == principal.org_id)


def get_programme(session: Session, *, principal: Principal, programme_id: int) -> SubsidyProgramme:
    """One programme: the insurer sees all, a programme's own users only theirs."""
    principal.require(Permission.SUBSIDY_READ)
    row = session.execute(
        readable_programmes(principal).where(SubsidyProgramme.id == programme_id)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no programme {programme_id}", code="programme_not_found")
    return row


def list_programmes(session: Session, *, principal: Principal) -> list[SubsidyProgramme]:
    """The programmes the caller may see, in the order they pay."""
    principal.require(Permission.SUBSIDY_READ)
    query = readable_programmes(principal).order_by(SubsidyProgramme.priority, SubsidyProgramme.id)
    return list(session.execute(query.limit(MAX_PROGRAMMES)).scalars())


def programme_of(session: Session, programme_id: int) -> SubsidyProgramme | None:
    """The programme ``programme_id`` for the billing context (no caller to scope), or None."""
    return session.get(SubsidyProgramme, programme_id)


def programmes_of(session: Session, programme_ids: Iterable[int]) -> dict[int, SubsidyProgramme]:
    """The programmes among ``programme_ids`` that exist, by id (for the billing context)."""
    wanted = sorted(set(programme_ids))
    if not wanted:
        return {}
    rows = session.execute(select(SubsidyProgramme).where(SubsidyProgramme.id.in_(wanted)))
    return {row.id: row for row in rows.scalars()}


def all_programmes(session: Session) -> list[SubsidyProgramme]:
    """Every programme in paying order (for the billing run)."""
    return list(
        session.execute(
            select(SubsidyProgramme).order_by(SubsidyProgramme.priority, SubsidyProgramme.id)
        ).scalars()
    )


# --- eligibility -----------------------------------------------------------------------


def exporter_facts(
    session: Session, *, exporter_org_id: int, currency: str
) -> ExporterFacts | None:
    """The exporter's region and previous-year exports in ``currency``, or None if unknown."""
    return exporters_facts(session, exporter_org_ids=[exporter_org_id], currency=currency)[
        exporter_org_id
    ]


def exporters_facts(
    session: Session, *, exporter_org_ids: Sequence[int], currency: str
) -> dict[int, ExporterFacts | None]:
    """The facts of many exporters (their profile's region, else their organisation's)."""
    found: dict[int, ExporterFacts | None] = dict.fromkeys(exporter_org_ids)
    if not exporter_org_ids:
        return found
    profiles = exporter_profiles_of(session, exporter_org_ids)
    orgs = organisations_of(session, profiles)
    for org_id, profile in profiles.items():
        if profile.currency == currency:
            org = orgs.get(org_id)
            found[org_id] = ExporterFacts(
                org_id,
                profile.region or (org.region if org is not None else None),
                Money.from_minor(profile.previous_year_exports_minor, currency),
            )
    return found


def exporter_decision(
    programme: Programme, exporter: ExporterFacts | None, *, month: date
) -> EligibilityDecision:
    """The exporter-level decision of a programme for a notice of ``month``.

    Shipment-level rules (HS chapters, destinations, validity on the shipment date) are
    applied to each line by the billing run; here only the exporter's rules decide.
    """
    if exporter is None:
        return EligibilityDecision(
            programme.code,
            False,
            Decimal(0),
            EligibilityRule.EXPORTER_TOO_LARGE,
            f"no export history in {programme.currency} on file: size cannot be established",
        )
    loose = replace(
        programme, hs_chapters=(), destination_countries=(), valid_from=None, valid_to=None
    )
    return decide_eligibility(loose, exporter, ShipmentFacts(month, "", ""))


# --- grants within caps ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Request:
    """What a notice asks of a programme: ``requested_minor`` within ``left_minor``."""

    exporter_org_id: int
    requested_minor: int
    left_minor: int


@dataclass(frozen=True, slots=True)
class Grant:
    """What a programme granted a notice, and the ceiling that cut it, if any."""

    granted_minor: int
    limited_by: CapKind | None


def _usage(
    session: Session, row: SubsidyProgramme, year: int, exporters: set[int]
) -> tuple[int, dict[int, int]]:
    """What the programme used in ``year``, in all and per exporter (read, not locked)."""
    used_year = session.execute(
        select(SubsidyUsageYear.used_minor).where(
            SubsidyUsageYear.programme_id == row.id, SubsidyUsageYear.year == year
        )
    ).scalar_one_or_none()
    used_exp: dict[int, int] = {}
    used_exp.update(
        {
            int(o): int(u)
            for o, u in session.execute(
                select(SubsidyUsageExporter.exporter_org_id, SubsidyUsageExporter.used_minor).where(
                    SubsidyUsageExporter.programme_id == row.id,
                    SubsidyUsageExporter.year == year,
                    SubsidyUsageExporter.exporter_org_id.in_(sorted(exporters)),
                )
            )
        }
    )
    return int(used_year or 0), used_exp  # exporters without a row yet are missing


def _room(cap: int | None, used: int) -> int | None:
    return None if cap is None else max(cap - used, 0)


@dataclass(frozen=True, slots=True)
class Usage:
    """What a set of grants moves: the programme's total, its year, each exporter's year."""

    programme_id: int
    year: int
    total_minor: int
    per_exporter: dict[int, int]
    new_exporters: tuple[int, ...] = ()  # no usage row yet this year


def plan_grants(
    session: Session, *, programme_id: int, year: int, requests: Sequence[Request]
) -> tuple[list[Grant], Usage]:
    """Grant ``requests`` in order within the programme's caps and budget, as read now.

    Nothing is locked or written: :func:`apply_usage` moves the totals later with
    conditional updates that refuse to pass any ceiling, so a concurrent grant that took
    the room in between makes it fail (``subsidy_cap_race``) and the caller retries.  A
    negative request (a notice crediting earlier premium) gives back at most what the
    exporter used this year.
    """
    row = session.execute(
        select(SubsidyProgramme)
        .where(SubsidyProgramme.id == programme_id)
        .execution_options(populate_existing=True)
    ).scalar_one()
    wanted = [r for r in requests if r.requested_minor != 0]
    if not wanted:
        return [Grant(0, None) for _ in requests], Usage(row.id, year, 0, {})
    used_total = row.used_minor
    used_year, used_exp = _usage(session, row, year, {r.exporter_org_id for r in wanted})
    new = {r.exporter_org_id for r in wanted} - set(used_exp)
    used_exp.update(dict.fromkeys(new, 0))
    before_exp = dict(used_exp)
    start_total = used_total
    grants: list[Grant] = []
    for r in requests:
        part, cut = r.requested_minor, None
        if part == 0:
            grants.append(Grant(0, None))
            continue
        if part < 0:  # an adjustment credit: give back from this year's grants, no further
            part = max(part, -used_exp[r.exporter_org_id], -used_year, -used_total)
        else:
            rooms = (
                (CapKind.PREMIUM_LEFT, r.left_minor),
                (
                    CapKind.PER_EXPORTER_YEAR,
                    _room(row.cap_per_exporter_year_minor, used_exp[r.exporter_org_id]),
                ),
                (CapKind.PER_YEAR, _room(row.cap_per_year_minor, used_year)),
                (CapKind.BUDGET, _room(row.budget_minor, used_total)),
            )
            for kind, room in rooms:
                if room is not None and room < part:
                    part, cut = max(room, 0), kind
        used_total += part
        used_year += part
        used_exp[r.exporter_org_id] += part
        grants.append(Grant(part, cut))
    moved = {
        o: used_exp[o] - before_exp[o] for o in sorted(used_exp) if used_exp[o] != before_exp[o]
    }
    return grants, Usage(
        row.id, year, used_total - start_total, moved, tuple(sorted(o for o in new if o in moved))
    )


def apply_usage(session: Session, usage: Usage) -> None:
    """Move the programme's usage totals by ``usage``, refusing to pass any ceiling.

    Conditional updates (``used + delta <= cap``) on the programme, its year and each
    exporter's year (rows created on first use); a concurrent grant that took the room
    first makes one fail: :class:`Conflict` ``subsidy_cap_race``, and the caller's
    transaction retries.  Call it last in a transaction: the rows stay locked until commit.
    """
    if usage.total_minor == 0 and not usage.per_exporter:
        return
    row = session.get(SubsidyProgramme, usage.programme_id)
    assert row is not None
    session.execute(
        text(
            "INSERT INTO subsidy_usage_years (programme_id, year, used_minor, cap_minor) "
            "VALUES (:p, :y, 0, :cap) ON CONFLICT DO NOTHING"
        ),
        {"p": row.id, "y": usage.year, "cap": row.cap_per_year_minor},
    )
    if usage.new_exporters:
        session.execute(
            text(
                "INSERT INTO subsidy_usage_exporters (programme_id, exporter_org_id, year, "
                "used_minor, cap_minor) VALUES (:p, :o, :y, 0, :cap) ON CONFLICT DO NOTHING"
            ),
            [
                {"p": row.id, "o": o, "y": usage.year, "cap": row.cap_per_exporter_year_minor}
                for o in usage.new_exporters
            ],
        )
    _move(
        session,
        SubsidyProgramme,
        [SubsidyProgramme.id == row.id],
        SubsidyProgramme.used_minor,
        usage.total_minor,
        row.budget_minor,
    )
    _move(
        session,
        SubsidyUsageYear,
        [SubsidyUsageYear.programme_id == row.id, SubsidyUsageYear.year == usage.year],
        SubsidyUsageYear.used_minor,
        usage.total_minor,
        row.cap_per_year_minor,
    )
    if usage.per_exporter and session.get_bind().dialect.name == "postgresql":
        # one statement for every exporter, joined to its delta (a CASE of hundreds of
        # branches would be evaluated on every row: quadratic in the batch)
        cap = "" if row.cap_per_exporter_year_minor is None else " AND e.used_minor + v.d <= :cap"
        done = session.execute(
            text(
                "UPDATE subsidy_usage_exporters e SET used_minor = e.used_minor + v.d FROM "
                "json_to_recordset(CAST(:v AS json)) AS v(o bigint, d bigint) WHERE "
                "e.programme_id = :p AND e.year = :y AND e.exporter_org_id = v.o" + cap
            ),
            {
                "v": json.dumps([{"o": o, "d": d} for o, d in sorted(usage.per_exporter.items())]),
                "p": row.id,
                "y": usage.year,
                "cap": row.cap_per_exporter_year_minor,
            },
        ).rowcount  # type: ignore[attr-defined]
        if done != len(usage.per_exporter):
            raise Conflict(
                "a subsidy ceiling was reached by a concurrent grant; run again",
                code="subsidy_cap_race",
            )
    elif usage.per_exporter:  # one statement for every exporter
        column = SubsidyUsageExporter.used_minor
        condition = [
            SubsidyUsageExporter.programme_id == row.id,
            SubsidyUsageExporter.year == usage.year,
            SubsidyUsageExporter.exporter_org_id.in_(sorted(usage.per_exporter)),
        ]
        delta = case(usage.per_exporter, value=SubsidyUsageExporter.exporter_org_id, else_=0)
        if row.cap_per_exporter_year_minor is not None:
            condition.append(column + delta <= row.cap_per_exporter_year_minor)
        done = session.execute(
            update(SubsidyUsageExporter)
            .where(*condition)
            .values({column: column + delta})
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        if done != len(usage.per_exporter):
            raise Conflict(
                "a subsidy ceiling was reached by a concurrent grant; run again",
                code="subsidy_cap_race",
            )


def grant(
    session: Session, *, programme_id: int, year: int, requests: Sequence[Request]
) -> list[Grant]:
    """:func:`plan_grants` then :func:`apply_usage`, the programme row locked first.

    The lock (``FOR UPDATE``; ``BEGIN IMMEDIATE`` on SQLite) makes concurrent callers
    wait and then see what the first took, instead of failing on a stale read.
    """
    session.execute(
        select(SubsidyProgramme.id).where(SubsidyProgramme.id == programme_id).with_for_update()
    )
    grants, usage = plan_grants(session, programme_id=programme_id, year=year, requests=requests)
    apply_usage(session, usage)
    return grants


def _move(
    session: Session, model: Any, where: list[Any], column: Any, amount: int, cap: int | None
) -> None:
    """``used = used + amount`` only while it stays within ``cap``; refuse otherwise."""
    if amount == 0:
        return
    condition = list(where)
    if cap is not None:
        condition.append(column + amount <= cap)
    done = session.execute(
        update(model)
        .where(*condition)
        .values({column: column + amount})
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if done != 1:
        raise Conflict(
            "a subsidy ceiling was reached by a concurrent grant; run again",
            code="subsidy_cap_race",
        )
