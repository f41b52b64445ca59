"""THE indemnity rule, the waiting period, four eyes and the claim state machine (pure).

[domain L-1], [domain C-8]: ``indemnity = min(loss, credit limit) x indemnity percentage``.

How one claim is computed (:func:`compute_indemnity`):

1. Each claimed shipment is a :class:`ClaimLine`.  Its **loss** is what is still owed
   on it: the insured amount (invoice less prepayment) less what was collected before
   the loss.  A line may claim less than that; claiming more is refused
   (``loss_exceeds_outstanding``).
2. The cap is the **credit limit, not the invoice**, and the limit that counts is the
   version in force on the shipment date (:func:`~tradecover.limits.versions.
   cover_limit_for_shipment`): a later reduction or cancellation does not take it away.
3. A limit revolves: it caps what the buyer may owe *at once*, so when one claim spans
   several shipments on the same limit, the limit caps the **sum** of their losses,
   not each shipment.  The lines of one limit are taken in shipment order (then by
   shipment id) and each gets what is left of the limit in force on its shipment
   date after the lines before it: ``covered_i = min(loss_i, max(0, cap_i - covered
   before))``.  With one version this is exactly ``min(sum of losses, limit)``.
4. Each line's covered loss is multiplied by its percentage: the limit version's own
   indemnity percentage when it has one, else the policy's commercial or political
   percentage according to the cause of loss.
5. The sum is capped by what is left of the policy's **maximum liability** for the
   policy year.
6. **Rounding happens once, here at the end**: the capped total is rounded half-up to
   the currency's minor unit (:func:`tradecover.kit.money.round_money`); the per-line
   indemnities are then the rounded total split by the lines' exact amounts with
   :func:`tradecover.kit.money.allocate`, so they add up to the total to the cent.

Error codes (stable): ``claim_without_notice``, ``loss_exceeds_outstanding``,
``loss_not_positive``, ``no_claim_lines``, ``duplicate_shipment``, ``currency_mismatch``,
``unknown_limit``, ``waiting_period_not_over``, ``four_eyes_same_person``,
``second_approval_required``, ``illegal_transition``, ``claim_rejected``,
``claim_already_paid``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from tradecover.kit.errors import Conflict, IllegalTransition, ValidationFailed
from tradecover.kit.four_eyes import require_another_person
from tradecover.kit.money import Money, allocate, round_money
from tradecover.limits import LimitVersion, cover_limit_for_shipment, version_in_force
from tradecover.policies import ClaimTermsSchedule, PolicySchedule

HUNDRED = Decimal(100)


class RiskType(StrEnum):
    """Whether a loss is commercial (the buyer) or political (its country)."""

    COMMERCIAL = "commercial"
    POLITICAL = "political"


class LossCause(StrEnum):
    """Why the buyer did not pay ([domain C-2])."""

    INSOLVENCY = "insolvency"
    PROTRACTED_DEFAULT = "protracted_default"
    REFUSAL_OF_GOODS = "refusal_of_goods"
    TRANSFER_RESTRICTION = "transfer_restriction"
    IMPORT_BAN = "import_ban"
    WAR = "war"
    OTHER_POLITICAL = "other_political"

    @property
    def risk_type(self) -> RiskType:
        """Commercial for the buyer's own failures, political for the country's acts."""
        if self in (LossCause.INSOLVENCY, LossCause.PROTRACTED_DEFAULT, LossCause.REFUSAL_OF_GOODS):
            return RiskType.COMMERCIAL
        return RiskType.POLITICAL


@dataclass(frozen=True, slots=True, kw_only=True)
class IndemnityTerms:
    """The policy's indemnity percentages, in percent (0, 100]."""

    commercial_pct: Decimal
    political_pct: Decimal

    @classmethod
    def from_schedule(cls, schedule: PolicySchedule) -> IndemnityTerms:
        """The percentages of a policy schedule."""
        return cls(
            commercial_pct=schedule.indemnity_commercial_pct,
            political_pct=schedule.indemnity_political_pct,
        )

    def pct_for(self, risk: RiskType) -> Decimal:
        """The policy's percentage for ``risk``."""
        return self.commercial_pct if risk is RiskType.COMMERCIAL else self.political_pct


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimLine:
    """One shipment claimed: what was insured, collected before the loss, and claimed.

    ``insured_amount`` is the invoice less prepayment; ``loss`` ``None`` claims all that
    is still outstanding.  ``limit_id`` names the credit limit the shipment was under.
    """

    shipment_id: int
    limit_id: int
    shipment_date: date
    insured_amount: Money
    collected_before_loss: Money | None = None
    loss: Money | None = None

    @property
    def outstanding(self) -> Money:
        """What the buyer still owes on the shipment."""
        collected = self.collected_before_loss or Money.zero(self.insured_amount.currency)
        return self.insured_amount - collected

    @property
    def claimed_loss(self) -> Money:
        """The loss claimed on the line: the given loss, else everything outstanding."""
        return self.loss if self.loss is not None else self.outstanding


