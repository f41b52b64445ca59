"""Overseas investment debt insurance premium, exactly as source [004] models it.

[004] Wu, Wu & Chen (Sinosure), "A Thread's Analysis on the Determination of the
Overseas Investment Debt Insurance Premium" (2021); [domain I-1].  Symbols as in
its Table 1: repayment periods ``n = 1..T2``, principal ``a_n`` due at the end of period
``n``, interest ``I_n`` of period ``n``, premium rate ``p`` per period of insurance.

* Insured amount of a period (section 3.2):
  - drawdown period: principal drawn so far at the start of the period + principal
    drawn during it + the interest of the period on both;
  - repayment period ``t``: principal outstanding at its start + its interest,
    ``sum_{n=t..T2} a_n + I_t`` (scheme 1), or under partial cover of the first ``T3``
    periods ``sum_{n=t..T3} a_n + I_t`` (scheme 2);
  - principal only when interest is not insured; never above the maximum insured amount.
* Premium of a period = insured amount x ``p`` (section 3.2), rounded half-up to the
  currency's minor unit here; the total is the sum of the rounded period premiums.
* Identity (section 4.3): ``sum_t (sum_{n>=t} a_n + I_t) p = sum_n (n a_n + I_n) p``:
  each instalment pays premium in each of the ``n`` periods it is outstanding, each
  interest amount once.  Table 2: covering years ``T3+1..T2`` as well adds
  ``sum_{n>T3} (n a_n + I_n) p``.
* Payment (section 3.3): premium is due within 30 days of the premium notice; cover
  depends on payment; late premium may be refused and the policy terminated.
* A loss does not end the policy (section 2.2): later periods' premiums stay due.
  Indemnified in one sum, all later periods' premiums must be paid before the
  indemnity; indemnified on the original schedule, premium follows that schedule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import check_currency, minor_unit, round_money, to_decimal

PREMIUM_NOTICE_DAYS = 30
"""[004] section 3.3: premium is paid in full within 30 days of the premium notice."""

MAX_RATE_PER_PERIOD = Decimal("0.25")
"""A premium rate above 25 % of the insured amount per period is refused as absurd."""

MAX_PERIODS = 100
"""At most 100 drawdown and 100 repayment periods (a century of yearly periods)."""


class Phase(StrEnum):
    """Phase of the loan a period of insurance falls in."""

    DRAWDOWN = "drawdown"
    REPAYMENT = "repayment"


@dataclass(frozen=True, slots=True)
class DrawdownPeriod:
    """A drawdown period: principal drawn during it and the interest accrued in it."""

    drawn: Decimal
    interest: Decimal


@dataclass(frozen=True, slots=True)
class RepaymentPeriod:
    """A repayment period ``n``: principal ``a_n`` due at its end and its interest ``I_n``."""

    principal: Decimal
    interest: Decimal


@dataclass(frozen=True, slots=True)
class InvestmentDebtQuoteRequest:
    """A quote request (POST /api/v1/quotes/investment-debt); build it with :meth:`from_json`."""

    currency: str
    rate: Decimal
    repayment_periods: tuple[RepaymentPeriod, ...]
    drawdown_periods: tuple[DrawdownPeriod, ...] = ()
    insure_interest: bool = True
    max_insured_amount: Decimal | None = None
    covered_repayment_periods: int | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> InvestmentDebtQuoteRequest:
        """Parse the JSON request; every problem is a 422 naming its field."""
        return parse_quote_request(data)


@dataclass(frozen=True, slots=True)
class PeriodPremium:
    """One period of insurance: its insured amount and its rounded premium."""

    index: int
    """1-based within its phase; for repayment periods it is the ``n`` of [004]."""
    phase: Phase
    insured_amount: Decimal
    premium: Decimal

    def to_json(self) -> dict[str, Any]:
        """``{"index", "phase", "insured_amount", "premium"}`` with amounts as strings."""
        return {
            "index": self.index,
            "phase": self.phase.value,
            "insured_amount": str(self.insured_amount),
            "premium": str(self.premium),
        }


@dataclass(frozen=True, slots=True)
class InvestmentDebtQuote:
    """The premium schedule of a policy: one row per period of insurance, in order."""

    currency: str
    periods: tuple[PeriodPremium, ...]
    total_premium: Decimal

    def to_json(self) -> dict[str, Any]:
        """The response body: ``{"currency", "periods": [...], "total_premium"}``."""
        return {
            "currency": self.currency,
            "periods": [p.to_json() for p in self.periods],
            "total_premium": str(self.total_premium),
        }


# --- parsing and validation ------------------------------------------------------


def _amount(value: Any, *, field: str, currency: str) -> Decimal:
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        number = to_decimal(value, field=field)
    elif isinstance(value, str):
        number = to_decimal(value.strip(), field=field)
    else:
        raise ValidationFailed(f"{field} must be a decimal string, got {value!r}", field=field)
    if number < 0:
        raise ValidationFailed(f"{field} must not be negative, got {number}", field=field)
    if round_money(number, currency) != number:
        raise ValidationFailed(
            f"{field} {number} has more decimals than {currency}'s minor unit "
            f"({minor_unit(currency)})",
            field=field,
        )
    return number


def _rate(value: Any) -> Decimal:
    if not isinstance(value, (str, Decimal)) or isinstance(value, bool):
        raise ValidationFailed(f"rate must be a decimal string, got {value!r}", field="rate")
    rate = to_decimal(value.strip() if isinstance(value, str) else value, field="rate")
    if rate <= 0:
        raise ValidationFailed(f"rate must be positive, got {rate}", field="rate")
    if rate > MAX_RATE_PER_PERIOD:
        raise ValidationFailed(
            f"rate {rate} per period is absurd: at most {MAX_RATE_PER_PERIOD} is accepted",
            field="rate",
        )
    return rate


def _periods(data: Mapping[str, Any], key: str, *, required: bool) -> list[Mapping[str, Any]]:
    raw = data.get(key)
    if raw is None:
        if required:
            raise ValidationFailed(f"{key} is required", field=key)
        return []
    if not isinstance(raw, list):
        raise ValidationFailed(f"{key} must be a list", field=key)
    if len(raw) > MAX_PERIODS:
        raise ValidationFailed(f"{key} has {len(raw)} periods; at most {MAX_PERIODS}", field=key)
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping):
            raise ValidationFailed(f"{key}[{i}] must be an object", field=f"{key}[{i}]")
    return raw


def _get_amount(
    item: Mapping[str, Any], key: str, path: str, currency: str, default: Decimal | None = None
) -> Decimal:
    if key not in item or item[key] is None:
        if default is not None:
            return default
        raise ValidationFailed(f"{path}.{key} is required", field=f"{path}.{key}")
    return _amount(item[key], field=f"{path}.{key}", currency=currency)


def parse_quote_request(data: Mapping[str, Any]) -> InvestmentDebtQuoteRequest:
    """Parse and validate the JSON request of the investment-debt quote.

    Amounts are decimal strings (integers are tolerated, floats refused) with no more
    decimals than the currency's minor unit.  The schedule must add up: when drawdown
    periods are given, principal drawn equals principal repaid.
    """
    if not isinstance(data, Mapping):
        raise ValidationFailed("the request must be a JSON object", field="body")
    known = {
        "currency",
        "rate",
        "insure_interest",
        "max_insured_amount",
        "covered_repayment_periods",
        "drawdown_periods",
        "repayment_periods",
    }
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValidationFailed(f"unknown field {unknown[0]!r}", field=unknown[0])
    if "currency" not in data:
        raise ValidationFailed("currency is required", field="currency")
    currency = check_currency(data["currency"], field="currency")
    if "rate" not in data:
        raise ValidationFailed("rate is required", field="rate")
    rate = _rate(data["rate"])
    insure_interest = data.get("insure_interest", True)
    if not isinstance(insure_interest, bool):
        raise ValidationFailed("insure_interest must be true or false", field="insure_interest")
    cap = data.get("max_insured_amount")
    max_insured = (
        None if cap is None else _amount(cap, field="max_insured_amount", currency=currency)
    )
    if max_insured is not None and max_insured == 0:
        raise ValidationFailed("max_insured_amount must be positive", field="max_insured_amount")
    repayments = tuple(
        RepaymentPeriod(
            principal=_get_amount(item, "principal", f"repayment_periods[{i}]", currency),
            interest=_get_amount(
                item, "interest", f"repayment_periods[{i}]", currency, default=Decimal(0)
            ),
        )
        for i, item in enumerate(_periods(data, "repayment_periods", required=True))
    )
    drawdowns = tuple(
        DrawdownPeriod(
            drawn=_get_amount(item, "drawn", f"drawdown_periods[{i}]", currency),
            interest=_get_amount(
                item, "interest", f"drawdown_periods[{i}]", currency, default=Decimal(0)
            ),
        )
        for i, item in enumerate(_periods(data, "drawdown_periods", required=False))
    )
    covered = data.get("covered_repayment_periods")
    request = InvestmentDebtQuoteRequest(
        currency=currency,
        rate=rate,
        repayment_periods=repayments,
        drawdown_periods=drawdowns,
        insure_interest=insure_interest,
        max_insured_amount=max_insured,
        covered_repayment_periods=covered,
    )
    validate_schedule(request)
    return request


def validate_schedule(request: InvestmentDebtQuoteRequest) -> None:
    """Check that the schedule adds up; raise a 422 naming the field otherwise."""
    check_currency(request.currency, field="currency")
    repayments = request.repayment_periods
    if not repayments:
        raise ValidationFailed("at least one repayment period is needed", field="repayment_periods")
    repaid = sum((p.principal for p in repayments), Decimal(0))
    if repaid <= 0:
        raise ValidationFailed(
            "the repayment schedule repays no principal", field="repayment_periods"
        )
    covered = request.covered_repayment_periods
    if covered is not None and (
        isinstance(covered, bool)
        or not isinstance(covered, int)
        or not 1 <= covered <= len(repayments)
    ):
        raise ValidationFailed(
            f"covered_repayment_periods must be a whole number from 1 to the "
            f"{len(repayments)} repayment periods, got {covered!r}",
            field="covered_repayment_periods",
        )
    if request.drawdown_periods:
        drawn = sum((p.drawn for p in request.drawdown_periods), Decimal(0))
        if drawn != repaid:
            raise ValidationFailed(
                f"principal drawn ({drawn}) does not equal principal repaid ({repaid})",
                code="schedule_does_not_add_up",
                field="drawdown_periods",
            )


# --- the model ---------------------------------------------------------------------


def drawdown_insured_amounts(
    periods: Sequence[DrawdownPeriod], *, insure_interest: bool = True
) -> list[Decimal]:
    """Drawdown phase: drawn so far at the start + drawn in the period (+ its interest)."""
    amounts: list[Decimal] = []
    drawn_before = Decimal(0)
    for period in periods:
        amount = drawn_before + period.drawn
        if insure_interest:
            amount += period.interest
        amounts.append(amount)
        drawn_before += period.drawn
    return amounts


def repayment_insured_amounts(
    periods: Sequence[RepaymentPeriod],
    *,
    insure_interest: bool = True,
    covered_periods: int | None = None,
) -> list[Decimal]:
    """Repayment period ``t``: ``sum_{n=t..T3} a_n (+ I_t)``, ``T3`` = covered periods."""
    covered = len(periods) if covered_periods is None else covered_periods
    amounts: list[Decimal] = []
    outstanding = sum((p.principal for p in periods[:covered]), Decimal(0))
    for period in periods[:covered]:
        amounts.append(outstanding + (period.interest if insure_interest else 0))
        outstanding -= period.principal
    return amounts


def period_premium(insured_amount: Decimal, rate: Decimal, currency: str) -> Decimal:
    """Premium of one period: insured amount x rate, rounded half-up to the minor unit."""
    return round_money(insured_amount * rate, currency)


def quote_investment_debt(request: InvestmentDebtQuoteRequest) -> InvestmentDebtQuote:
    """The premium schedule of [004]: drawdown periods, then covered repayment periods."""
    validate_schedule(request)
    cap = maximum_insured_amount(request)

    def capped(amount: Decimal) -> Decimal:
        return amount if cap is None else min(amount, cap)

    rows: list[PeriodPremium] = []
    for i, amount in enumerate(
        drawdown_insured_amounts(request.drawdown_periods, insure_interest=request.insure_interest),
        start=1,
    ):
        insured = capped(amount)
        rows.append(
            PeriodPremium(
                i, Phase.DRAWDOWN, insured, period_premium(insured, request.rate, request.currency)
            )
        )
    for i, amount in enumerate(
        repayment_insured_amounts(
            request.repayment_periods,
            insure_interest=request.insure_interest,
            covered_periods=request.covered_repayment_periods,
        ),
        start=1,
    ):
        insured = capped(amount)
        rows.append(
            PeriodPremium(
                i, Phase.REPAYMENT, insured, period_premium(insured, request.rate, request.currency)
            )
        )
    total = sum((row.premium for row in rows), Decimal(0))
    return InvestmentDebtQuote(request.currency, tuple(rows), total)


def maximum_insured_amount(request: InvestmentDebtQuoteRequest) -> Decimal | None:
    """The cap on every period's insured amount ([004] section 3.2), ``None`` when uncapped.

    The request's own maximum when it gives one; under partial cover of the first ``T3``
    repayment periods without one, scheme 2's ``sum_{n<=T3} (a_n + I_n)`` (principal only
    when interest is not insured), so drawdown periods are capped by it too.
    """
    if request.max_insured_amount is not None:
        return request.max_insured_amount
    covered = request.covered_repayment_periods
    if covered is None or covered >= len(request.repayment_periods):
        return None
    return partial_cover_max_insured_amount(
        request.repayment_periods, covered_periods=covered, insure_interest=request.insure_interest
    )


def quote_investment_debt_json(data: Mapping[str, Any]) -> dict[str, Any]:
    """JSON in, JSON out: what the API route and ``tradecover quote investment-debt`` call."""
    return quote_investment_debt(parse_quote_request(data)).to_json()


def repayment_premium_identity(
    periods: Sequence[RepaymentPeriod],
    *,
    rate: Decimal,
    insure_interest: bool = True,
    covered_periods: int | None = None,
) -> Decimal:
    """[004] section 4.3, right-hand side: ``sum_{n<=T3} (n x a_n + I_n) x p``, unrounded."""
    covered = len(periods) if covered_periods is None else covered_periods
    return sum(
        (
            (n * p.principal + (p.interest if insure_interest else 0)) * rate
            for n, p in enumerate(periods[:covered], start=1)
        ),
        Decimal(0),
    )


@dataclass(frozen=True, slots=True)
class CoverComparisonRow:
    """One row of [004] Table 2: what full cover adds over covering only the first T3 years."""

    covered_periods: int
    """``T3``: repayment periods covered by the partial scheme."""
    extra_liability: Decimal
    """``sum_{n=T3+1..T2} (a_n + I_n)``: liability full cover adds."""
    extra_premium: Decimal
    """``sum_{n=T3+1..T2} (n a_n + I_n) p``, unrounded, as in Table 2."""
    partial_premium: Decimal
    """Total premium of the partial scheme, sum of rounded period premiums."""
    full_premium: Decimal
    """Total premium of full cover, sum of rounded period premiums."""

    def to_json(self) -> dict[str, Any]:
        """JSON form (amounts as strings) for the quote page."""
        return {
            "covered_repayment_periods": self.covered_periods,
            "extra_liability": str(self.extra_liability),
            "extra_premium": str(self.extra_premium),
            "partial_premium": str(self.partial_premium),
            "full_premium": str(self.full_premium),
        }


def compare_full_and_partial_cover(
    request: InvestmentDebtQuoteRequest,
) -> tuple[CoverComparisonRow, ...]:
    """[004] Table 2: for ``T3 = T2-1`` down to 1, the extra liability and premium of full cover.

    ``extra_premium`` is Table 2's repayment-period difference; the totals include the
    drawdown periods, which under partial cover are capped by scheme 2's maximum insured
    amount, so their difference can exceed ``extra_premium``.
    """
    validate_schedule(request)
    periods = request.repayment_periods
    t2 = len(periods)
    interest = request.insure_interest
    full = quote_investment_debt(_with_cover(request, None)).total_premium
    rows = []
    for t3 in range(t2 - 1, 0, -1):
        later = list(enumerate(periods, start=1))[t3:]
        rows.append(
            CoverComparisonRow(
                covered_periods=t3,
                extra_liability=sum(
                    (p.principal + (p.interest if interest else 0) for _, p in later), Decimal(0)
                ),
                extra_premium=sum(
                    (
                        (n * p.principal + (p.interest if interest else 0)) * request.rate
                        for n, p in later
                    ),
                    Decimal(0),
                ),
                partial_premium=quote_investment_debt(_with_cover(request, t3)).total_premium,
                full_premium=full,
            )
        )
    return tuple(rows)


def _with_cover(
    request: InvestmentDebtQuoteRequest, covered: int | None
) -> InvestmentDebtQuoteRequest:
    return InvestmentDebtQuoteRequest(
        currency=request.currency,
        rate=request.rate,
        repayment_periods=request.repayment_periods,
        drawdown_periods=request.drawdown_periods,
        insure_interest=request.insure_interest,
        max_insured_amount=request.max_insured_amount,
        covered_repayment_periods=covered,
    )


def partial_cover_max_insured_amount(
    periods: Sequence[RepaymentPeriod], *, covered_periods: int, insure_interest: bool = True
) -> Decimal:
    """[004] scheme 2's maximum insured amount: ``sum_{n<=T3} (a_n + I_n)``."""
    return sum(
        (p.principal + (p.interest if insure_interest else 0) for p in periods[:covered_periods]),
        Decimal(0),
    )


