"""Premium notices, payments and arrears: the use cases around the billing run.

* :func:`list_notices` / :func:`get_notice`: exporters see their own notices only (an id of
  another exporter is a 404, like a missing one); the insurer sees all.
* :func:`record_payment`: money from an exporter or a programme, applied to its open items
  oldest first by the pure :func:`tradecover.billing.notice.allocate_payment`, each
  running total moved by a conditional update on locked notice rows, booked with
  :func:`tradecover.ledger.journal.payment_received`, audited, in the caller's transaction.
* :func:`ageing`: what is unpaid per ageing bucket.
* :func:`notice_for_declaration`, :func:`premium_paid_for_declaration` and
  :func:`shipments_at_risk`: what the claim checks read, by membership (a notice
  stores no line per declaration; see :mod:`tradecover.billing.model`).  Only the
  exporter's share counts: a programme paying late does not put the exporter's cover at
  risk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import BindParameter, Select, bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session

from tradecover import audit, ledger
from tradecover.access import OrganisationKind, Permission, Principal, organisation_of
from tradecover.billing.model import (
    PAYER_EXPORTER,
    PAYER_PROGRAMME,
    CreditAllocation,
    NoticeSplit,
    Payment,
    PaymentAllocation,
    PremiumNotice,
)
from tradecover.billing.notice import (
    AgeingBucket,
    BillingTerms,
    OpenCredit,
    OpenItem,
    OwedItem,
    age_arrears,
    allocate_credits,
    allocate_payment,
    month_end,
    month_start,
)
from tradecover.billing.repository import active_at, member
from tradecover.config import Settings
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tradecover.kit.money import Money, check_currency
from tradecover.ledger import (
    credit_applied,
    exporter_party,
    payment_received,
    programme_party,
)
from tradecover.policies import policy_numbers_of
from tradecover.subsidies import programme_of, programmes_of

MAX_LINES = 5000
"""Most lines a notice view carries (the rest are read page by page)."""


def terms_of(settings: Settings) -> BillingTerms:
    """The billing terms configured for this installation."""
    return BillingTerms(payment_days=settings.billing_payment_days,
                        at_risk_after_days=settings.billing_at_risk_after_days,
                        suspend_after_days=settings.billing_suspend_after_days)


# --- notices ----------------------------------------------------------------------------


def readable_notices(principal: Principal) -> Select[PremiumNotice]:
    """The notices ``principal`` may read: the insurer all, an exporter its own.

    Every list and get of notices starts from this statement.
    """
    query = select(PremiumNotice)
    if principal.is_insurer:
        return query
    return query.where(PremiumNotice.exporter_org_id == principal.org_id)


def readable_payments(principal: Principal) -> Select[Payment]:
    """The payments ``principal`` may read: the insurer all, a payer its own."""
    query = select(Payment)
    if principal.is_insurer:
        return query
    return query.where(Payment.payer_org_id == principal.org_id)


def list_notices(
    session: Session, *, principal: Principal, limit: int, offset: int,
    month: str | None = None, policy_id: int | None = None, unpaid: bool = False,
) -> tuple[list[PremiumNotice], int]:
    """Notices the caller may see, newest month first: a page and the total."""
    principal.require(Permission.BILLING_READ)
    query = readable_notices(principal)
    if month is not None:
        query = query.where(PremiumNotice.month == month_start(month))
    if policy_id is not None:
        query = query.where(PremiumNotice.policy_id == policy_id)
    if unpaid:
        query = query.where(PremiumNotice.exporter_paid_minor < PremiumNotice.exporter_owed_minor)
    total = int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())
    rows = session.execute(query.order_by(PremiumNotice.month.desc(), PremiumNotice.id)
                           .limit(limit).offset(offset)).scalars()
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


def _notice(session: Session, principal: Principal, notice_id: int, *, lock: bool = False
            ) -> PremiumNotice:
    principal.require(Permission.BILLING_READ)
    query = readable_notices(principal).where(PremiumNotice.id == notice_id)
    if lock:
        query = query.with_for_update()
    row = session.execute(query).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no notice {notice_id}", code="notice_not_found")
    return row


def _lines(session: Session, notice: PremiumNotice, *, offset: int, limit: int
           ) -> list[LineView]:
    """A page of the notice's members, read by membership (never stored per line)."""
    cur = notice.currency
    rows = session.execute(text(
        "SELECT t.period_start, d.id, d.invoice_number, d.shipment_date, d.buyer_country, "
        "d.hs_code, d.insured_minor, d.rate, CASE WHEN " + active_at("t.cutoff")
        + " THEN d.premium_minor ELSE -d.premium_minor END "
        "FROM premium_notice_parts t JOIN declarations d ON d.policy_id = t.policy_id "
        "AND d.currency = :cur AND d.declaration_date >= t.period_start "
        "AND d.declaration_date <= t.period_end AND d.premium_minor > 0 AND "
        + member("t.cutoff", "t.since") + " WHERE t.notice_id = :nid "
        "ORDER BY t.period_start DESC, d.declaration_date, d.id LIMIT :lim OFFSET :off"),
        {"cur": cur, "nid": notice.id, "lim": limit, "off": offset}).all()
    return [LineView(p if isinstance(p, date) else date.fromisoformat(str(p)), int(i), str(inv),
                     sd if isinstance(sd, date) else date.fromisoformat(str(sd)), bc, str(hs),
                     Money.from_minor(int(ins), cur), str(rate), Money.from_minor(int(prem), cur))
            for p, i, inv, sd, bc, hs, ins, rate, prem in rows]


