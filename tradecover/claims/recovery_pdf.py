"""The recovery statement of a claim as a PDF, in the reader's language (pure).

Every recovery booked on a paid claim ([domain C-7]): when it came in, from whom, the gross
amount, the costs, and how the net was shared between the insurer and the insured; with
the indemnity paid and what the insurer has recovered of it [domain DOC-1].
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from tradecover.kit.money import Money
from tradecover.kit.pdf import Letter, date_text, money_text, render

Translate = Callable[[str], str]


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark ``message`` for the catalogs; it is translated where it is used."""
    return message


TITLE = N_("Recovery statement")
NO_RECOVERY = N_("No recovery has been booked on this claim yet.")
SOURCES = {
    "buyer": N_("Buyer"),
    "collection_agency": N_("Collection agency"),
    "estate": N_("Insolvent buyer's estate"),
    "other": N_("Other"),
}
"""Where a recovery came from, as the statement names it."""


@dataclass(frozen=True, slots=True)
class RecoveryLine:
    """One recovery booked on the claim."""

    received_on: date
    source: str
    gross: Money
    costs: Money
    insurer: Money
    insured: Money


@dataclass(frozen=True, slots=True)
class RecoveryStatement:
    """A claim and the recoveries booked on it."""

    claim_id: int
    policy_number: str | None
    policy_id: int
    exporter_name: str
    buyer_name: str
    indemnity: Money
    lines: tuple[RecoveryLine, ...]

    @property
    def insurer_total(self) -> Money:
        """What the insurer has recovered in all."""
        total = Money.from_minor(0, self.indemnity.currency)
        for line in self.lines:
            total = total + line.insurer
        return total


def recovery_filename(statement: RecoveryStatement) -> str:
    """The file name of the statement: ``claim-42-recoveries.pdf``."""
    return f"claim-{statement.claim_id}-recoveries.pdf"


def recovery_pdf(
    statement: RecoveryStatement, *, locale: str, translate: Translate, stamp: Sequence[str] = ()
) -> bytes:
    """The PDF of ``statement`` in ``locale`` (``stamp``: its document number's footer)."""
    _ = translate
    return render(
        Letter(
            title=f"{_(TITLE)} {statement.claim_id}",
            fields=[
                (_("Claim"), str(statement.claim_id)),
                (_("Policy"), statement.policy_number or str(statement.policy_id)),
                (_("Exporter"), statement.exporter_name),
                (_("Buyer"), statement.buyer_name),
                (_("Indemnity"), money_text(statement.indemnity, locale)),
                (_("Recovered by the insurer"), money_text(statement.insurer_total, locale)),
            ],
            table_header=(
                _("Received"),
                _("Source"),
                _("Gross"),
                _("Costs"),
                _("Insurer"),
                _("Insured"),
            )
            if statement.lines
            else (),
            table_rows=[
                (
                    date_text(line.received_on, locale),
                    _(SOURCES[line.source]) if line.source in SOURCES else line.source,
                    money_text(line.gross, locale),
                    money_text(line.costs, locale),
                    money_text(line.insurer, locale),
                    money_text(line.insured, locale),
                )
                for line in statement.lines
            ],
            paragraphs=() if statement.lines else (_(NO_RECOVERY),),
            stamp=stamp,
        ),
        locale,
    )
