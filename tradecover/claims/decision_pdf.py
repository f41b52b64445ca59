"""The claim decision letter as a PDF, in the reader's language (pure: facts in, bytes out).

:func:`decision_pdf` writes what the insurer decided on a claim: the claim, policy and
buyer, the cause, the decision (approved with the indemnity and the day it is payable
from, or rejected with the reason the exporter reads), and each declaration's loss,
cover, indemnity percentage and indemnity.  Labels are messages of the dashboard's
catalogs (marked with :func:`N_`), translated by the caller's function; money and dates
are written the reader's way (:mod:`tradecover.kit.pdf`).
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


TITLE = N_("Claim decision")
APPROVED = N_("Approved")
REJECTED = N_("Rejected")
APPROVED_TEXT = N_(
    "We approved your claim: an indemnity of %(indemnity)s is payable from %(payable_from)s."
)
REJECTED_TEXT = N_("We rejected your claim for this reason: %(reason)s")
CAUSES = {
    "insolvency": N_("Insolvency"),
    "protracted_default": N_("Protracted default"),
    "refusal_of_goods": N_("Refusal of goods"),
    "transfer_restriction": N_("Transfer restriction"),
    "import_ban": N_("Import ban"),
    "war": N_("War"),
    "other_political": N_("Other political event"),
}
"""The cause of loss as the letter names it (a code it does not know is shown as stored)."""


@dataclass(frozen=True, slots=True)
class DecisionLine:
    """One declaration of a decided claim."""

    declaration_id: int
    loss: Money
    covered: Money
    indemnity_pct: Decimal
    indemnity: Money


@dataclass(frozen=True, slots=True)
class DecisionLetter:
    """What the decision letter of a claim says."""

    claim_id: int
    policy_id: int
    policy_number: str | None
    exporter_name: str
    buyer_name: str
    cause: str
    approved: bool
    decided_on: date | None
    loss: Money
    indemnity: Money
    payable_from: date | None
    reason: str | None
    lines: Sequence[DecisionLine]


def decision_filename(letter: DecisionLetter) -> str:
    """The file name of the letter's PDF: ``claim-17-decision.pdf``."""
    return f"claim-{letter.claim_id}-decision.pdf"


def decision_pdf(
    letter: DecisionLetter, *, locale: str, translate: Translate, stamp: Sequence[str] = ()
) -> bytes:
    """The PDF of ``letter`` in ``locale`` (``stamp``: its document number's footer)."""
    _ = translate
    fields = [
        (_("Claim"), str(letter.claim_id)),
        (_("Policy"), letter.policy_number or str(letter.policy_id)),
        (_("Exporter"), letter.exporter_name),
        (_("Buyer"), letter.buyer_name),
        (_("Cause"), _(CAUSES[letter.cause]) if letter.cause in CAUSES else letter.cause),
        (_("Decision"), _(APPROVED) if letter.approved else _(REJECTED)),
        (_("Decided"), date_text(letter.decided_on, locale)),
        (_("Loss"), money_text(letter.loss, locale)),
        (_("Indemnity"), money_text(letter.indemnity, locale)),
    ]
    if letter.approved:
        fields.append((_("Payable from"), date_text(letter.payable_from, locale)))
        closing = _(APPROVED_TEXT) % {
            "indemnity": money_text(letter.indemnity, locale),
            "payable_from": date_text(letter.payable_from, locale),
        }
    else:
        fields.append((_("Reason"), letter.reason or ""))
        closing = _(REJECTED_TEXT) % {"reason": letter.reason or ""}
    return render(
        Letter(
            title=f"{_(TITLE)} {letter.claim_id}",
            fields=fields,
            table_header=(
                _("Declaration"),
                _("Loss"),
                _("Covered"),
                _("Indemnity percentage"),
                _("Indemnity"),
            ),
            table_rows=[
                (
                    str(line.declaration_id),
                    money_text(line.loss, locale),
                    money_text(line.covered, locale),
                    f"{line.indemnity_pct.normalize():f} %",
                    money_text(line.indemnity, locale),
                )
                for line in letter.lines
            ],
            paragraphs=[closing],
            stamp=stamp,
        ),
        locale,
    )