# --- payment rules ------------------------------------------------------------------


def premium_due_date(*, notice_date: date) -> date:
    """Last day to pay a period's premium: the notice date + 30 days ([004] section 3.3)."""
    return notice_date + timedelta(days=PREMIUM_NOTICE_DAYS)


class PremiumStatus(StrEnum):
    """Where a period's premium stands against its notice."""

    PAID = "paid"
    """Paid in full by the due date: the period is covered."""
    DUE = "due"
    """Not yet paid, due date not passed: cover stands."""
    OVERDUE = "overdue"
    """Unpaid past the due date: cover ends; the insurer may refuse late premium,
    terminate the policy and deny liability."""
    PAID_LATE = "paid_late"
    """Paid after the due date: the insurer may refuse it; no cover unless it accepts."""


def premium_status(*, notice_date: date, paid_on: date | None, today: date) -> PremiumStatus:
    """Status of one period's premium on ``today``."""
    due = premium_due_date(notice_date=notice_date)
    if paid_on is not None and paid_on <= due:
        return PremiumStatus.PAID
    if paid_on is not None:
        return PremiumStatus.PAID_LATE
    return PremiumStatus.DUE if today <= due else PremiumStatus.OVERDUE


def cover_in_force(
    *, notice_date: date, paid_on: date | None, today: date, late_payment_accepted: bool = False
) -> bool:
    """True while the period is covered.

    Covered: paid on time, unpaid but still within its 30 days, or paid late and accepted
    by the insurer.  An unpaid period past its deadline ends cover.
    """
    status = premium_status(notice_date=notice_date, paid_on=paid_on, today=today)
    if status is PremiumStatus.PAID_LATE:
        return late_payment_accepted
    return status is not PremiumStatus.OVERDUE


