"""Investment-debt premium schedules: the periods of a policy, their notices and payments."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover import audit, ledger
from tradecover.access import Permission, Principal
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tradecover.kit.money import Money
from tradecover.ledger import JournalEntry
from tradecover.pricing.investment_debt import (
    IndemnitySettlement,
    InvestmentDebtQuote,
    PeriodPremium,
    Phase,
    cover_in_force,
    parse_quote_request,
    premium_due_date,
    premium_status,
    premiums_due_before_indemnity,
    quote_investment_debt,
)
from tradecover.pricing.model import (
    InvestmentDebtApplication,
    InvestmentDebtPeriod,
    InvestmentDebtSchedule,
)
from tradecover.pricing.policy_view import PricedPolicy

PERIOD_NOT_ISSUED = "not_issued"
PERIOD_NOTIFIED = "notified"
PERIOD_PAID = "paid"


# --- investment-debt premium schedules ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PeriodView:
    """A period of an investment-debt schedule as of ``today``."""

    position: int
    phase: str
    index: int
    insured_amount: Money
    premium: Money
    notice_date: date | None
    due_date: date | None
    paid_on: date | None
    status: str
    cover_in_force: bool | None


@dataclass(frozen=True, slots=True)
class ScheduleView:
    """An investment-debt premium schedule with each period's status on ``today``."""

    policy_id: int
    currency: str
    request: dict[str, Any]
    total_premium: Money
    periods: tuple[PeriodView, ...]


@dataclass(frozen=True, slots=True)
class InvestmentDebtLoan:
    """The loan behind an investment-debt application: the project company's host country
    and the quote request without its rate ([004]).
    """

    host_country: str
    loan: dict[str, Any]


def record_loan(
    session: Session, *, application_id: int, host_country: str, loan: Mapping[str, Any]
) -> InvestmentDebtLoan:
    """Store the loan of a policy application just submitted."""
    row = InvestmentDebtApplication(
        application_id=application_id,
        host_country=host_country,
        loan=dict(loan),
        created_at=utc_now(),
    )
    session.add(row)
    session.flush()
    return InvestmentDebtLoan(row.host_country, dict(row.loan))


def loan_of(session: Session, application_id: int) -> InvestmentDebtLoan | None:
    """The loan of a policy application (``None``: not an investment-debt application)."""
    row = session.get(InvestmentDebtApplication, application_id)
    return None if row is None else InvestmentDebtLoan(row.host_country, dict(row.loan))