def get_notice(session: Session, *, principal: Principal, notice_id: int,
               line_offset: int = 0, line_limit: int = MAX_LINES) -> NoticeView:
    """One notice with a page of its lines (``line_count`` in all) and its split."""
    if line_offset < 0 or not 1 <= line_limit <= MAX_LINES:
        raise ValidationFailed(f"lines are read 1 to {MAX_LINES} at a time from offset 0",
                               code="invalid_line_page", field="line_offset")
    notice = _notice(session, principal, notice_id)
    cur = notice.currency
    number = policy_numbers_of(session, [notice.policy_id]).get(notice.policy_id)
    org = organisation_of(session, notice.exporter_org_id)
    lines = _lines(session, notice, offset=line_offset, limit=line_limit)
    split_rows = list(session.execute(select(NoticeSplit).where(
        NoticeSplit.notice_id == notice.id).order_by(NoticeSplit.id)).scalars())
    programmes = programmes_of(session, [s.programme_id for s in split_rows])
    splits = [SplitView(s.programme_id, p.code, p.name, s.eligible, str(s.share),
                        s.rule_applied, s.explanation, Money.from_minor(s.requested_minor, cur),
                        Money.from_minor(s.granted_minor, cur), s.limited_by,
                        Money.from_minor(s.paid_minor, cur))
              for s in split_rows if (p := programmes.get(s.programme_id)) is not None]
    return NoticeView(notice, number, org.name if org else "", lines, splits, line_offset)


# --- payments ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Payer:
    """Who pays: an exporter organisation, or a programme (and its sponsor)."""

    kind: str
    id: int
    org_id: int
    party: str


def payer_of(session: Session, *, kind: str, payer_id: int) -> Payer:
    """Resolve a payer named in a request (finance records what the bank received)."""
    if kind == PAYER_EXPORTER:
        org = organisation_of(session, payer_id)
        if org is None or org.kind is not OrganisationKind.EXPORTER:
            raise NotFound(f"no exporter {payer_id}", code="payer_not_found", field="payer_id")
        return Payer(kind, org.id, org.id, exporter_party(org.id))
    if kind == PAYER_PROGRAMME:
        programme = programme_of(session, payer_id)
        if programme is None:
            raise NotFound(f"no programme {payer_id}", code="payer_not_found",
                           field="payer_id")
        return Payer(kind, programme.id, programme.sponsor_org_id, programme_party(programme.code))
    raise ValidationFailed("payer_kind is exporter or programme", code="invalid_payer_kind",
                           field="payer_kind")