@dataclass(frozen=True, slots=True, kw_only=True)
class LineIndemnity:
    """The result for one line: its loss, the part the limit covers, its share of pay."""

    shipment_id: int
    limit_id: int
    loss: Money
    limit_in_force: Money
    covered_loss: Money
    indemnity_pct: Decimal
    pct_source: str  # "limit" or "policy_commercial" / "policy_political"
    indemnity: Money  # rounded, the lines add up to the claim's indemnity


@dataclass(frozen=True, slots=True, kw_only=True)
class IndemnityCalculation:
    """A claim's indemnity, with every intermediate figure the claims handler sees.

    ``before_cap`` is the exact (unrounded) sum of covered loss x percentage;
    ``indemnity`` is ``min(before_cap, maximum_liability_left)`` rounded half-up.
    """

    lines: tuple[LineIndemnity, ...]
    loss: Money
    covered_loss: Money
    before_cap: Money
    maximum_liability_left: Money
    capped_by_maximum_liability: bool
    indemnity: Money

    @property
    def insurer_share(self) -> Decimal:
        """The insurer's share of the loss (indemnity / loss), used to share recoveries."""
        return self.indemnity.amount / self.loss.amount if self.loss.amount else Decimal(0)


def check_notice(notice_filed_on: date | None) -> date:
    """A claim is filed against a notice of possible loss: refuse one without."""
    if notice_filed_on is None:
        raise ValidationFailed(
            "a claim needs a notice of possible loss filed first",
            code="claim_without_notice",
            field="notice_id",
        )
    return notice_filed_on


def validate_lines(lines: Sequence[ClaimLine], currency: str) -> None:
    """Raise the first broken rule of the claimed lines (see the module's codes)."""
    if not lines:
        raise ValidationFailed(
            "a claim names at least one shipment", code="no_claim_lines", field="lines"
        )
    seen: set[int] = set()
    for i, line in enumerate(lines):
        where = f"lines[{i}]"
        if line.shipment_id in seen:
            raise ValidationFailed(
                f"shipment {line.shipment_id} is claimed twice",
                code="duplicate_shipment",
                field=f"{where}.shipment_id",
            )
        seen.add(line.shipment_id)
        amounts = [line.insured_amount, line.claimed_loss]
        if line.collected_before_loss is not None:
            amounts.append(line.collected_before_loss)
        if any(m.currency != currency for m in amounts):
            raise ValidationFailed(
                f"the claim is in {currency}", code="currency_mismatch", field=f"{where}.loss"
            )
        if line.collected_before_loss is not None and line.collected_before_loss.amount < 0:
            raise ValidationFailed(
                "collections cannot be negative",
                code="loss_not_positive",
                field=f"{where}.collected",
            )
        if line.claimed_loss.amount <= 0:
            raise ValidationFailed(
                "the loss must be greater than zero",
                code="loss_not_positive",
                field=f"{where}.loss",
            )
        if line.claimed_loss > line.outstanding:
            raise ValidationFailed(
                f"a loss of {line.claimed_loss} is more than the {line.outstanding} still "
                f"outstanding on shipment {line.shipment_id}",
                code="loss_exceeds_outstanding",
                field=f"{where}.loss",
                details={"outstanding": str(line.outstanding), "loss": str(line.claimed_loss)},
            )


