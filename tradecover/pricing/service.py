"""Use cases of pricing: rate tables in the database, quotes, renewal re-pricing and the
premium schedules of investment-debt policies.

* :func:`pricer_for` is THE pricing interface of the system: the attachment service,
  renewals and quotes all price through the :class:`ShortTermPricer` it returns, built on
  the current version of a stored rate table and the country classes in force.
* Rate tables are versioned: an edit is a new row (:func:`add_rate_table_version`); the
  *current* version of a code is its highest ``active`` one; older active versions are
  retired by the edit, drafts are kept but never priced on.
* Services never commit; every change writes its audit entry in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tradecover import audit, country_risk
from tradecover.access import Permission, Principal, insurer
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tradecover.pricing.model import (
    RATE_TABLE_ACTIVE,
    RATE_TABLE_DRAFT,
    RATE_TABLE_RETIRED,
    RateTableVersion,
)
from tradecover.pricing.policy_view import PricedPolicy
from tradecover.pricing.rate_table import (
    RateTable,
    rate_table_from_dict,
    rate_table_to_dict,
    shipped_rate_tables,
)
from tradecover.pricing.renewal import (
    REPRICE_METHOD,
    RenewalProposal,
    propose_renewal_rate,
    rate_pct,
)
from tradecover.pricing.schedules.service import (  # re-exported: the schedules' use cases
    PERIOD_NOT_ISSUED as PERIOD_NOT_ISSUED,
)
from tradecover.pricing.schedules.service import (
    PERIOD_NOTIFIED as PERIOD_NOTIFIED,
)
from tradecover.pricing.schedules.service import (
    PERIOD_PAID as PERIOD_PAID,
)
from tradecover.pricing.schedules.service import (
    PeriodView as PeriodView,
)
from tradecover.pricing.schedules.service import (
    ScheduleView as ScheduleView,
)
from tradecover.pricing.schedules.service import (
    _period as _period,
)
from tradecover.pricing.schedules.service import (
    _period_ref as _period_ref,
)
from tradecover.pricing.schedules.service import (
    _period_view as _period_view,
)
from tradecover.pricing.schedules.service import (
    _periods as _periods,
)
from tradecover.pricing.schedules.service import (
    _post as _post,
)
from tradecover.pricing.schedules.service import (
    _require_premium_staff as _require_premium_staff,
)
from tradecover.pricing.schedules.service import (
    _schedule_row as _schedule_row,
)
from tradecover.pricing.schedules.service import (
    create_investment_debt_schedule as create_investment_debt_schedule,
)
from tradecover.pricing.schedules.service import (
    get_investment_debt_schedule as get_investment_debt_schedule,
)
from tradecover.pricing.schedules.service import (
    issue_premium_notice as issue_premium_notice,
)
from tradecover.pricing.schedules.service import (
    premiums_due_before_indemnity_for as premiums_due_before_indemnity_for,
)
from tradecover.pricing.schedules.service import (
    record_premium_payment as record_premium_payment,
)
from tradecover.pricing.schedules.service import (
    schedule_quote as schedule_quote,
)
from tradecover.pricing.short_term import (
    RateQuote,
    ShortTermPricer,
    ShortTermRateRequest,
)

if TYPE_CHECKING:
    from tradecover.policies import ReviewMetrics

DEFAULT_TABLE_CODE = "ST-2026"
"""The code of the shipped default short-term table, loaded into every database."""

BOOTSTRAP_ACTOR = "system:bootstrap"
EDITABLE_STATUSES = (RATE_TABLE_ACTIVE, RATE_TABLE_DRAFT)


Reprice = Callable[["ReviewMetrics", PricedPolicy], tuple[Decimal, dict[str, Any]]]
"""The policies context's renewal hook: new base rate in percent and its explanation."""


# --- rate tables -------------------------------------------------------------------------


def load_default_rate_tables(session: Session) -> int:
    """Store each shipped table (``ST-2026`` v1, the domestic ``DT-2026`` v1) that the
    database has no version of (idempotent); returns how many were stored.
    """
    added = 0
    for table in shipped_rate_tables():
        exists = session.execute(
            select(func.count())
            .select_from(RateTableVersion)
            .where(RateTableVersion.code == table.code)
        ).scalar_one()
        if exists:
            continue
        insurer(session)  # the insurer organisation must exist: its staff edit tables
        session.add(
            RateTableVersion(
                code=table.code,
                version=table.version,
                effective_from=table.effective_from,
                status=RATE_TABLE_ACTIVE,
                body=rate_table_to_dict(table),
                reason="shipped default table",
                created_by=BOOTSTRAP_ACTOR,
                created_at=utc_now(),
            )
        )
        added += 1
    session.flush()
    return added


