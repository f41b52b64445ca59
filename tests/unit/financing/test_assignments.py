"""The pure rules of bank financing: who moves an assignment [domain BA-2] [domain BA-3],
the checks of its terms [domain BA-4] [domain BA-5], the payment of a claim to the loss
payees in priority order, to the cent [domain BA-6], the financing base [domain BA-8].
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.financing import (
    AssignmentAction,
    AssignmentInvalid,
    AssignmentParty,
    AssignmentStatus,
    AssignmentTerms,
    LossPayee,
    NotAssignmentParty,
    bank_party,
    check_terms,
    financing_base,
    move,
    pay_in_priority,
)
from tradecover.financing.assignments import check_request
from tradecover.kit.errors import IllegalTransition
from tradecover.kit.money import Money

LIABILITY = Money.of("1000000", "USD")
A = AssignmentAction
S = AssignmentStatus
P = AssignmentParty


def terms(**over: object) -> AssignmentTerms:
    values: dict[str, object] = {
        "policy_id": 1,
        "bank_org_id": 7,
        "priority": 1,
        "cap": Money.of("400000", "USD"),
        "effective_from": date(2026, 1, 1),
        "effective_to": date(2026, 12, 31),
        "advance_rate": Decimal("0.8"),
    }
    values.update(over)
    return AssignmentTerms(**values)  # type: ignore[arg-type]


def code_of(t: AssignmentTerms, others: list[AssignmentTerms] | None = None) -> str:
    with pytest.raises(AssignmentInvalid) as caught:
        check_terms(t, maximum_liability=LIABILITY, others=others or [])
    return caught.value.code


def test_good_terms_pass_and_a_later_priority_beside_them_too() -> None:
    check_terms(terms(), maximum_liability=LIABILITY)
    check_terms(terms(priority=2, bank_org_id=8), maximum_liability=LIABILITY, others=[terms()])


def test_a_cap_beyond_the_policy_liability_is_refused() -> None:
    assert code_of(terms(cap=Money.of("1000000.01", "USD"))) == "cap_exceeds_liability"
    check_terms(terms(cap=LIABILITY), maximum_liability=LIABILITY)


def test_caps_in_force_together_beyond_the_liability_are_refused() -> None:
    first = terms(cap=Money.of("700000", "USD"))
    second = terms(priority=2, cap=Money.of("300000.01", "USD"))
    assert code_of(second, [first]) == "caps_exceed_liability"
    # the same caps on periods that do not meet are fine
    later = terms(
        priority=2,
        cap=Money.of("300000.01", "USD"),
        effective_from=date(2027, 1, 1),
        effective_to=None,
    )
    check_terms(later, maximum_liability=LIABILITY, others=[first])


def test_the_same_priority_on_overlapping_days_is_refused_and_on_separate_days_allowed() -> None:
    held = terms()
    assert code_of(terms(bank_org_id=8, effective_from=date(2026, 12, 31)), [held]) == (
        "priority_overlaps"
    )
    assert code_of(terms(bank_org_id=8, effective_to=None), [held]) == "priority_overlaps"
    check_terms(
        terms(bank_org_id=8, effective_from=date(2027, 1, 1), effective_to=None),
        maximum_liability=LIABILITY,
        others=[held],
    )


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"priority": 0}, "priority_invalid"),
        ({"effective_to": date(2025, 12, 31)}, "period_invalid"),
        ({"advance_rate": Decimal(0)}, "advance_rate_invalid"),
        ({"advance_rate": Decimal("1.01")}, "advance_rate_invalid"),
        ({"advance_rate": Decimal("0.12345")}, "advance_rate_invalid"),
        ({"cap": Money.of("100", "EUR")}, "currency_mismatch"),
        ({"cap": Money.of("0", "USD")}, "cap_invalid"),
        ({"cap": Money.of("10.001", "USD")}, "cap_invalid"),
    ],
)
def test_malformed_terms_are_refused_with_their_code(over: dict[str, object], code: str) -> None:
    assert code_of(terms(**over)) == code


def test_the_status_machine_and_who_may_move_it() -> None:
    assert move(S.REQUESTED, A.APPROVE, P.EXPORTER) is S.APPROVED
    assert move(S.APPROVED, A.ACKNOWLEDGE, P.INSURER) is S.ACTIVE
    assert move(S.REQUESTED, A.REJECT, P.INSURER) is S.REJECTED
    assert move(S.APPROVED, A.REJECT, P.EXPORTER) is S.REJECTED
    assert move(S.APPROVED, A.WITHDRAW, P.BANK) is S.WITHDRAWN
    assert move(S.ACTIVE, A.END, P.BANK) is S.ENDED
    assert move(S.ACTIVE, A.END, P.INSURER) is S.ENDED
    for action, party in [
        (A.APPROVE, P.BANK),
        (A.APPROVE, P.INSURER),
        (A.ACKNOWLEDGE, P.EXPORTER),
        (A.ACKNOWLEDGE, P.BANK),
        (A.REJECT, P.BANK),
        (A.WITHDRAW, P.EXPORTER),
        (A.END, P.EXPORTER),
        (A.APPROVE, None),
    ]:
        with pytest.raises(NotAssignmentParty):
            move(S.REQUESTED, action, party)
    # the insurer acknowledges only what the exporter approved; final states stay final
    with pytest.raises(IllegalTransition):
        move(S.REQUESTED, A.ACKNOWLEDGE, P.INSURER)
    for final in (S.REJECTED, S.WITHDRAWN, S.ENDED):
        with pytest.raises(IllegalTransition):
            move(final, A.END, P.INSURER)


def test_only_a_bank_requests() -> None:
    check_request(P.BANK)
    for party in (P.EXPORTER, P.INSURER, None):
        with pytest.raises(NotAssignmentParty):
            check_request(party)


def test_a_claim_pays_the_loss_payees_first_in_priority_order_up_to_their_caps() -> None:
    second = LossPayee(assignment_id=2, bank_org_id=8, priority=2, cap_minor=50_000, paid_minor=0)
    first = LossPayee(
        assignment_id=1, bank_org_id=7, priority=1, cap_minor=100_000, paid_minor=30_000
    )
    payouts, rest = pay_in_priority(150_000, [second, first])
    assert [(p.assignment_id, p.amount_minor) for p in payouts] == [(1, 70_000), (2, 50_000)]
    assert rest == 30_000
    payouts, rest = pay_in_priority(60_000, [second, first])
    assert [(p.assignment_id, p.amount_minor) for p in payouts] == [(1, 60_000)]
    assert rest == 0
    assert pay_in_priority(1234, []) == ([], 1234)
    assert bank_party(7) == "bank:7"


payees = st.lists(
    st.builds(
        LossPayee,
        assignment_id=st.integers(1, 10_000),
        bank_org_id=st.integers(1, 50),
        priority=st.integers(1, 5),
        cap_minor=st.integers(1, 10**9),
        paid_minor=st.integers(0, 10**9),
    ),
    max_size=6,
    unique_by=lambda p: p.assignment_id,
)


@given(amount=st.integers(0, 10**10), payees=payees)
def test_payouts_plus_the_rest_are_the_payment_to_the_cent(
    amount: int, payees: list[LossPayee]
) -> None:
    payouts, rest = pay_in_priority(amount, payees)
    assert sum(p.amount_minor for p in payouts) + rest == amount
    assert rest >= 0 and all(p.amount_minor > 0 for p in payouts)
    by_id = {p.assignment_id: p for p in payees}
    for payout in payouts:
        assert payout.amount_minor <= by_id[payout.assignment_id].left_minor
    # a later priority is paid only once every earlier one is full
    ordered = sorted(payees, key=lambda p: (p.priority, p.assignment_id))
    paid = {p.assignment_id: p.amount_minor for p in payouts}
    for i, payee in enumerate(ordered):
        if paid.get(payee.assignment_id, 0) < payee.left_minor:
            assert all(paid.get(p.assignment_id, 0) == 0 for p in ordered[i + 1 :])
            assert rest == 0


def test_the_financing_base_is_outstanding_times_rate_less_overdue_rounded_down() -> None:
    # 12,345.67 x 80 % = 9,876.536 -> 9,876.53; less 1,000.00 overdue
    base = financing_base(
        covered_outstanding_minor=1_234_567, overdue_minor=100_000, advance_rate=Decimal("0.8")
    )
    assert base == 887_653
    assert (
        financing_base(
            covered_outstanding_minor=100, overdue_minor=100, advance_rate=Decimal("0.5")
        )
        == 0
    )


@given(
    outstanding=st.integers(0, 10**12),
    overdue_share=st.integers(0, 100),
    rate=st.decimals(min_value="0.0001", max_value="1", places=4),
)
def test_the_base_never_exceeds_the_advance_nor_goes_below_zero(
    outstanding: int, overdue_share: int, rate: Decimal
) -> None:
    overdue = outstanding * overdue_share // 100
    base = financing_base(
        covered_outstanding_minor=outstanding, overdue_minor=overdue, advance_rate=rate
    )
    assert 0 <= base <= outstanding * rate
    assert base == max(0, int(outstanding * rate) - overdue)