def compute_indemnity(
    *,
    lines: Sequence[ClaimLine],
    limits: Mapping[int, Sequence[LimitVersion]],
    cause: LossCause,
    terms: IndemnityTerms,
    maximum_liability_left: Money,
) -> IndemnityCalculation:
    """The indemnity of a claim (the module docstring gives the rule step by step).

    ``limits`` maps each line's ``limit_id`` to the versions of that limit.
    """
    currency = maximum_liability_left.currency
    validate_lines(lines, currency)
    zero = Money.zero(currency)
    for i, line in enumerate(lines):
        if line.limit_id not in limits or not limits[line.limit_id]:
            raise ValidationFailed(
                f"no credit limit {line.limit_id} for shipment {line.shipment_id}",
                code="unknown_limit",
                field=f"lines[{i}].limit_id",
            )
    order = sorted(
        range(len(lines)),
        key=lambda i: (lines[i].limit_id, lines[i].shipment_date, lines[i].shipment_id),
    )
    used: dict[int, Money] = {}
    exact: dict[int, tuple[Money, Money, Decimal, str, Money]] = {}
    for i in order:
        line = lines[i]
        versions = limits[line.limit_id]
        cap = cover_limit_for_shipment(versions, line.shipment_date)
        if cap.currency != currency:
            raise ValidationFailed(
                f"limit {line.limit_id} is in {cap.currency}, the claim in {currency}",
                code="currency_mismatch",
                field=f"lines[{i}].limit_id",
            )
        before = used.get(line.limit_id, zero)
        room = max(cap - before, zero)
        covered = min(line.claimed_loss, room)
        used[line.limit_id] = before + covered
        version = version_in_force(versions, line.shipment_date)
        if version is not None and version.indemnity_pct is not None:
            pct, source = version.indemnity_pct, "limit"
        else:
            risk = cause.risk_type
            pct, source = terms.pct_for(risk), f"policy_{risk.value}"
        exact[i] = (cap, covered, pct, source, Money(covered.amount * pct / HUNDRED, currency))
    before_cap = sum((exact[i][4] for i in range(len(lines))), zero)
    left = max(maximum_liability_left, zero)
    capped = before_cap > left
    total = Money(round_money(min(before_cap, left).amount, currency), currency)
    weights = [exact[i][4].amount for i in range(len(lines))]
    shares = allocate(total, weights) if sum(weights) > 0 else [zero for _ in lines]
    line_results = tuple(
        LineIndemnity(
            shipment_id=line.shipment_id,
            limit_id=line.limit_id,
            loss=line.claimed_loss,
            limit_in_force=exact[i][0],
            covered_loss=exact[i][1],
            indemnity_pct=exact[i][2],
            pct_source=exact[i][3],
            indemnity=shares[i],
        )
        for i, line in enumerate(lines)
    )
    return IndemnityCalculation(
        lines=line_results,
        loss=sum((line.claimed_loss for line in lines), zero),
        covered_loss=sum((r.covered_loss for r in line_results), zero),
        before_cap=before_cap,
        maximum_liability_left=left,
        capped_by_maximum_liability=capped,
        indemnity=total,
    )


def maximum_liability_left(*, maximum_liability: Money, indemnities: Iterable[Money]) -> Money:
    """What is left of the policy year's maximum liability after the indemnities approved
    or paid in it (never below zero).
    """
    used = sum(indemnities, Money.zero(maximum_liability.currency))
    return max(maximum_liability - used, Money.zero(maximum_liability.currency))


# --- waiting period ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimTerms:
    """One policy's claim terms, resolved (:func:`claim_terms_for`).

    ``waiting_period_days`` runs from the due date on a protracted default (and on the
    political causes unless ``waiting_on_political`` is false); a proven insolvency pays
    at once unless ``waiting_on_insolvency``.  Claims with an indemnity above
    ``second_approval_above`` need a second approver.  A claim is filed within
    ``claim_filing_days`` of the notice; a late notice loses the right to claim when
    ``late_notice_denies_claim``, else it is left to the insurer.
    """

    waiting_period_days: int = 120
    waiting_on_insolvency: bool = False
    waiting_on_political: bool = True
    second_approval_above: Money | None = None
    claim_filing_days: int = 180
    late_notice_denies_claim: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimDefaults:
    """The installation's claim terms (settings), for the terms a policy leaves unset."""

    claim_filing_days: int = 180
    waiting_period_days: int = 120
    waiting_on_insolvency: bool = False
    second_approval_above: Decimal | None = Decimal(100_000)
    late_notice_denies_claim: bool = True


def claim_terms_for(
    own: ClaimTermsSchedule, *, currency: str, defaults: ClaimDefaults
) -> ClaimTerms:
    """A policy's claim terms: its own where it sets them, the defaults elsewhere."""
    d = defaults
    above = (
        own.second_approval_above
        if own.second_approval_above is not None
        else d.second_approval_above
    )
    return ClaimTerms(
        waiting_period_days=(
            own.waiting_period_days
            if own.waiting_period_days is not None
            else d.waiting_period_days
        ),
        waiting_on_insolvency=(
            own.waiting_on_insolvency
            if own.waiting_on_insolvency is not None
            else d.waiting_on_insolvency
        ),
        second_approval_above=None if above is None else Money.of(above, currency),
        claim_filing_days=(
            own.claim_filing_days if own.claim_filing_days is not None else d.claim_filing_days
        ),
        late_notice_denies_claim=(
            own.late_notice_denies_claim
            if own.late_notice_denies_claim is not None
            else d.late_notice_denies_claim
        ),
    )


def earliest_payment_date(
    *, cause: LossCause, due_date: date, decided_on: date, terms: ClaimTerms
) -> date:
    """The first day an approved claim may be paid.

    Protracted default (and political causes, when the policy says so): the due date
    plus the waiting period, and never before the decision.  Proven insolvency: the
    decision date, unless the policy waits on insolvency too.
    """
    waits = (
        cause is LossCause.PROTRACTED_DEFAULT
        or cause is LossCause.REFUSAL_OF_GOODS
        or (cause is LossCause.INSOLVENCY and terms.waiting_on_insolvency)
        or (cause.risk_type is RiskType.POLITICAL and terms.waiting_on_political)
    )
    if not waits:
        return decided_on
    return max(decided_on, due_date + timedelta(days=terms.waiting_period_days))