@dataclass(frozen=True, slots=True)
class _Open:
    notice_id: int
    split_id: int | None
    due_date: date
    outstanding_minor: int


def _open_items(session: Session, payer: Payer, currency: str, *, lock: bool
                ) -> list[_Open]:
    if payer.kind == PAYER_EXPORTER:
        query = (select(PremiumNotice.id, PremiumNotice.due_date,
                        PremiumNotice.exporter_owed_minor - PremiumNotice.exporter_paid_minor)
                 .where(PremiumNotice.exporter_org_id == payer.id,
                        PremiumNotice.currency == currency,
                        PremiumNotice.exporter_paid_minor < PremiumNotice.exporter_owed_minor)
                 .order_by(PremiumNotice.id))
        if lock:
            query = query.with_for_update()
        return [_Open(int(i), None, d, int(o)) for i, d, o in session.execute(query)]
    query2 = (select(NoticeSplit.id, NoticeSplit.notice_id, PremiumNotice.due_date,
                     NoticeSplit.granted_minor - NoticeSplit.paid_minor)
              .join(PremiumNotice, PremiumNotice.id == NoticeSplit.notice_id)
              .where(NoticeSplit.programme_id == payer.id, PremiumNotice.currency == currency,
                     NoticeSplit.paid_minor < NoticeSplit.granted_minor)
              .order_by(NoticeSplit.id))
    if lock:
        query2 = query2.with_for_update(of=NoticeSplit)
    return [_Open(int(n), int(s), d, int(o)) for s, n, d, o in session.execute(query2)]


def record_payment(
    session: Session, *, principal: Principal, payer_kind: str, payer_id: int, amount: Money,
    received_on: date, reference: str,
) -> Payment:
    """Record a payment and apply it to the payer's notices, oldest due date first."""
    principal.require(Permission.BILLING_MANAGE)
    if not principal.is_insurer:
        raise PermissionDenied("only the insurer's finance records payments", code="forbidden")
    check_currency(amount.currency)
    ref = reference.strip()
    if not ref or len(ref) > 128 or not ref.isprintable():
        raise ValidationFailed("reference must be 1-128 printable characters",
                               code="invalid_reference", field="reference")
    payer = payer_of(session, kind=payer_kind, payer_id=payer_id)
    items = _open_items(session, payer, amount.currency, lock=True)
    by_notice = {i.notice_id: i for i in items}
    allocation = allocate_payment(amount=amount, items=[
        OpenItem(i.notice_id, i.due_date, Money.from_minor(i.outstanding_minor, amount.currency))
        for i in items])
    applied_minor = amount.minor_units() - allocation.unapplied.minor_units()
    payment = Payment(payer_kind=payer.kind, payer_id=payer.id, payer_org_id=payer.org_id,
                      currency=amount.currency, amount_minor=amount.minor_units(),
                      applied_minor=applied_minor,
                      unapplied_minor=allocation.unapplied.minor_units(),
                      received_on=received_on, reference=ref, recorded_at=utc_now(),
                      recorded_by=principal.actor)
    session.add(payment)
    session.flush()
    rows: list[dict[str, Any]] = []
    for notice_id, part in allocation.applied:
        item = by_notice[notice_id]
        minor = part.minor_units()
        if item.split_id is None:
            stmt: Any = (update(PremiumNotice).where(
                PremiumNotice.id == notice_id,
                PremiumNotice.exporter_paid_minor + minor <= PremiumNotice.exporter_owed_minor)
                .values(exporter_paid_minor=PremiumNotice.exporter_paid_minor + minor))
        else:
            stmt = (update(NoticeSplit).where(
                NoticeSplit.id == item.split_id,
                NoticeSplit.paid_minor + minor <= NoticeSplit.granted_minor)
                .values(paid_minor=NoticeSplit.paid_minor + minor))
        if session.execute(stmt.execution_options(synchronize_session=False)
                           ).rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict("the notice was paid by a concurrent payment; try again",
                           code="concurrent_payment")
        rows.append({"payment_id": payment.id, "notice_id": notice_id,
                     "split_id": item.split_id, "amount_minor": minor})
    if rows:
        session.execute(insert(PaymentAllocation), rows)
    ledger.post(session, entries=[payment_received(
        key=f"payment:{payment.id}", posted_on=received_on, payer=payer.party,
        applied=Money.from_minor(applied_minor, amount.currency), unapplied=allocation.unapplied)])
    audit.record(session, org_id=payer.org_id, actor=principal.actor, action="payment.recorded",
                 entity_type="payment", entity_id=payment.id, after={
                     "payer": payer.party, "currency": amount.currency,
                     "amount_minor": payment.amount_minor, "applied_minor": applied_minor,
                     "allocations": [[r["notice_id"], r["amount_minor"]] for r in rows],
                     "reference": ref})
    return payment


