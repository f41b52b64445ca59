"""The premium notice as a PDF, in the reader's language (pure: a document in, bytes out).

:func:`notice_pdf` sets the same content as the printable HTML notice
(:mod:`tradecover.billing.document`): reference, policy, exporter, month, issue and due
dates, who pays what, the declarations billed with their premium, and the reference to
quote with the payment.  Labels are messages of the dashboard's catalogs (marked with
:func:`N_`), translated by the caller's function; money and dates are written the
reader's way (:mod:`tradecover.kit.pdf`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tradecover.billing.document import NoticeDocument
from tradecover.kit.pdf import Letter, date_text, money_text, render

Translate = Callable[[str], str]


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark ``message`` for the catalogs; it is translated where it is used."""
    return message


TITLE = N_("Premium notice")
QUOTE_REFERENCE = N_("Quote the reference %(reference)s with your payment.")
SOME_LINES = N_(
    "%(shown)s of %(count)s declarations are listed here; the notice's page lists them all."
)


def notice_filename(document: NoticeDocument) -> str:
    """The file name of the notice's PDF: ``PN-2026-10-000042.pdf``."""
    return f"{document.reference}.pdf"


def notice_pdf(
    document: NoticeDocument,
    *,
    locale: str,
    translate: Translate,
    line_count: int,
    stamp: Sequence[str] = (),
) -> bytes:
    """The PDF of ``document`` in ``locale`` (``line_count``: the notice's declarations in
    all, of which ``document.lines`` may be the first page).
    """
    _ = translate
    fields = [
        (_("Policy"), document.policy_number or str(document.policy_id)),
        (_("Exporter"), document.exporter_name),
        (_("Month"), f"{document.month:%Y-%m}"),
        (_("Issued"), date_text(document.issue_date, locale)),
        (_("Due date"), date_text(document.due_date, locale)),
        (_("Total premium"), money_text(document.total, locale)),
    ]
    fields += [
        (
            f"{_('Payer')}: {p.payer}" + (f" ({p.code})" if p.code else ""),
            money_text(p.amount, locale),
        )
        for p in document.payers[1:]
    ]
    fields.append((_("Exporter owes"), money_text(document.exporter_outstanding, locale)))
    paragraphs = [_(QUOTE_REFERENCE) % {"reference": document.reference}]
    if line_count > len(document.lines):
        paragraphs.append(_(SOME_LINES) % {"shown": len(document.lines), "count": line_count})
    return render(
        Letter(
            title=f"{_(TITLE)} {document.reference}",
            fields=fields,
            table_header=(
                _("Month"),
                _("Invoice"),
                _("Shipment date"),
                _("Insured amount"),
                _("Premium"),
            ),
            table_rows=[
                (
                    f"{line.period:%Y-%m}",
                    line.invoice_number,
                    date_text(line.shipment_date, locale),
                    money_text(line.insured, locale),
                    money_text(line.premium, locale),
                )
                for line in document.lines
            ],
            paragraphs=paragraphs,
            stamp=stamp,
        ),
        locale,
    )