def _check_code(code: str) -> str:
    if not isinstance(code, str) or not 1 <= len(code) <= 64 or not code.strip() or "\x00" in code:
        raise ValidationFailed("a rate table code has 1 to 64 characters", field="code")
    return code


def versions(session: Session, *, code: str) -> list[RateTableVersion]:
    """Every version of a table, newest first; an unknown code is :class:`NotFound`."""
    rows = list(
        session.execute(
            select(RateTableVersion)
            .where(RateTableVersion.code == _check_code(code))
            .order_by(RateTableVersion.version.desc())
        ).scalars()
    )
    if not rows:
        raise NotFound(f"no rate table {code!r}", code="rate_table_not_found")
    return rows


def current_version(session: Session, *, code: str | None = None) -> RateTableVersion:
    """The version priced on: the highest ``active`` version of ``code`` (default ST-2026)."""
    wanted = _check_code(code) if code is not None else DEFAULT_TABLE_CODE
    row = session.execute(
        select(RateTableVersion)
        .where(RateTableVersion.code == wanted, RateTableVersion.status == RATE_TABLE_ACTIVE)
        .order_by(RateTableVersion.version.desc())
        .limit(1)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(
            f"no active rate table {wanted!r}", code="rate_table_not_found", field="rate_table"
        )
    return row


def list_current(
    session: Session, *, limit: int = 50, offset: int = 0
) -> tuple[list[tuple[RateTableVersion, int]], int]:
    """Each table code's newest version and how many versions it has, by code."""
    latest = (
        select(
            RateTableVersion.code,
            func.max(RateTableVersion.version).label("v"),
            func.count().label("n"),
        )
        .group_by(RateTableVersion.code)
        .subquery()
    )
    total = session.execute(select(func.count()).select_from(latest)).scalar_one()
    rows = session.execute(
        select(RateTableVersion, latest.c.n)
        .join(
            latest,
            (RateTableVersion.code == latest.c.code) & (RateTableVersion.version == latest.c.v),
        )
        .order_by(RateTableVersion.code)
        .limit(limit)
        .offset(offset)
    ).all()
    return [(row[0], int(row[1])) for row in rows], int(total)


@lru_cache(maxsize=64)
def _table_of_row(row_id: int, body_json: str) -> RateTable:
    """Rows are never updated, so a parsed table is cached by its row id and body."""
    import json

    return rate_table_from_dict(json.loads(body_json))


def table_of(row: RateTableVersion) -> RateTable:
    """The validated :class:`RateTable` of a stored version."""
    from tradecover.db.base import canonical_json

    return _table_of_row(row.id, canonical_json(row.body))


def add_rate_table_version(
    session: Session,
    *,
    principal: Principal,
    code: str,
    body: Mapping[str, Any],
    reason: str,
    status: str = RATE_TABLE_ACTIVE,
) -> RateTableVersion:
    """Save an edit as the next version of ``code``; an active one retires the previous.

    ``body`` is the table's JSON form (:func:`rate_table_to_dict`); its ``code`` and
    ``version`` are set here.  The table is validated in full (a non-monotone matrix is
    refused naming the cell) before anything is written.
    """
    principal.require(Permission.RATE_TABLE_EDIT)
    if not principal.is_insurer:
        raise PermissionDenied("only the insurer edits rate tables", code="forbidden")
    _check_code(code)
    why = (reason or "").strip()
    if not why:
        raise ValidationFailed("a reason is required", code="reason_required", field="reason")
    if len(why) > 1000:
        raise ValidationFailed(
            "reason is longer than 1000 characters", code="value_too_long", field="reason"
        )
    if status not in EDITABLE_STATUSES:
        raise ValidationFailed(
            f"status must be one of {', '.join(EDITABLE_STATUSES)}", field="status"
        )
    if not isinstance(body, Mapping):
        raise ValidationFailed("the table body must be a JSON object", field="body")
    # Edits of one code are serialised: lock every stored version of it (rows are never
    # deleted, so a second editor waits here), then read the newest version and the active
    # ones afresh.  Two first versions of a new code racing meet the unique constraint.
    session.execute(
        select(RateTableVersion.id)
        .where(RateTableVersion.code == code)
        .order_by(RateTableVersion.id)
        .with_for_update()
    ).all()
    last = session.execute(
        select(func.max(RateTableVersion.version)).where(RateTableVersion.code == code)
    ).scalar_one()
    version = int(last or 0) + 1
    table = rate_table_from_dict({**body, "code": code, "version": version})
    previous = (
        session.execute(
            select(RateTableVersion)
            .where(RateTableVersion.code == code, RateTableVersion.status == RATE_TABLE_ACTIVE)
            .order_by(RateTableVersion.version)
            .execution_options(populate_existing=True)
        )
        .scalars()
        .all()
    )
    new = RateTableVersion(
        code=code,
        version=version,
        effective_from=table.effective_from,
        status=status,
        body=rate_table_to_dict(table),
        reason=why,
        created_by=principal.actor,
        created_at=utc_now(),
    )
    try:
        with session.begin_nested():
            session.add(new)
            session.flush()
    except IntegrityError:
        raise Conflict(
            f"rate table {code!r} was edited at the same time; reload and retry",
            code="rate_table_edit_conflict",
        ) from None
    retired: list[int] = []
    if status == RATE_TABLE_ACTIVE:
        for row in previous:
            row.status = RATE_TABLE_RETIRED
            retired.append(row.version)
    session.flush()
    audit.record(
        session,
        org_id=principal.org_id,
        actor=principal.actor,
        action="rate_table.version_added",
        entity_type="rate_table",
        entity_id=code,
        reason=why,
        before={"active_versions": [r.version for r in previous]},
        after={
            "version": version,
            "status": status,
            "retired": retired,
            "effective_from": table.effective_from.isoformat(),
        },
    )
    return new


# --- the pricing interface ------------------------------------------------------------------


def country_classes(session: Session) -> dict[str, int]:
    """Country code to risk class 0-7 in force (unclassified countries are left out)."""
    return {
        c.country: c.risk_class
        for c in country_risk.current_all(session)
        if c.risk_class is not None
    }


def pricer_for(session: Session, *, code: str | None = None) -> ShortTermPricer:
    """THE pricing interface: a pricer on the current version of ``code`` (default ST-2026)
    with the country classes in force.  Attachment, renewals and quotes all call this.
    """
    return ShortTermPricer(
        table=table_of(current_version(session, code=code)),
        country_classes=country_classes(session),
    )


def quote_short_term(
    session: Session,
    *,
    principal: Principal,
    request: ShortTermRateRequest,
    code: str | None = None,
) -> RateQuote:
    """A short-term rate with its explanation; any signed-in role may quote."""
    if request.country is not None and request.country_class is None:
        # one country's class, not the whole classification: keeps a quote fast
        view = _country_view(session, request.country)
        pricer = ShortTermPricer(
            table=table_of(current_version(session, code=code)), country_classes=view
        )
        return pricer.price(request)
    return ShortTermPricer(table=table_of(current_version(session, code=code))).price(request)


def _country_view(session: Session, country: str) -> dict[str, int]:
    try:
        view = country_risk.current(session, country)
    except (NotFound, ValidationFailed):
        return {}
    return {country: view.risk_class} if view.risk_class is not None else {}


# --- renewal re-pricing ---------------------------------------------------------------------


def _renewal_table(session: Session, policy: PricedPolicy) -> RateTable:
    try:
        return table_of(current_version(session, code=policy.rate_table))
    except (NotFound, ValidationFailed):
        return table_of(current_version(session))


def propose_for(
    session: Session, *, metrics: ReviewMetrics, policy: PricedPolicy, years_insured: int
) -> RenewalProposal:
    """The renewal proposal of ``policy`` from its review metrics (pure rules, stored table)."""
    return propose_renewal_rate(
        table=_renewal_table(session, policy),
        current_rate=(policy.base_rate_pct / 100).quantize(Decimal("1E-8")),
        metrics=metrics,
        years_insured=years_insured,
    )


def _reprice(
    session: Session,
    metrics: ReviewMetrics,
    policy: PricedPolicy,
    years_insured: Callable[[Session, int], int],
) -> tuple[Decimal, dict[str, Any]]:
    if metrics.declared_amount == 0 and metrics.premium_earned == 0:
        return policy.base_rate_pct, {
            "method": "unchanged",
            "decision": None,
            "note": "no declarations or premium recorded this term: the rate stays",
        }
    proposal = propose_for(
        session, metrics=metrics, policy=policy, years_insured=years_insured(session, policy.id)
    )
    explanation = {"method": REPRICE_METHOD, **proposal.to_dict(), "decision": None}
    return rate_pct(proposal.proposed_rate), explanation


def renewal_repricer(session: Session, *, years_insured: Callable[[Session, int], int]) -> Reprice:
    """The ``reprice`` callable for :func:`tradecover.policies.service.offer_renewal`;
    ``years_insured`` counts the terms of a policy's renewal chain (the policies context's).
    """

    def reprice(metrics: ReviewMetrics, policy: PricedPolicy) -> tuple[Decimal, dict[str, Any]]:
        return _reprice(session, metrics, policy, years_insured)

    return reprice