class IndemnitySettlement(StrEnum):
    """How the insurer indemnifies an accelerated debt ([004] section 2.2)."""

    LUMP_SUM = "lump_sum"
    """The whole accelerated debt at once: all later premiums are due first."""
    ORIGINAL_SCHEDULE = "original_schedule"
    """Instalments on the original repayment schedule: premium follows that schedule."""


def premiums_due_before_indemnity(
    quote: InvestmentDebtQuote,
    *,
    loss_period: int,
    settlement: IndemnitySettlement,
    paid_periods: Iterable[int] = (),
) -> tuple[PeriodPremium, ...]:
    """Premiums the insured must pay before a loss is indemnified (read by the claim checks).

    ``loss_period`` and ``paid_periods`` are 1-based positions in ``quote.periods``.  A
    loss does not end the policy, so later periods' premiums stay due either way; in a
    lump-sum settlement every later period's unpaid premium is required before payment,
    on the original schedule none is required in advance.
    """
    if not 1 <= loss_period <= len(quote.periods):
        raise ValidationFailed(
            f"loss_period must be 1..{len(quote.periods)}, got {loss_period}",
            field="loss_period",
        )
    if settlement is IndemnitySettlement.ORIGINAL_SCHEDULE:
        return ()
    paid = set(paid_periods)
    return tuple(
        period
        for position, period in enumerate(quote.periods, start=1)
        if position > loss_period and position not in paid
    )
