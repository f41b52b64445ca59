"""Premium notices as their readers see them: the billing terms, lists and one notice.

* :func:`list_notices` / :func:`get_notice`: exporters see their own notices only (an id of
  another exporter is a 404, like a missing one); the insurer sees all.
* A notice stores no line per declaration: :func:`get_notice` reads a page of its lines by
  membership (see :mod:`tradecover.billing.model`).
* :func:`terms_of` reads the billing terms configured for this installation and
  :func:`month_bounds` the days of a billed month.

Payments live in :mod:`tradecover.billing.payments`, credit notes in
:mod:`tradecover.billing.credit_notes`, arrears and what the claim checks read in
:mod:`tradecover.billing.arrears`, and the billing run in :mod:`tradecover.billing.jobs`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, select, text
from sqlalchemy.orm import Session

from tradecover import consents, documents
from tradecover.access import Permission, Principal, organisation_of
from tradecover.billing.document import notice_document
from tradecover.billing.model import (
    NoticeSplit,
    PremiumNotice,
)
from tradecover.billing.notice import (
    BillingTerms,
    month_end,
    month_start,
)
from tradecover.billing.notice_pdf import notice_filename, notice_pdf
from tradecover.billing.repository import active_at, member
from tradecover.billing.subsidy_pdf import (
    SubsidyLine,
    SubsidyStatement,
    subsidy_filename,
    subsidy_pdf,
)
from tradecover.config import Settings
from tradecover.kit.errors import NotFound, ValidationFailed
from tradecover.kit.money import Money
from tradecover.policies import policy_numbers_of
from tradecover.subsidies import programmes_of

MAX_LINES = 5000
"""Most lines a notice view carries (the rest are read page by page)."""


def terms_of(settings: Settings) -> BillingTerms:
    """The billing terms configured for this installation."""
    return BillingTerms(
        payment_days=settings.billing_payment_days,
        at_risk_after_days=settings.billing_at_risk_after_days,
        suspend_after_days=settings.billing_suspend_after_days,
    )


# --- notices ----------------------------------------------------------------------------


def readable_notices(principal: Principal, session: Session | None = None) -> Select[PremiumNotice]:
    """The notices ``principal`` may read: the insurer all, an exporter its own, a subsidy
    programme also those of the exporters that consented to the read under way, within
    the consent's data window by month [domain CS-14].

    Every list and get of notices starts from this statement.
    """
    query = select(PremiumNotice)
    if principal.is_insurer:
        return query
    if session is None:
        return query.where(PremiumNotice.exporter_org_id == principal.org_id)
    return query.where(
        consents.visible(session, principal, PremiumNotice.exporter_org_id, PremiumNotice.month)
    )


def list_notices(
    session: Session,
    *,
    principal: Principal,
    limit: int,
    offset: int,
    month: str | None = None,
    policy_id: int | None = None,
    unpaid: bool = False,
) -> tuple[list[PremiumNotice], int]:
    """Notices the caller may see, newest month first: a page and the total."""
    principal.require(Permission.BILLING_READ)
    query = readable_notices(principal, session)
    if month is not None:
        query = query.where(PremiumNotice.month == month_start(month))
    if policy_id is not None:
        query = query.where(PremiumNotice.policy_id == policy_id)
    if unpaid:
        query = query.where(PremiumNotice.exporter_paid_minor < PremiumNotice.exporter_owed_minor)
    total = int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())
    rows = session.execute(
        query.order_by(PremiumNotice.month.desc(), PremiumNotice.id).limit(limit).offset(offset)
    ).scalars()
    return list(rows), total


@dataclass(frozen=True, slots=True)
class LineView:
    """One declaration of a notice: billed (+ premium) or credited back (- premium).

    ``period`` is the first day of the month the declaration belongs to; it differs from
    the notice's month on an adjustment line (declared late, or ended since that month
    was billed: then ``premium`` is negative).
    """

    period: date
    declaration_id: int
    invoice_number: str
    shipment_date: date
    buyer_country: str | None
    hs_code: str
    insured: Money
    rate: str
    premium: Money


@dataclass(frozen=True, slots=True)
class SplitView:
    """A programme's part of a notice and its eligibility decision."""

    programme_id: int
    programme_code: str
    programme_name: str
    eligible: bool
    share: str
    rule_applied: str
    explanation: str
    requested: Money
    granted: Money
    limited_by: str | None
    paid: Money


@dataclass(frozen=True, slots=True)
class NoticeView:
    """A notice with a page of its lines, its split and the policy and exporter it belongs to."""

    notice: PremiumNotice
    policy_number: str | None
    exporter_name: str
    lines: list[LineView]
    splits: list[SplitView]
    lines_offset: int = 0

    def money(self, minor: int) -> Money:
        """Minor units of the notice's currency as money."""
        return Money.from_minor(minor, self.notice.currency)


def _notice(
    session: Session, principal: Principal, notice_id: int, *, lock: bool = False
) -> PremiumNotice:
    principal.require(Permission.BILLING_READ)
    query = readable_notices(principal, None if lock else session).where(
        PremiumNotice.id == notice_id
    )
    if lock:
        query = query.with_for_update()
    row = session.execute(query).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no notice {notice_id}", code="notice_not_found")
    return row