@dataclass(frozen=True, slots=True)
class CreditApplied:
    """Part of a credit note applied to an older notice (a ``credit_allocations`` row)."""

    id: int
    credit_notice_id: int
    notice_id: int
    amount_minor: int


def apply_credits(session: Session, *, actor: str, on: date,
                  policy_ids: Sequence[int] | None = None) -> list[CreditApplied]:
    """Apply every credit note's unused credit to older unpaid notices of its policy.

    Credits and notices of the same policy and currency, oldest first
    (:func:`tradecover.billing.notice.allocate_credits`); each part is a
    ``credit_allocations`` row, moves the settled notice's ``exporter_paid_minor`` (so
    ageing, the arrears job and the claim checks see what is really owed), is booked with
    :func:`tradecover.ledger.journal.credit_applied` and audited, in the caller's
    transaction.  ``policy_ids`` narrows it (the billing run: the batch's policies); None
    means every policy.  Credit notes are locked first, so concurrent callers never use the
    same credit twice.  What no notice can take stays as the account's credit balance.
    """
    scope = ""
    params: dict[str, Any] = {}
    binds: list[BindParameter[Any]] = []
    if policy_ids is not None:
        if not policy_ids:
            return []
        scope = " AND n.policy_id IN :pids"
        params["pids"] = list(policy_ids)
        binds.append(bindparam("pids", expanding=True))
    pg = session.get_bind().dialect.name == "postgresql"
    lock = " FOR UPDATE" if pg else ""
    ids = [int(i) for i in session.execute(text(
        "SELECT n.id FROM premium_notices n WHERE n.exporter_owed_minor < 0" + scope
        + " ORDER BY n.id" + lock).bindparams(*binds), params).scalars()]
    if not ids:
        return []
    credits = [OpenCredit(int(i), int(p), str(c), int(left)) for i, p, c, left in session.execute(
        text("SELECT n.id, n.policy_id, n.currency, -n.exporter_owed_minor - COALESCE(("
             "SELECT SUM(a.amount_minor) FROM credit_allocations a "
             "WHERE a.credit_notice_id = n.id), 0) FROM premium_notices n WHERE n.id IN :ids")
        .bindparams(bindparam("ids", expanding=True)), {"ids": ids}) if int(left) > 0]
    if not credits:
        return []
    owed = session.execute(text(
        "SELECT n.id, n.policy_id, n.currency, n.due_date, n.exporter_owed_minor - "
        "n.exporter_paid_minor, n.exporter_org_id FROM premium_notices n WHERE n.policy_id IN "
        ":cp AND n.exporter_paid_minor < n.exporter_owed_minor ORDER BY n.id" + lock)
        .bindparams(bindparam("cp", expanding=True)),
        {"cp": sorted({c.policy_id for c in credits})}).all()
    items = [OwedItem(int(i), int(p), str(c), d if isinstance(d, date)
                      else date.fromisoformat(str(d)), int(o)) for i, p, c, d, o, _ in owed]
    org_of = {int(r[0]): int(r[5]) for r in owed}
    parts = allocate_credits(credits, items)
    if not parts:
        return []
    for _, notice_id, minor in parts:
        moved = session.execute(update(PremiumNotice).where(
            PremiumNotice.id == notice_id,
            PremiumNotice.exporter_paid_minor + minor <= PremiumNotice.exporter_owed_minor)
            .values(exporter_paid_minor=PremiumNotice.exporter_paid_minor + minor)
            .execution_options(synchronize_session=False))
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict("the notice was paid by a concurrent payment; try again",
                           code="concurrent_payment")
    now = utc_now()
    rows = ledger.insert_rows(session, CreditAllocation, [
        {"credit_notice_id": c, "notice_id": n, "amount_minor": m, "allocated_on": on,
         "created_at": now, "created_by": actor} for c, n, m in parts], returning=("id",))
    done = [CreditApplied(int(r[0]), c, n, m) for r, (c, n, m) in zip(rows, parts, strict=True)]
    currency = {c.notice_id: c.currency for c in credits}
    ledger.post(session, entries=[credit_applied(
        key=f"credit:{a.id}", posted_on=on, credit_ref=f"credit note {a.credit_notice_id}",
        notice_ref=f"notice {a.notice_id}", exporter_id=org_of[a.notice_id],
        amount=Money.from_minor(a.amount_minor, currency[a.credit_notice_id]))
        for a in done])
    for credit_id in sorted({a.credit_notice_id for a in done}):
        mine = [a for a in done if a.credit_notice_id == credit_id]
        audit.record(session, org_id=org_of[mine[0].notice_id], actor=actor,
                     action="billing.credit_applied", entity_type="premium_notice",
                     entity_id=credit_id, reason="credit note applied to older unpaid notices",
                     after={"allocations": [[a.notice_id, a.amount_minor] for a in mine]})
    return done