def check_waiting_period(
    *, cause: LossCause, due_date: date, decided_on: date, terms: ClaimTerms, today: date
) -> None:
    """Refuse a payment before the waiting period is over (``waiting_period_not_over``)."""
    earliest = earliest_payment_date(
        cause=cause, due_date=due_date, decided_on=decided_on, terms=terms
    )
    if today < earliest:
        raise Conflict(
            f"the waiting period runs until {earliest.isoformat()}: the claim cannot be paid yet",
            code="waiting_period_not_over",
            details={"earliest_payment_date": earliest.isoformat()},
        )


# --- four eyes --------------------------------------------------------------------------


def requires_second_approval(indemnity: Money, threshold: Money | None) -> bool:
    """True when a claim paying ``indemnity`` needs a second approver (above ``threshold``)."""
    return threshold is not None and indemnity > threshold


def check_four_eyes(*, maker: str, checker: str) -> None:
    """Refuse a second approval by the claims handler who gave the first (mirrors limits)."""
    require_another_person(
        maker=maker,
        checker=checker,
        message="the second approval must come from another claims handler",
    )


def check_approvals(*, indemnity: Money, terms: ClaimTerms, approvers: Sequence[str]) -> None:
    """Refuse an approval that lacks the approvers the amount needs.

    One approver always; two different ones above the policy's threshold.
    """
    if not approvers:
        raise ValidationFailed(
            "an approval names its approver", code="approver_required", field="approved_by"
        )
    if requires_second_approval(indemnity, terms.second_approval_above):
        if len(approvers) < 2:
            raise Conflict(
                f"an indemnity of {indemnity} is above "
                f"{terms.second_approval_above}: a second approver is required",
                code="second_approval_required",
                field="approved_by",
            )
        check_four_eyes(maker=approvers[0], checker=approvers[1])


# --- claim states -----------------------------------------------------------------------


class ClaimState(StrEnum):
    """Where a claim stands."""

    FILED = "filed"
    CHECKING = "checking"
    APPROVED = "approved"
    REJECTED = "rejected"  # decided; only closing follows
    PAID = "paid"
    CLOSED = "closed"  # final: settled after payment (recoveries may still be booked),
    # closed as rejected, or withdrawn before a decision (the claim row's ``closure``)


class ClaimEvent(StrEnum):
    """What moves a claim."""

    START_CHECKS = "start_checks"
    APPROVE = "approve"
    REJECT = "reject"
    PAY = "pay"
    CLOSE = "close"


_S, _E = ClaimState, ClaimEvent
CLAIM_TRANSITIONS: dict[tuple[ClaimState, ClaimEvent], ClaimState] = {
    (_S.FILED, _E.START_CHECKS): _S.CHECKING,
    (_S.FILED, _E.REJECT): _S.REJECTED,
    (_S.CHECKING, _E.APPROVE): _S.APPROVED,
    (_S.CHECKING, _E.REJECT): _S.REJECTED,
    (_S.APPROVED, _E.PAY): _S.PAID,
    (_S.PAID, _E.CLOSE): _S.CLOSED,  # settled
    (_S.REJECTED, _E.CLOSE): _S.CLOSED,  # closed as rejected
    (_S.FILED, _E.CLOSE): _S.CLOSED,  # withdrawn
    (_S.CHECKING, _E.CLOSE): _S.CLOSED,  # withdrawn
}
"""Every legal move; anything else is refused."""


def next_claim_state(state: ClaimState, event: ClaimEvent) -> ClaimState:
    """The state after ``event``; a refused move names why.

    Paying a rejected claim is ``claim_rejected``; paying a paid or closed claim is
    ``claim_already_paid``; any other illegal move is ``illegal_transition``.
    """
    try:
        return CLAIM_TRANSITIONS[(state, event)]
    except KeyError:
        pass
    details = {"state": state.value, "event": event.value}
    if event is ClaimEvent.PAY and state is ClaimState.REJECTED:
        raise Conflict(
            "the claim was rejected: it cannot be paid", code="claim_rejected", details=details
        )
    if event is ClaimEvent.PAY and state in (ClaimState.PAID, ClaimState.CLOSED):
        raise Conflict("the claim is already paid", code="claim_already_paid", details=details)
    legal = sorted(e.value for (s, e) in CLAIM_TRANSITIONS if s is state)
    raise IllegalTransition(
        f"a {state.value} claim cannot {event.value.replace('_', ' ')}"
        + (f" (possible: {', '.join(legal)})" if legal else " (it is final)"),
        code="illegal_transition",
        details=details,
    )
