"""The subsidy statement of a premium notice as a PDF, in the reader's language (pure).

What each subsidy programme considered for the notice was asked for, granted and has paid,
with the premium and what is left to the exporter [domain DOC-1].  Labels are messages of
the dashboard's catalogs, translated by the caller's function.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tradecover.billing.document import NoticeDocument
from tradecover.kit.money import Money
from tradecover.kit.pdf import Letter, date_text, money_text, render

Translate = Callable[[str], str]


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark ``message`` for the catalogs; it is translated where it is used."""
    return message


TITLE = N_("Subsidy statement")
NO_PROGRAMME = N_("No subsidy programme was considered for this notice.")


@dataclass(frozen=True, slots=True)
class SubsidyLine:
    """One programme's part of a notice."""

    programme: str
    eligible: bool
    requested: Money
    granted: Money
    paid: Money


@dataclass(frozen=True, slots=True)
class SubsidyStatement:
    """A notice and the programmes' parts of it."""

    notice: NoticeDocument
    lines: tuple[SubsidyLine, ...]


def subsidy_filename(statement: SubsidyStatement) -> str:
    """The file name of the statement: ``PN-2026-10-000042-subsidy.pdf``."""
    return f"{statement.notice.reference}-subsidy.pdf"


def subsidy_pdf(
    statement: SubsidyStatement, *, locale: str, translate: Translate, stamp: Sequence[str] = ()
) -> bytes:
    """The PDF of ``statement`` in ``locale`` (``stamp``: its document number's footer)."""
    _ = translate
    notice = statement.notice
    return render(
        Letter(
            title=f"{_(TITLE)} {notice.reference}",
            fields=[
                (_("Policy"), notice.policy_number or str(notice.policy_id)),
                (_("Exporter"), notice.exporter_name),
                (_("Month"), f"{notice.month:%Y-%m}"),
                (_("Issued"), date_text(notice.issue_date, locale)),
                (_("Total premium"), money_text(notice.total, locale)),
                (_("Exporter owes"), money_text(notice.exporter_owes, locale)),
            ],
            table_header=(_("Programme"), _("Eligible"), _("Requested"), _("Granted"), _("Paid"))
            if statement.lines
            else (),
            table_rows=[
                (
                    line.programme,
                    _("Yes") if line.eligible else _("No"),
                    money_text(line.requested, locale),
                    money_text(line.granted, locale),
                    money_text(line.paid, locale),
                )
                for line in statement.lines
            ],
            paragraphs=() if statement.lines else (_(NO_PROGRAMME),),
            stamp=stamp,
        ),
        locale,
    )