def credit_balances(session: Session, *, principal: Principal,
                    exporter_org_id: int | None = None) -> dict[str, Money]:
    """Credit notes' credit not yet used, per currency (exporters: their own)."""
    principal.require(Permission.BILLING_READ)
    org = principal.org_id if not principal.is_insurer else exporter_org_id
    where = "" if org is None else " AND n.exporter_org_id = :org"
    rows = session.execute(text(
        "SELECT n.currency, SUM(-n.exporter_owed_minor - COALESCE((SELECT SUM(a.amount_minor) "
        "FROM credit_allocations a WHERE a.credit_notice_id = n.id), 0)) FROM premium_notices n "
        "WHERE n.exporter_owed_minor < 0" + where + " GROUP BY n.currency ORDER BY n.currency"),
        {} if org is None else {"org": org}).all()
    return {str(c): Money.from_minor(int(v), str(c)) for c, v in rows if int(v)}


def allocations_of(session: Session, payment_id: int) -> list[PaymentAllocation]:
    """How a payment was applied, oldest notice first."""
    return list(session.execute(select(PaymentAllocation).where(
        PaymentAllocation.payment_id == payment_id).order_by(PaymentAllocation.id)).scalars())


def list_payments(session: Session, *, principal: Principal, limit: int, offset: int
                  ) -> tuple[list[Payment], int]:
    """Payments the caller may see (exporters and programmes: their own)."""
    principal.require(Permission.BILLING_READ)
    query = readable_payments(principal)
    total = int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())
    rows = session.execute(query.order_by(Payment.id.desc()).limit(limit).offset(offset))
    return list(rows.scalars()), total


# --- arrears ----------------------------------------------------------------------------