def _schedule_row(session: Session, policy_id: int) -> InvestmentDebtSchedule:
    row = session.execute(
        select(InvestmentDebtSchedule).where(InvestmentDebtSchedule.policy_id == policy_id)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(
            f"policy {policy_id} has no investment-debt schedule", code="schedule_not_found"
        )
    return row


def _periods(
    session: Session, schedule_id: int, *, lock: bool = False
) -> list[InvestmentDebtPeriod]:
    query = (
        select(InvestmentDebtPeriod)
        .where(InvestmentDebtPeriod.schedule_id == schedule_id)
        .order_by(InvestmentDebtPeriod.position)
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return list(session.execute(query).scalars())


def create_investment_debt_schedule(
    session: Session,
    *,
    principal: Principal,
    policy: PricedPolicy,
    request: Mapping[str, Any],
) -> InvestmentDebtSchedule:
    """Price an investment-debt policy's periods ([004]) and store its premium schedule.

    ``policy`` is the caller's, looked up (and checked an investment-debt one) by the
    policies context.
    """
    principal.require(Permission.POLICY_UNDERWRITE)
    if not principal.is_insurer:
        raise PermissionDenied("only the insurer sets a premium schedule", code="forbidden")
    quote = quote_investment_debt(parse_quote_request(request))
    if quote.currency != policy.currency:
        raise ValidationFailed(
            f"the schedule is in {quote.currency} but the policy is in {policy.currency}",
            code="currency_mismatch",
            field="currency",
        )
    if (
        session.execute(
            select(InvestmentDebtSchedule.id).where(InvestmentDebtSchedule.policy_id == policy.id)
        ).first()
        is not None
    ):
        raise Conflict("the policy already has a premium schedule", code="schedule_exists")
    row = InvestmentDebtSchedule(
        policy_id=policy.id,
        currency=quote.currency,
        request=dict(request),
        total_premium_minor=Money.of(quote.total_premium, quote.currency).minor_units(),
        created_by=principal.actor,
        created_at=utc_now(),
    )
    session.add(row)
    session.flush()
    for position, period in enumerate(quote.periods, start=1):
        session.add(
            InvestmentDebtPeriod(
                schedule_id=row.id,
                position=position,
                phase=period.phase.value,
                phase_index=period.index,
                insured_amount_minor=Money.of(period.insured_amount, quote.currency).minor_units(),
                premium_minor=Money.of(period.premium, quote.currency).minor_units(),
                late_payment_accepted=False,
                status=PERIOD_NOT_ISSUED,
            )
        )
    session.flush()
    audit.record(
        session,
        org_id=policy.exporter_org_id,
        actor=principal.actor,
        action="investment_debt.schedule_set",
        entity_type="policy",
        entity_id=policy.id,
        after={
            "total_premium": str(quote.total_premium),
            "currency": quote.currency,
            "periods": len(quote.periods),
        },
    )
    return row


def _period_view(row: InvestmentDebtPeriod, currency: str, today: date) -> PeriodView:
    status, in_force = row.status, None
    if row.notice_date is not None:
        status = premium_status(notice_date=row.notice_date, paid_on=row.paid_on, today=today).value
        in_force = cover_in_force(
            notice_date=row.notice_date,
            paid_on=row.paid_on,
            today=today,
            late_payment_accepted=row.late_payment_accepted,
        )
    return PeriodView(
        position=row.position,
        phase=row.phase,
        index=row.phase_index,
        insured_amount=Money.from_minor(row.insured_amount_minor, currency),
        premium=Money.from_minor(row.premium_minor, currency),
        notice_date=row.notice_date,
        due_date=row.due_date,
        paid_on=row.paid_on,
        status=status,
        cover_in_force=in_force,
    )


def get_investment_debt_schedule(
    session: Session, *, principal: Principal, policy: PricedPolicy, today: date
) -> ScheduleView:
    """The schedule with each period's premium status and cover on ``today``."""
    row = _schedule_row(session, policy.id)
    return ScheduleView(
        policy_id=policy.id,
        currency=row.currency,
        request=dict(row.request),
        total_premium=Money.from_minor(row.total_premium_minor, row.currency),
        periods=tuple(_period_view(p, row.currency, today) for p in _periods(session, row.id)),
    )


def _require_premium_staff(principal: Principal) -> None:
    principal.require(Permission.PREMIUM_MANAGE)  # underwriters, finance, admin
    if not principal.is_insurer:
        raise PermissionDenied("only the insurer manages premium", code="forbidden")


def _period(periods: list[InvestmentDebtPeriod], position: int) -> InvestmentDebtPeriod:
    for period in periods:
        if period.position == position:
            return period
    raise NotFound(
        f"no period {position} in the schedule", code="period_not_found", field="position"
    )


def _period_ref(policy: PricedPolicy, position: int) -> str:
    return f"policy {policy.number or policy.id} period {position}"


def _post(session: Session, entry: JournalEntry | None) -> None:
    """Book a premium entry (:mod:`tradecover.ledger.investment_debt`); none for zero."""
    if entry is not None:
        ledger.post(session, entries=[entry])


def issue_premium_notice(
    session: Session,
    *,
    principal: Principal,
    policy: PricedPolicy,
    position: int,
    notice_date: date,
) -> InvestmentDebtPeriod:
    """Send the premium notice of one period: due within 30 days ([004]).

    Notices go out in order: a period's notice needs every earlier period notified.
    """
    _require_premium_staff(principal)
    schedule = _schedule_row(session, policy.id)
    periods = _periods(session, schedule.id, lock=True)
    period = _period(periods, position)
    if period.status != PERIOD_NOT_ISSUED:
        raise Conflict(
            f"period {position}'s notice was already issued", code="notice_already_issued"
        )
    earlier = [p for p in periods if p.position < position]
    if any(p.status == PERIOD_NOT_ISSUED for p in earlier):
        raise Conflict("earlier periods' notices must be issued first", code="notice_out_of_order")
    if earlier and earlier[-1].notice_date is not None and notice_date < earlier[-1].notice_date:
        raise ValidationFailed(
            "a notice cannot be dated before the previous period's", field="notice_date"
        )
    period.notice_date = notice_date
    period.due_date = premium_due_date(notice_date=notice_date)
    period.status = PERIOD_NOTIFIED
    session.flush()
    _post(
        session,
        ledger.period_billed(
            period_id=period.id,
            posted_on=notice_date,
            period_ref=_period_ref(policy, position),
            exporter_id=policy.exporter_org_id,
            premium=Money.from_minor(period.premium_minor, schedule.currency),
        ),
    )
    audit.record(
        session,
        org_id=policy.exporter_org_id,
        actor=principal.actor,
        action="investment_debt.notice_issued",
        entity_type="policy",
        entity_id=policy.id,
        after={
            "position": position,
            "notice_date": notice_date.isoformat(),
            "due_date": period.due_date.isoformat(),
            "premium": str(Money.from_minor(period.premium_minor, schedule.currency)),
        },
    )
    return period


def record_premium_payment(
    session: Session,
    *,
    principal: Principal,
    policy: PricedPolicy,
    position: int,
    paid_on: date,
    accept_late: bool = False,
) -> InvestmentDebtPeriod:
    """Record the payment of one period's premium.

    Premium paid after the due date is refused (409 ``late_premium_refused``, nothing
    recorded) unless the insurer accepts it (``accept_late``); cover then stands again.
    """
    _require_premium_staff(principal)
    schedule = _schedule_row(session, policy.id)
    period = _period(_periods(session, schedule.id, lock=True), position)
    if period.status == PERIOD_NOT_ISSUED or period.notice_date is None or period.due_date is None:
        raise Conflict(f"period {position} has no premium notice yet", code="no_notice")
    if period.status == PERIOD_PAID:
        raise Conflict(f"period {position}'s premium is already paid", code="already_paid")
    if paid_on < period.notice_date:
        raise ValidationFailed("payment cannot precede the premium notice", field="paid_on")
    late = paid_on > period.due_date
    if late and not accept_late:
        raise Conflict(
            f"premium of period {position} paid {paid_on.isoformat()}, after its due date "
            f"{period.due_date.isoformat()}: refused (cover ended at the deadline)",
            code="late_premium_refused",
            details={"due_date": period.due_date.isoformat()},
        )
    period.paid_on = paid_on
    period.late_payment_accepted = late
    period.status = PERIOD_PAID
    session.flush()
    _post(
        session,
        ledger.period_paid(
            period_id=period.id,
            posted_on=paid_on,
            exporter_id=policy.exporter_org_id,
            premium=Money.from_minor(period.premium_minor, schedule.currency),
        ),
    )
    audit.record(
        session,
        org_id=policy.exporter_org_id,
        actor=principal.actor,
        action="investment_debt.premium_paid",
        entity_type="policy",
        entity_id=policy.id,
        after={"position": position, "paid_on": paid_on.isoformat(), "late": late},
    )
    return period


def schedule_quote(
    session: Session, *, principal: Principal, policy: PricedPolicy
) -> tuple[InvestmentDebtQuote, set[int]]:
    """The stored schedule as the pure quote, and the positions whose premium is paid."""
    schedule = _schedule_row(session, policy.id)
    periods = _periods(session, schedule.id)
    currency = schedule.currency
    quote = InvestmentDebtQuote(
        currency=currency,
        periods=tuple(
            PeriodPremium(
                p.phase_index,
                Phase(p.phase),
                Money.from_minor(p.insured_amount_minor, currency).amount,
                Money.from_minor(p.premium_minor, currency).amount,
            )
            for p in periods
        ),
        total_premium=Money.from_minor(schedule.total_premium_minor, currency).amount,
    )
    return quote, {p.position for p in periods if p.status == PERIOD_PAID}


def premiums_due_before_indemnity_for(
    session: Session,
    *,
    principal: Principal,
    policy: PricedPolicy,
    loss_period: int,
    settlement: IndemnitySettlement,
) -> tuple[PeriodPremium, ...]:
    """Unpaid premiums the insured must pay before a loss is indemnified (read by the claims).

    ``loss_period`` is the 1-based position of the period of the loss in the schedule.
    """
    quote, paid = schedule_quote(session, principal=principal, policy=policy)
    return premiums_due_before_indemnity(
        quote, loss_period=loss_period, settlement=settlement, paid_periods=paid
    )


def schedule_periods_of(
    session: Session, policy_id: int, *, lock: bool = False
) -> list[InvestmentDebtPeriod] | None:
    """The periods of a policy's premium schedule in order (``None``: no schedule);
    ``lock`` locks them for a change (a claim's set-off).
    """
    schedule_id = session.execute(
        select(InvestmentDebtSchedule.id).where(InvestmentDebtSchedule.policy_id == policy_id)
    ).scalar_one_or_none()
    if schedule_id is None:
        return None
    return _periods(session, schedule_id, lock=lock)


def set_off_premiums(periods: list[InvestmentDebtPeriod], positions: set[int], today: date) -> None:
    """Record the premiums of ``positions`` paid on ``today``: set off against a claim's
    indemnity ([004]).
    """
    for period in periods:
        if period.position in positions:
            period.paid_on = today
            period.status = PERIOD_PAID


def schedule_request_of(session: Session, policy_id: int) -> dict[str, Any] | None:
    """The quote request a policy's premium schedule was priced from (``None``: none)."""
    request = session.execute(
        select(InvestmentDebtSchedule.request).where(InvestmentDebtSchedule.policy_id == policy_id)
    ).scalar_one_or_none()
    return None if request is None else dict(request)
