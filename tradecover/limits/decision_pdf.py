"""The limit decision letter as a PDF, in the reader's language (pure).

The insurer's decision in force on a credit limit (its latest version): the buyer, the
policy, what was decided, the amount, the payment terms, the dates and the conditions or
the reason [domain DOC-1].  Labels are messages of the dashboard's catalogs, translated
by the caller's function.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tradecover.kit.money import Money
from tradecover.kit.pdf import Letter, date_text, money_text, render

Translate = Callable[[str], str]


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark ``message`` for the catalogs; it is translated where it is used."""
    return message


TITLE = N_("Limit decision letter")
DECISIONS = {
    "new_limit": N_("New credit limit"),
    "increase": N_("Increase"),
    "reduction": N_("Reduction"),
    "cancellation": N_("Cancellation"),
}
"""What the version decided, as the letter names it (a code it does not know is shown as stored)."""
STATUSES = {"active": N_("Active"), "cancelled": N_("Cancelled")}
CLOSING = N_(
    "This limit covers your shipments to the buyer within its amount and terms from the "
    "date it takes effect."
)


@dataclass(frozen=True, slots=True)
class LimitDecision:
    """What the decision letter of a credit limit says."""

    limit_id: int
    version: int
    decision: str
    status: str
    policy_number: str | None
    policy_id: int
    buyer_name: str
    country: str
    amount: Money
    payment_terms: str
    credit_period_days: int
    effective_from: date
    expires_on: date | None
    indemnity_pct: Decimal | None
    conditions: str | None
    reason: str | None


def _named(labels: dict[str, str], code: str, translate: Translate) -> str:
    return translate(labels[code]) if code in labels else code


def limit_filename(decision: LimitDecision) -> str:
    """The file name of the letter: ``limit-42-v3.pdf``."""
    return f"limit-{decision.limit_id}-v{decision.version}.pdf"


def limit_decision_pdf(
    decision: LimitDecision, *, locale: str, translate: Translate, stamp: Sequence[str] = ()
) -> bytes:
    """The PDF of ``decision`` in ``locale`` (``stamp``: its document number's footer)."""
    _ = translate
    fields = [
        (_("Credit limit"), f"{decision.limit_id} / {decision.version}"),
        (_("Policy"), decision.policy_number or str(decision.policy_id)),
        (_("Buyer"), decision.buyer_name),
        (_("Country"), decision.country),
        (
            _("Decision"),
            _(DECISIONS[decision.decision])
            if decision.decision in DECISIONS
            else decision.decision,
        ),
        (
            _("Status"),
            _(STATUSES[decision.status]) if decision.status in STATUSES else decision.status,
        ),
        (_("Amount"), money_text(decision.amount, locale)),
        (_("Payment terms"), f"{decision.payment_terms} {decision.credit_period_days}"),
        (_("Effective from"), date_text(decision.effective_from, locale)),
        (_("Expires"), date_text(decision.expires_on, locale)),
    ]
    if decision.indemnity_pct is not None:
        fields.append((_("Indemnity percentage"), f"{decision.indemnity_pct.normalize():f} %"))
    if decision.conditions:
        fields.append((_("Conditions"), decision.conditions))
    if decision.reason:
        fields.append((_("Reason"), decision.reason))
    return render(
        Letter(
            title=f"{_(TITLE)} {decision.limit_id}",
            fields=fields,
            paragraphs=(_(CLOSING),),
            stamp=stamp,
        ),
        locale,
    )
