"""A claim's whole life as a Hypothesis state machine: laws that hold after any sequence.

Random sequences of start checks, approve, reject, pay (retried at will), close and
recoveries against one claim, booked with the claim's journal builders.  After every
step: the claim is paid at most once and only after approval, the books balance, the
insurer's recoveries plus the insured's equal the net recovered, and nothing was
recovered before payment.
"""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from tradecover.claims.indemnity import ClaimEvent, ClaimState, next_claim_state
from tradecover.claims.recovery import (
    book_approval,
    book_payment,
    book_recovery,
    check_rights_transferred,
    share_recovery,
)
from tradecover.kit.errors import Conflict, ValidationFailed
from tradecover.kit.money import Money
from tradecover.ledger.journal import Account, JournalEntry, trial_balance

LOSS = Money.of("120000.00", "USD")
INDEMNITY = Money.of("90000.00", "USD")
DAY = date(2026, 8, 1)


class ClaimMachine(RuleBasedStateMachine):
    """One claim driven by random events."""

    def __init__(self) -> None:
        super().__init__()
        self.state = ClaimState.FILED
        self.entries: list[JournalEntry] = []
        self.payments = 0
        self.net_recovered = Money.zero("USD")
        self.recoveries = 0
        self.closed_unpaid = False

    def _move(self, event: ClaimEvent) -> bool:
        try:
            self.state = next_claim_state(self.state, event)
        except Conflict:
            return False
        return True

    @rule()
    def start_checks(self) -> None:
        self._move(ClaimEvent.START_CHECKS)

    @rule()
    def approve(self) -> None:
        if self._move(ClaimEvent.APPROVE):
            self.entries.append(book_approval(claim_ref="C", indemnity=INDEMNITY, posted_on=DAY))

    @rule()
    def reject(self) -> None:
        self._move(ClaimEvent.REJECT)

    @rule()
    def pay(self) -> None:
        before = self.state
        if self._move(ClaimEvent.PAY):
            assert before is ClaimState.APPROVED
            self.payments += 1
            self.entries.append(book_payment(claim_ref="C", amount=INDEMNITY, posted_on=DAY))

    @rule()
    def close(self) -> None:
        before = self.state
        if self._move(ClaimEvent.CLOSE):
            assert before in (
                ClaimState.PAID,
                ClaimState.REJECTED,
                ClaimState.FILED,
                ClaimState.CHECKING,
            )
            self.closed_unpaid = before is not ClaimState.PAID

    @rule(gross=st.integers(1, 5_000_000), costs=st.integers(0, 5_000_000))
    def recover(self, gross: int, costs: int) -> None:
        try:
            check_rights_transferred(self.state, paid=self.payments == 1)
            shares = share_recovery(
                gross=Money.from_minor(gross, "USD"),
                costs=Money.from_minor(costs, "USD"),
                indemnity=INDEMNITY,
                loss=LOSS,
                net_recovered_before=self.net_recovered,
            )
        except (Conflict, ValidationFailed):
            return
        self.recoveries += 1
        self.net_recovered = self.net_recovered + shares.net
        entry = book_recovery(
            claim_ref="C", recovery_ref=str(self.recoveries), shares=shares, posted_on=DAY
        )
        assert (entry is None) is shares.net.is_zero()
        if entry is not None:
            self.entries.append(entry)

    @invariant()
    def paid_at_most_once(self) -> None:
        assert self.payments <= 1
        assert (self.payments == 1) is (
            self.state is ClaimState.PAID
            or (self.state is ClaimState.CLOSED and not self.closed_unpaid)
        )
        if self.closed_unpaid:
            assert self.recoveries == 0  # no rights passed on a claim closed unpaid
        keys = [e.key for e in self.entries]
        assert len(keys) == len(set(keys))

    @invariant()
    def books_balance(self) -> None:
        tb = trial_balance(self.entries)
        assert tb.is_balanced()
        recovered = -tb.balance(Account.RECOVERIES, "USD")
        owed_back = -tb.balance(Account.CLAIMS_PAYABLE, "USD") - (
            INDEMNITY.amount if self.state is ClaimState.APPROVED else 0
        )
        assert recovered + owed_back == self.net_recovered.amount
        assert self.net_recovered <= LOSS
        if self.payments == 0:
            assert self.recoveries == 0


TestClaimLifecycle = ClaimMachine.TestCase
