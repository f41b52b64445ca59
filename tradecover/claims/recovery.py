"""Rights and recoveries after a claim is paid, and the claim's journal entries (pure).

On payment the insured's rights against the buyer pass to the insurer (subrogation):
recoveries are only booked on a paid (or closed) claim (:func:`check_rights_transferred`,
``rights_not_transferred``).  Every recovery later collected, from the buyer, a
collection agency or an estate, is shared **net of recovery costs** between insurer and
insured in proportion to their shares of the loss ([domain C-14]): the insurer's share is
``indemnity / loss``, the insured's ``(loss - indemnity) / loss``.  The split is to the
cent and always adds up to the net recovery (:func:`tradecover.kit.money.allocate`,
largest remainder).

Nets of recoveries over the life of a claim never exceed the loss
(``recovery_exceeds_loss``); costs never exceed the gross amount
(``costs_exceed_recovery``).

Booking (:mod:`tradecover.ledger.journal`): approval Dr claims expense / Cr claims
payable; payment Dr claims payable / Cr cash; a recovery Dr cash (the net) / Cr
recoveries (insurer's share) and claims payable (the insured's share, owed back to it).
Recovery costs are deducted by whoever collected before the cash reaches the insurer,
so only the net is booked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from tradecover.claims.indemnity import ClaimState
from tradecover.kit.errors import Conflict, ValidationFailed
from tradecover.kit.money import Money, allocate
from tradecover.ledger import JournalEntry, claim_approved, claim_paid, recovery_received


class RecoverySource(StrEnum):
    """Where a recovery came from."""

    BUYER = "buyer"
    COLLECTION_AGENCY = "collection_agency"
    ESTATE = "estate"  # the insolvent buyer's estate (a dividend)
    OTHER = "other"


@dataclass(frozen=True, slots=True, kw_only=True)
class RecoveryShares:
    """One recovery split: ``insurer + insured == net == gross - costs``, to the cent."""

    gross: Money
    costs: Money
    net: Money
    insurer: Money
    insured: Money


def rights_transferred(state: ClaimState, *, paid: bool = True) -> bool:
    """True once the claim is paid: the insured's rights now belong to the insurer.

    ``paid`` tells a closed claim that was settled (paid) from one closed unpaid
    (rejected or withdrawn), to which no rights ever passed.
    """
    return state is ClaimState.PAID or (state is ClaimState.CLOSED and paid)


def check_rights_transferred(state: ClaimState, *, paid: bool = True) -> None:
    """Refuse a recovery on a claim that has not been paid."""
    if not rights_transferred(state, paid=paid):
        raise Conflict(
            f"the claim is {state.value}"
            + ("" if paid else " unpaid")
            + ": recoveries are shared only after payment",
            code="rights_not_transferred",
            field="claim_id",
        )


def share_recovery(
    *,
    gross: Money,
    costs: Money,
    indemnity: Money,
    loss: Money,
    net_recovered_before: Money | None = None,
) -> RecoveryShares:
    """Split a recovery net of costs between insurer and insured by their shares of the loss.

    ``indemnity`` and ``loss`` are the claim's; ``net_recovered_before`` is the net of the
    recoveries already booked on it.
    """
    currency = loss.currency
    before = net_recovered_before or Money.zero(currency)
    for name, money in (
        ("gross", gross),
        ("costs", costs),
        ("indemnity", indemnity),
        ("net_recovered_before", before),
    ):
        if money.currency != currency:
            raise ValidationFailed(
                f"{name} must be in the claim currency {currency}",
                code="currency_mismatch",
                field=name,
            )
    gross, costs = gross.rounded(), costs.rounded()
    if gross.amount <= 0:
        raise ValidationFailed(
            "a recovery must be greater than zero", code="recovery_not_positive", field="gross"
        )
    if costs.amount < 0:
        raise ValidationFailed(
            "recovery costs cannot be negative", code="costs_negative", field="costs"
        )
    if costs > gross:
        raise ValidationFailed(
            f"costs of {costs} exceed the recovery of {gross}",
            code="costs_exceed_recovery",
            field="costs",
        )
    if loss.amount <= 0 or indemnity.amount < 0 or indemnity > loss:
        raise ValidationFailed(
            "the claim's indemnity must be between 0 and its loss",
            code="invalid_claim_amounts",
            field="indemnity",
        )
    net = gross - costs
    if before + net > loss:
        raise ValidationFailed(
            f"recoveries of {before + net} in all would exceed the loss of {loss}",
            code="recovery_exceeds_loss",
            field="gross",
        )
    if net.is_zero():
        zero = Money.zero(currency)
        return RecoveryShares(gross=gross, costs=costs, net=net, insurer=zero, insured=zero)
    insurer, insured = allocate(net, [indemnity.amount, loss.amount - indemnity.amount])
    return RecoveryShares(gross=gross, costs=costs, net=net, insurer=insurer, insured=insured)


def insurer_share_of_loss(*, indemnity: Money, loss: Money) -> Decimal:
    """The insurer's share of the loss (indemnity / loss)."""
    return indemnity.amount / loss.amount


# --- booking ----------------------------------------------------------------------------


def book_approval(*, claim_ref: str, indemnity: Money, posted_on: date) -> JournalEntry:
    """The journal entry of an approved claim (key ``claim:<ref>:approved``)."""
    return claim_approved(
        key=f"claim:{claim_ref}:approved",
        posted_on=posted_on,
        claim_ref=claim_ref,
        indemnity=indemnity,
    )


def book_payment(
    *,
    claim_ref: str,
    amount: Money,
    posted_on: date,
    payees: Sequence[tuple[str, Money]] = (),
) -> JournalEntry:
    """The journal entry of a paid claim (key ``claim:<ref>:paid``: once per claim);
    ``payees`` names who received the cash when loss payees were paid first
    [domain BA-7].
    """
    return claim_paid(
        key=f"claim:{claim_ref}:paid",
        posted_on=posted_on,
        claim_ref=claim_ref,
        amount=amount,
        payees=payees,
    )


def book_recovery(
    *, claim_ref: str, recovery_ref: str, shares: RecoveryShares, posted_on: date
) -> JournalEntry | None:
    """The journal entry of a recovery (key ``claim:<ref>:recovery:<recovery_ref>``).

    ``None`` when the costs ate the whole recovery: no money moved, nothing to book.
    """
    if shares.net.is_zero():
        return None
    return recovery_received(
        key=f"claim:{claim_ref}:recovery:{recovery_ref}",
        posted_on=posted_on,
        claim_ref=claim_ref,
        insurer_share=shares.insurer,
        insured_share=shares.insured,
    )