def _lines(session: Session, notice: PremiumNotice, *, offset: int, limit: int) -> list[LineView]:
    """A page of the notice's members, read by membership (never stored per line)."""
    cur = notice.currency
    rows = session.execute(
        text(
            "SELECT t.period_start, d.id, d.invoice_number, d.shipment_date, d.buyer_country, "
            "d.hs_code, d.insured_minor, d.rate, CASE WHEN "
            + active_at("t.cutoff")
            + " THEN d.premium_minor ELSE -d.premium_minor END "
            "FROM premium_notice_parts t JOIN declarations d ON d.policy_id = t.policy_id "
            "AND d.currency = :cur AND d.declaration_date >= t.period_start "
            "AND d.declaration_date <= t.period_end AND d.premium_minor > 0 AND "
            + member("t.cutoff", "t.since")
            + " WHERE t.notice_id = :nid "
            "ORDER BY t.period_start DESC, d.declaration_date, d.id LIMIT :lim OFFSET :off"
        ),
        {"cur": cur, "nid": notice.id, "lim": limit, "off": offset},
    ).all()
    return [
        LineView(
            p if isinstance(p, date) else date.fromisoformat(str(p)),
            int(i),
            str(inv),
            sd if isinstance(sd, date) else date.fromisoformat(str(sd)),
            bc,
            str(hs),
            Money.from_minor(int(ins), cur),
            str(rate),
            Money.from_minor(int(prem), cur),
        )
        for p, i, inv, sd, bc, hs, ins, rate, prem in rows
    ]


def get_notice(
    session: Session,
    *,
    principal: Principal,
    notice_id: int,
    line_offset: int = 0,
    line_limit: int = MAX_LINES,
) -> NoticeView:
    """One notice with a page of its lines (``line_count`` in all) and its split."""
    if line_offset < 0 or not 1 <= line_limit <= MAX_LINES:
        raise ValidationFailed(
            f"lines are read 1 to {MAX_LINES} at a time from offset 0",
            code="invalid_line_page",
            field="line_offset",
        )
    notice = _notice(session, principal, notice_id)
    cur = notice.currency
    number = policy_numbers_of(session, [notice.policy_id]).get(notice.policy_id)
    org = organisation_of(session, notice.exporter_org_id)
    lines = _lines(session, notice, offset=line_offset, limit=line_limit)
    split_rows = list(
        session.execute(
            select(NoticeSplit).where(NoticeSplit.notice_id == notice.id).order_by(NoticeSplit.id)
        ).scalars()
    )
    programmes = programmes_of(session, [s.programme_id for s in split_rows])
    splits = [
        SplitView(
            s.programme_id,
            p.code,
            p.name,
            s.eligible,
            str(s.share),
            s.rule_applied,
            s.explanation,
            Money.from_minor(s.requested_minor, cur),
            Money.from_minor(s.granted_minor, cur),
            s.limited_by,
            Money.from_minor(s.paid_minor, cur),
        )
        for s in split_rows
        if (p := programmes.get(s.programme_id)) is not None
    ]
    return NoticeView(notice, number, org.name if org else "", lines, splits, line_offset)


def month_bounds(month: str) -> tuple[date, date]:
    """First and last day of a ``YYYY-MM`` month."""
    first = month_start(month)
    return first, month_end(first)


def notice_pdf_of(
    session: Session,
    *,
    principal: Principal,
    notice_id: int,
    locale: str,
    translate: Callable[[str], str],
) -> tuple[str, bytes]:
    """The file name and PDF of a notice the caller may see, in ``locale`` (its first
    :data:`MAX_LINES` declarations listed).
    """
    view = get_notice(session, principal=principal, notice_id=notice_id)
    document = notice_document(view)
    issued = documents.issue(
        session,
        kind=documents.DocumentKind.PREMIUM_NOTICE,
        subject_id=view.notice.id,
        org_id=view.notice.exporter_org_id,
        locale=locale,
        actor=principal.actor,
        render=lambda number: notice_pdf(
            document,
            locale=locale,
            translate=translate,
            line_count=view.notice.line_count,
            stamp=documents.stamp_lines(number, "", translate),
        ),
    )
    return notice_filename(document), issued.content


def subsidy_statement(view: NoticeView) -> SubsidyStatement:
    """The subsidy statement of a notice view."""
    return SubsidyStatement(
        notice_document(view),
        tuple(
            SubsidyLine(s.programme_name, s.eligible, s.requested, s.granted, s.paid)
            for s in view.splits
        ),
    )


def subsidy_statement_pdf_of(
    session: Session,
    *,
    principal: Principal,
    notice_id: int,
    locale: str,
    translate: Callable[[str], str],
) -> tuple[str, bytes]:
    """The file name and registered PDF of the subsidy statement of a notice the caller
    may see: what each programme was asked for, granted and has paid [domain DOC-1].
    """
    view = get_notice(session, principal=principal, notice_id=notice_id)
    statement = subsidy_statement(view)
    issued = documents.issue(
        session,
        kind=documents.DocumentKind.SUBSIDY_STATEMENT,
        subject_id=view.notice.id,
        org_id=view.notice.exporter_org_id,
        locale=locale,
        actor=principal.actor,
        render=lambda number: subsidy_pdf(
            statement,
            locale=locale,
            translate=translate,
            stamp=documents.stamp_lines(number, "", translate),
        ),
    )
    return subsidy_filename(statement), issued.content