def ageing(session: Session, *, principal: Principal, today: date,
           exporter_org_id: int | None = None) -> dict[str, dict[AgeingBucket, Money]]:
    """Exporter premium unpaid per currency and ageing bucket (exporters: their own)."""
    principal.require(Permission.BILLING_READ)
    query = readable_notices(principal).with_only_columns(
        PremiumNotice.id, PremiumNotice.currency, PremiumNotice.due_date,
        PremiumNotice.exporter_owed_minor - PremiumNotice.exporter_paid_minor).where(
        PremiumNotice.exporter_paid_minor < PremiumNotice.exporter_owed_minor)
    if principal.is_insurer and exporter_org_id is not None:
        query = query.where(PremiumNotice.exporter_org_id == exporter_org_id)
    items: dict[str, list[OpenItem]] = {}
    for nid, cur, due, owed in session.execute(query):
        items.setdefault(cur, []).append(OpenItem(nid, due, Money.from_minor(owed, cur)))
    return {cur: age_arrears(open_items, today=today, currency=cur)
            for cur, open_items in sorted(items.items())}


BILLED_BY = (
    "JOIN premium_notice_parts t ON t.notice_id = n.id JOIN declarations d "
    "ON d.policy_id = t.policy_id AND d.currency = n.currency "
    "AND d.declaration_date >= t.period_start AND d.declaration_date <= t.period_end "
    "AND d.premium_minor > 0 AND " + active_at("t.cutoff")
    + " AND (t.since IS NULL OR NOT " + active_at("t.since") + ")")
"""SQL joining a notice ``n`` to the declarations ``d`` it billed (+ premium), by membership."""


def notice_for_declaration(session: Session, declaration_id: int) -> PremiumNotice | None:
    """The notice that billed the declaration's premium, or None if not billed (yet)."""
    notice_id = session.execute(text(
        f"SELECT n.id FROM premium_notices n {BILLED_BY} WHERE d.id = :did ORDER BY n.id "
        "LIMIT 1"), {"did": declaration_id}).scalar_one_or_none()
    return None if notice_id is None else session.get(PremiumNotice, int(notice_id))


def premium_paid_for_declaration(session: Session, declaration_id: int) -> bool:
    """True when the declaration was billed and its notice's exporter share is paid in full."""
    notice = notice_for_declaration(session, declaration_id)
    return notice is not None and notice.exporter_paid_minor >= notice.exporter_owed_minor


def shipments_at_risk(
    session: Session, *, today: date, terms: BillingTerms,
    exporter_org_id: int | None = None, declaration_ids: Sequence[int] | None = None,
) -> list[int]:
    """Declarations behind exporter premium unpaid more than ``at_risk_after_days`` past due.

    The SQL form of :func:`tradecover.billing.notice.shipments_at_risk`, for the claim checks
    claim checks (optionally narrowed to one exporter or to some declarations).
    """
    where = ["n.exporter_paid_minor < n.exporter_owed_minor", "n.due_date < :cutoff"]
    params: dict[str, Any] = {"cutoff": today - timedelta(days=terms.at_risk_after_days)}
    binds: list[BindParameter[Any]] = []
    if exporter_org_id is not None:
        where.append("n.exporter_org_id = :org")
        params["org"] = exporter_org_id
    if declaration_ids is not None:
        if not declaration_ids:
            return []
        where.append("d.id IN :dids")
        params["dids"] = list(declaration_ids)
        binds.append(bindparam("dids", expanding=True))
    rows = session.execute(text(
        f"SELECT DISTINCT d.id FROM premium_notices n {BILLED_BY} "
        f"WHERE {' AND '.join(where)} ORDER BY d.id").bindparams(*binds), params).scalars()
    return [int(r) for r in rows]


def month_bounds(month: str) -> tuple[date, date]:
    """First and last day of a ``YYYY-MM`` month."""
    first = month_start(month)
    return first, month_end(first)
