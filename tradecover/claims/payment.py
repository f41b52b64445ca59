"""Claims: paying an approved claim, once.

**Never paid twice.**  :func:`pay` moves the claim from ``approved`` to ``paid`` with ONE
conditional update (``... WHERE id = :id AND state = 'approved'``): of any number of
concurrent or retried payments exactly one updates the row; the others see the new
state and get ``claim_already_paid`` (409), and a rejected claim ``claim_rejected``.  The
payment's journal entry has the unique key ``claim:<id>:paid`` as a second wall; it is
posted in the caller's transaction.

**The loss payees first.**  A bank to which the policy's proceeds are assigned (an active
assignment on the payment day) is paid before the exporter, in priority order and up to
what is left of its cap; the payment's cash lines name each payee [domain BA-6]
[domain BA-7].
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from tradecover import coinsurance, financing, ledger, market
from tradecover.access import Permission, Principal
from tradecover.claims.checks import ensure_approvable
from tradecover.claims.indemnity import (
    ClaimDefaults,
    ClaimEvent,
    ClaimState,
    ClaimTerms,
    LossCause,
    check_waiting_period,
)
from tradecover.claims.model import ClaimRow
from tradecover.claims.recovery import book_payment
from tradecover.claims.service import (
    DEFAULT_DEFAULTS,
    claim_for,
    claim_limit_id,
    claim_terms_of,
    move_claim,
    refresh_standing,
    stored_checks,
)
from tradecover.kit.errors import Conflict
from tradecover.kit.money import Money


def pay(
    session: Session,
    *,
    principal: Principal,
    claim_id: int,
    today: date,
    defaults: ClaimDefaults = DEFAULT_DEFAULTS,
    terms: ClaimTerms | None = None,
) -> ClaimRow:
    """Pay an approved claim once: see the module docstring for why never twice.

    A claim above the coinsured policy's threshold waits for every follower's approval
    (``follower_approval_missing``, [domain CO-12]).  The policy's waiting period applies;
    ``terms`` replaces the policy's claim terms for
    a caller that fixes its own (the demo book).
    """
    principal.require(Permission.CLAIM_PAY)
    claim = claim_for(session, principal, claim_id)
    if claim.state == ClaimState.CLOSED.value and claim.paid_on is None:
        raise Conflict(
            f"the claim was closed ({claim.closure}): it cannot be paid",
            code="claim_closed",
            details={"closure": claim.closure},
        )
    if claim.state == ClaimState.APPROVED.value:
        refresh_standing(session, claim, today)
        ensure_approvable(stored_checks(claim))
        terms = terms or claim_terms_of(session, claim, defaults)
        assert claim.decided_on is not None
        check_waiting_period(
            cause=LossCause(claim.cause),
            due_date=claim.due_date,
            decided_on=claim.decided_on,
            terms=terms,
            today=today,
        )
        coinsurance.ensure_claim_approved(session, claim.id)  # [domain CO-12]
    move_claim(
        session,
        principal,
        claim,
        ClaimEvent.PAY,
        paid_on=today,
        paid_minor=claim.indemnity_minor,
        paid_by=principal.actor,
    )
    payouts, rest = financing.pay_loss_payees(  # the loss payees first [domain BA-6]
        session,
        claim_id=claim.id,
        policy_id=claim.policy_id,
        currency=claim.currency,
        amount_minor=claim.indemnity_minor,
        paid_on=today,
        actor=principal.actor,
    )
    payees = [
        (financing.bank_party(p.bank_org_id), Money.from_minor(p.amount_minor, claim.currency))
        for p in payouts
    ]
    if payees and rest:
        payees.append(
            (ledger.exporter_party(claim.exporter_org_id), Money.from_minor(rest, claim.currency))
        )
    ledger.post(
        session,
        entries=[
            book_payment(
                claim_ref=str(claim.id),
                amount=Money.from_minor(claim.indemnity_minor, claim.currency),
                posted_on=today,
                payees=payees,
            )
        ],
    )
    coinsurance.allocate(  # each insurer's share of a coinsured claim [domain CO-7]
        session,
        [
            coinsurance.Split(
                coinsurance.SOURCE_CLAIM,
                claim.id,
                claim.policy_id,
                claim.currency,
                claim.due_date,
                today,
                {"indemnity": claim.indemnity_minor},
                claim_limit_id(session, claim.id),
            )
        ],
    )
    market.allocate_to_carriers(  # the carrier of the cause, within its limit [domain MK-14]
        session,
        [
            market.CarrierSplit(
                "claim",
                claim.id,
                claim.policy_id,
                claim.currency,
                today,
                {"indemnity": claim.indemnity_minor},
                LossCause(claim.cause).risk_type.value,
            )
        ],
    )
    return claim
