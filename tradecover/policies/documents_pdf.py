"""The policy schedule and an endorsement as PDFs, in the reader's language (pure).

The schedule states the terms of a policy as they stand (product, period, currency,
maximum liability, indemnity percentages, declarations, premium rate, disputes and the
endorsements made so far); an endorsement letter states one special provision added to
it [domain DOC-1].  Labels are messages of the dashboard's catalogs, translated by the
caller's function.
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


SCHEDULE_TITLE = N_("Policy schedule")
ENDORSEMENT_TITLE = N_("Endorsement")
ENDORSEMENT_TEXT = N_("This endorsement forms part of the policy from %(date)s.")
PRODUCTS = {
    "short_term_comprehensive": N_("Short-term comprehensive policy"),
    "domestic_trade_credit": N_("Domestic trade credit insurance"),
    "investment_debt": N_("Overseas investment debt insurance"),
}
FREQUENCIES = {
    "monthly": N_("Monthly"),
    "weekly": N_("Weekly"),
    "immediate": N_("Immediately"),
}
DISPUTES = {"arbitration": N_("Arbitration"), "litigation": N_("Litigation")}


@dataclass(frozen=True, slots=True)
class EndorsementText:
    """One endorsement of a policy."""

    number: int
    effective_date: date
    text: str


@dataclass(frozen=True, slots=True)
class PolicySchedule:
    """What the schedule of a policy states."""

    policy_id: int
    policy_number: str | None
    exporter_name: str
    product: str
    inception: date
    expiry: date
    maximum_liability: Money
    expected_turnover: Money
    indemnity_commercial_pct: Decimal
    indemnity_political_pct: Decimal
    declaration_frequency: str
    base_rate_pct: Decimal
    dispute_resolution: str
    dispute_venue: str
    possible_loss_notice_days: int
    endorsements: tuple[EndorsementText, ...]


def _pct(value: Decimal) -> str:
    return f"{value.normalize():f} %"


def _named(labels: dict[str, str], code: str, translate: Translate) -> str:
    return translate(labels[code]) if code in labels else code


def schedule_filename(schedule: PolicySchedule) -> str:
    """The file name of the schedule: ``ST-2026-000001-schedule.pdf``."""
    return f"{schedule.policy_number or f'policy-{schedule.policy_id}'}-schedule.pdf"


def endorsement_filename(schedule: PolicySchedule, number: int) -> str:
    """The file name of an endorsement: ``ST-2026-000001-endorsement-2.pdf``."""
    return f"{schedule.policy_number or f'policy-{schedule.policy_id}'}-endorsement-{number}.pdf"


def _policy_fields(schedule: PolicySchedule, translate: Translate) -> list[tuple[str, str]]:
    _ = translate
    return [
        (_("Policy"), schedule.policy_number or "—"),
        (_("Exporter"), schedule.exporter_name),
        (_("Product"), _named(PRODUCTS, schedule.product, translate)),
    ]


def schedule_pdf(
    schedule: PolicySchedule, *, locale: str, translate: Translate, stamp: Sequence[str] = ()
) -> bytes:
    """The PDF of ``schedule`` in ``locale`` (``stamp``: its document number's footer)."""
    _ = translate
    fields = [
        *_policy_fields(schedule, translate),
        (_("Inception"), date_text(schedule.inception, locale)),
        (_("Expiry"), date_text(schedule.expiry, locale)),
        (_("Maximum liability"), money_text(schedule.maximum_liability, locale)),
        (_("Expected turnover"), money_text(schedule.expected_turnover, locale)),
        (_("Indemnity, commercial risks"), _pct(schedule.indemnity_commercial_pct)),
        (_("Indemnity, political risks"), _pct(schedule.indemnity_political_pct)),
        (
            _("Declaration frequency"),
            _named(FREQUENCIES, schedule.declaration_frequency, translate),
        ),
        (_("Base premium rate"), _pct(schedule.base_rate_pct)),
        (
            _("Dispute resolution"),
            f"{_named(DISPUTES, schedule.dispute_resolution, translate)}, {schedule.dispute_venue}",
        ),
        (_("Notice of possible loss within (days)"), str(schedule.possible_loss_notice_days)),
    ]
    return render(
        Letter(
            title=f"{_(SCHEDULE_TITLE)} {schedule.policy_number or ''}".strip(),
            fields=fields,
            table_header=(_("No."), _("Effective"), _("Text")) if schedule.endorsements else (),
            table_rows=[
                (str(e.number), date_text(e.effective_date, locale), e.text)
                for e in schedule.endorsements
            ],
            stamp=stamp,
        ),
        locale,
    )


def endorsement_pdf(
    schedule: PolicySchedule,
    endorsement: EndorsementText,
    *,
    locale: str,
    translate: Translate,
    stamp: Sequence[str] = (),
) -> bytes:
    """The PDF of one endorsement of ``schedule``'s policy in ``locale``."""
    _ = translate
    return render(
        Letter(
            title=f"{_(ENDORSEMENT_TITLE)} {endorsement.number}",
            fields=[
                *_policy_fields(schedule, translate),
                (_("Endorsement"), str(endorsement.number)),
                (_("Effective date"), date_text(endorsement.effective_date, locale)),
            ],
            paragraphs=(
                endorsement.text,
                _(ENDORSEMENT_TEXT) % {"date": date_text(endorsement.effective_date, locale)},
            ),
            stamp=stamp,
        ),
        locale,
    )
