"""Which actions the policy page opens to whom [domain P-14]."""

from __future__ import annotations

import pytest

from tradecover.access.roles import PERMISSIONS, Role
from tradecover.policies.lifecycle import (
    TRANSITIONS,
    PolicyAction,
    PolicyEvent,
    PolicyState,
    open_actions,
)

A, S = PolicyAction, PolicyState


def actions(role: Role, state: PolicyState, **over: bool) -> set[PolicyAction]:
    options = {"renewal_window_open": False, "auto_renew": True, "notice_in_time": True}
    options.update(over)
    return set(
        open_actions(
            state,
            permissions=frozenset(p.value for p in PERMISSIONS[role]),
            insurer=role not in (Role.EXPORTER, Role.BANK, Role.PROGRAMME, Role.COINSURER),
            **options,
        )
    )


def test_the_underwriter_quotes_a_draft_and_the_exporter_accepts_the_quote() -> None:
    assert actions(Role.UNDERWRITER, S.DRAFT) == {A.QUOTE, A.WITHDRAW, A.ENDORSE}
    assert actions(Role.EXPORTER, S.DRAFT) == set()
    assert A.ISSUE in actions(Role.EXPORTER, S.QUOTED)
    assert A.ISSUE in actions(Role.UNDERWRITER, S.QUOTED)


def test_a_policy_in_force_is_suspended_cancelled_or_rescinded_by_the_insurer_only() -> None:
    insurer = actions(Role.UNDERWRITER, S.ACTIVE)
    assert {A.SUSPEND, A.CANCEL, A.NON_RENEWAL, A.RESCIND, A.ENDORSE} <= insurer
    assert A.REINSTATE not in insurer
    exporter = actions(Role.EXPORTER, S.ACTIVE)
    assert exporter == {A.CANCEL, A.NON_RENEWAL}
    assert A.REINSTATE in actions(Role.UNDERWRITER, S.SUSPENDED)


def test_renewal_is_offered_only_inside_the_window_and_notice_only_in_time() -> None:
    assert A.OFFER_RENEWAL not in actions(Role.UNDERWRITER, S.ACTIVE)
    assert A.OFFER_RENEWAL in actions(Role.UNDERWRITER, S.ACTIVE, renewal_window_open=True)
    assert A.OFFER_RENEWAL not in actions(
        Role.UNDERWRITER, S.ACTIVE, renewal_window_open=True, auto_renew=False
    )
    assert A.NON_RENEWAL not in actions(Role.EXPORTER, S.ACTIVE, notice_in_time=False)


@pytest.mark.parametrize("role", [Role.BANK, Role.PROGRAMME, Role.COINSURER, Role.RISK_MANAGER])
@pytest.mark.parametrize("state", list(PolicyState))
def test_roles_that_cannot_change_a_policy_see_no_action(role: Role, state: PolicyState) -> None:
    assert actions(role, state) == set()


_MOVES = {
    A.QUOTE: PolicyEvent.QUOTE,
    A.WITHDRAW: PolicyEvent.WITHDRAW,
    A.ISSUE: PolicyEvent.ISSUE,
    A.SUSPEND: PolicyEvent.SUSPEND,
    A.REINSTATE: PolicyEvent.REINSTATE,
    A.CANCEL: PolicyEvent.CANCEL,
    A.RESCIND: PolicyEvent.RESCIND,
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("state", list(PolicyState))
def test_every_offered_move_is_legal_in_the_state(role: Role, state: PolicyState) -> None:
    for action in actions(role, state, renewal_window_open=True):
        if action in _MOVES:
            assert (state, _MOVES[action]) in TRANSITIONS
