"""Banks financing insured receivables: the assignment of policy proceeds (pure rules).

An exporter borrows from a bank on the strength of its cover and assigns the proceeds of
its policy to the bank: the bank becomes a *loss payee* [domain BA-1].  An assignment
names the bank, the policy, a priority (1 is paid first), a cap in the policy's currency,
its effective dates and the bank's advance rate.  The bank asks, the exporter approves, the
insurer acknowledges: only then is it active [domain BA-2] [domain BA-3].  Its terms are
refused when the cap exceeds the policy's maximum liability, when the caps in force on one
day would together exceed it, or when another open assignment of the policy holds the same
priority on an overlapping day [domain BA-4] [domain BA-5].

A claim's payment goes to the active loss payees first, in priority order, each up to what
is left of its cap; the rest to the exporter, to the cent [domain BA-6].  The bank's
financing base is its covered outstanding receivables times its advance rate, less what is
overdue [domain BA-8].
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum

from tradecover.kit.errors import IllegalTransition, PermissionDenied, ValidationFailed
from tradecover.kit.money import Money, round_money

RATE_QUANTUM = Decimal("0.0001")
"""Advance rates are fractions with at most four decimals (0.8 = 80 %)."""


class AssignmentStatus(StrEnum):
    """Where an assignment stands: asked for, approved by the exporter, active once the
    insurer acknowledged it, or closed (rejected, withdrawn, ended).
    """

    REQUESTED = "requested"
    APPROVED = "approved"
    ACTIVE = "active"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    ENDED = "ended"


OPEN_STATUSES = frozenset(
    {AssignmentStatus.REQUESTED, AssignmentStatus.APPROVED, AssignmentStatus.ACTIVE}
)
"""The statuses whose terms hold a priority and a part of the liability [domain BA-5]."""


class AssignmentParty(StrEnum):
    """Who acts on an assignment."""

    BANK = "bank"
    EXPORTER = "exporter"
    INSURER = "insurer"


class AssignmentAction(StrEnum):
    """The moves of an assignment [domain BA-2]."""

    REQUEST = "request"
    APPROVE = "approve"
    ACKNOWLEDGE = "acknowledge"
    REJECT = "reject"
    WITHDRAW = "withdraw"
    END = "end"


_MOVES: dict[tuple[AssignmentStatus, AssignmentAction], AssignmentStatus] = {
    (AssignmentStatus.REQUESTED, AssignmentAction.APPROVE): AssignmentStatus.APPROVED,
    (AssignmentStatus.REQUESTED, AssignmentAction.REJECT): AssignmentStatus.REJECTED,
    (AssignmentStatus.REQUESTED, AssignmentAction.WITHDRAW): AssignmentStatus.WITHDRAWN,
    (AssignmentStatus.APPROVED, AssignmentAction.ACKNOWLEDGE): AssignmentStatus.ACTIVE,
    (AssignmentStatus.APPROVED, AssignmentAction.REJECT): AssignmentStatus.REJECTED,
    (AssignmentStatus.APPROVED, AssignmentAction.WITHDRAW): AssignmentStatus.WITHDRAWN,
    (AssignmentStatus.ACTIVE, AssignmentAction.END): AssignmentStatus.ENDED,
}
"""The status machine [domain BA-2]: requested -> approved (the exporter) -> active (the
insurer's acknowledgement); rejected, withdrawn and ended are final."""

_WHO: dict[AssignmentAction, frozenset[AssignmentParty]] = {
    AssignmentAction.REQUEST: frozenset({AssignmentParty.BANK}),
    AssignmentAction.APPROVE: frozenset({AssignmentParty.EXPORTER}),
    AssignmentAction.ACKNOWLEDGE: frozenset({AssignmentParty.INSURER}),
    AssignmentAction.REJECT: frozenset({AssignmentParty.EXPORTER, AssignmentParty.INSURER}),
    AssignmentAction.WITHDRAW: frozenset({AssignmentParty.BANK}),
    AssignmentAction.END: frozenset({AssignmentParty.BANK, AssignmentParty.INSURER}),
}
"""Who may take each move [domain BA-3]: only the bank asks and withdraws, only the
exporter approves, only the insurer acknowledges; the exporter or the insurer rejects; the
bank releases an active assignment, or the insurer ends it."""


_DONE = {
    AssignmentAction.REQUEST: "requested",
    AssignmentAction.APPROVE: "approved",
    AssignmentAction.ACKNOWLEDGE: "acknowledged",
    AssignmentAction.REJECT: "rejected",
    AssignmentAction.WITHDRAW: "withdrawn",
    AssignmentAction.END: "ended",
}


class AssignmentInvalid(ValidationFailed):
    """An assignment's terms break a rule of [domain BA-4] or [domain BA-5] (HTTP 422)."""

    default_code = "assignment_invalid"


class NotAssignmentParty(PermissionDenied):
    """The caller's side may not take this move on an assignment (HTTP 403)."""

    default_code = "not_assignment_party"


@dataclass(frozen=True, slots=True)
class AssignmentTerms:
    """What an assignment gives its bank: priority, cap, period and advance rate."""

    policy_id: int
    bank_org_id: int
    priority: int
    cap: Money
    effective_from: date
    effective_to: date | None
    advance_rate: Decimal

    def covers(self, day: date) -> bool:
        """True when the assignment is effective on ``day`` (``effective_to`` inclusive)."""
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    def overlaps(self, other: AssignmentTerms) -> bool:
        """True when the two periods share at least one day."""
        return other.covers(self.effective_from) or self.covers(other.effective_from)


def _fail(message: str, code: str, field: str, **details: object) -> AssignmentInvalid:
    return AssignmentInvalid(message, code=code, field=field, details=dict(details))


def check_terms(
    terms: AssignmentTerms,
    *,
    maximum_liability: Money,
    others: Iterable[AssignmentTerms] = (),
) -> None:
    """Refuse terms that cannot make an assignment [domain BA-4] [domain BA-5].

    ``others`` are the policy's other open assignments (requested, approved or active).
    """
    currency = maximum_liability.currency
    if terms.priority < 1:
        raise _fail("the priority is 1 (paid first) or more", "priority_invalid", "priority")
    if terms.effective_to is not None and terms.effective_to < terms.effective_from:
        raise _fail("the period ends before it starts", "period_invalid", "effective_to")
    rate = terms.advance_rate
    if not (0 < rate <= 1) or rate != rate.quantize(RATE_QUANTUM):
        raise _fail(
            "the advance rate is a fraction above 0 and at most 1, four decimals at most",
            "advance_rate_invalid",
            "advance_rate",
        )
    cap = terms.cap
    if cap.currency != currency:
        raise _fail(
            f"the cap must be in the policy currency {currency}", "currency_mismatch", "cap"
        )
    if cap.amount <= 0 or round_money(cap.amount, currency) != cap.amount:
        raise _fail(
            f"the cap is above zero and rounded to {currency}'s minor unit",
            "cap_invalid",
            "cap",
        )
    if cap > maximum_liability:
        raise _fail(
            f"the cap of {cap} exceeds the policy's maximum liability of {maximum_liability}",
            "cap_exceeds_liability",
            "cap",
            maximum_liability=str(maximum_liability.amount),
        )
    overlapping = [o for o in others if o.overlaps(terms)]
    for other in overlapping:
        if other.priority == terms.priority:
            raise _fail(
                f"priority {terms.priority} is already held on the policy by another "
                "assignment on an overlapping period",
                "priority_overlaps",
                "priority",
                priority=terms.priority,
            )
    days = sorted({terms.effective_from, *(o.effective_from for o in overlapping)})
    for day in days:
        if not terms.covers(day):
            continue
        total = sum((o.cap for o in overlapping if o.covers(day)), cap)
        if total > maximum_liability:
            raise _fail(
                f"the caps in force on {day.isoformat()} would total {total}, beyond the "
                f"policy's maximum liability of {maximum_liability}",
                "caps_exceed_liability",
                "cap",
                on=day.isoformat(),
                maximum_liability=str(maximum_liability.amount),
            )


def move(
    status: AssignmentStatus, action: AssignmentAction, party: AssignmentParty | None
) -> AssignmentStatus:
    """The status after ``party`` takes ``action`` [domain BA-2] [domain BA-3]; a party
    that may not is refused (403), a move the machine does not know too (409).
    """
    allowed = _WHO[action]
    if party not in allowed:
        who = " or the ".join(sorted(p.value for p in allowed))
        raise NotAssignmentParty(f"only the {who} may {action.value} an assignment")
    after = _MOVES.get((status, action))
    if after is None:
        raise IllegalTransition(
            f"an assignment that is {status.value} cannot be {_DONE[action]}",
            code="assignment_not_open",
            details={"status": status.value},
        )
    return after


def check_request(party: AssignmentParty | None) -> None:
    """Only a bank asks for an assignment [domain BA-3]."""
    if party is not AssignmentParty.BANK:
        raise NotAssignmentParty("only a bank may request an assignment of policy proceeds")


# --- paying a claim ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LossPayee:
    """An active assignment as a claim payment sees it: its priority, its cap and what has
    been paid under it already (minor units of the policy currency).
    """

    assignment_id: int
    bank_org_id: int
    priority: int
    cap_minor: int
    paid_minor: int

    @property
    def left_minor(self) -> int:
        """What is left of the cap."""
        return max(0, self.cap_minor - self.paid_minor)


@dataclass(frozen=True, slots=True)
class Payout:
    """One loss payee's part of a claim payment (minor units)."""

    assignment_id: int
    bank_org_id: int
    priority: int
    amount_minor: int


def pay_in_priority(amount_minor: int, payees: Sequence[LossPayee]) -> tuple[list[Payout], int]:
    """Split a claim payment [domain BA-6]: each loss payee in priority order (then by
    assignment) takes what is left of its cap until the amount runs out; returns the
    payouts (none of zero) and what goes to the exporter.  Payouts plus the rest always
    equal ``amount_minor``.
    """
    if amount_minor < 0:
        raise ValueError("a claim payment is never negative")
    left = amount_minor
    payouts: list[Payout] = []
    for payee in sorted(payees, key=lambda p: (p.priority, p.assignment_id)):
        part = min(left, payee.left_minor)
        if part > 0:
            payouts.append(Payout(payee.assignment_id, payee.bank_org_id, payee.priority, part))
            left -= part
    return payouts, left


def bank_party(org_id: int) -> str:
    """The party name of a bank (a loss payee) on cash lines of a claim payment."""
    return f"bank:{org_id}"


# --- the financing base ------------------------------------------------------------------


def financing_base(
    *, covered_outstanding_minor: int, overdue_minor: int, advance_rate: Decimal
) -> int:
    """The bank's financing base in minor units [domain BA-8]: the covered outstanding
    receivables times the advance rate, rounded down to the minor unit (the base never
    overstates), less the covered outstanding that is overdue; never below zero.
    """
    advance = int(
        (Decimal(covered_outstanding_minor) * advance_rate).to_integral_value(rounding=ROUND_FLOOR)
    )
    return max(0, advance - overdue_minor)
