"""THE consent guard: every read of an exporter's data by another organisation passes
here [domain CS-6].

* :func:`require` decides one read of one exporter's data (a record by id);
* :func:`readable` is its set-based variant: the exporters whose data of one scope the
  reader may see for one purpose, as a condition a list query adds to its ``WHERE``.

Both answer from, in order: the reader's own organisation (its own data), the policy
contract's own consent (the insurer, for what the contract needs [domain CS-4]), and
the authorised, unexpired consents the reader's organisation holds [domain CS-6].  A
read with none raises :class:`ConsentRequired` (403 ``consent_required`` naming the
scope).  Answers are cached on the session, so that a request asks the database once per
scope and purpose.

Extending it: a new scope or purpose is a member of :class:`~.rules.Scope` /
:class:`~.rules.Purpose`; a new read path calls :func:`require` or :func:`readable` and
declares its route in :mod:`tradecover.consents.reads`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from tradecover.access import OrganisationKind, Principal
from tradecover.consents.model import Consent
from tradecover.consents.reads import EVENT_READS, OTHER_EVENTS
from tradecover.consents.rules import (
    ConsentStatus,
    ConsentTerms,
    Purpose,
    Scope,
    contract_covers,
    covers,
)
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import PermissionDenied

CONTRACT = "contract"
"""The basis of a read the policy contract's own consent covers [domain CS-4]."""

OWN = "own"
"""The basis of a read of the reader's own organisation's data."""

_CACHE = "consents.readable"
_OPEN = "consents.open_read"

Window = tuple[date | None, date | None]
_EVENT_CACHE = "tradecover.consents.event_reads"
"""A consent's data window: the first and last day of the data it opens (None: open)."""


class ConsentRequired(PermissionDenied):
    """The reader holds no valid consent for the scope and purpose (HTTP 403)."""

    default_code = "consent_required"

    def __init__(
        self, scope: Scope, purpose: Purpose, reader: Principal, exporter_org_id: int | None = None
    ) -> None:
        whose = f"exporter {exporter_org_id}" if exporter_org_id is not None else "any exporter"
        super().__init__(
            f"no valid consent of {whose} lets organisation {reader.org_id} read "
            f"{scope.value} for {purpose.value}",
            field="scope",
            details={
                "scope": scope.value,
                "purpose": purpose.value,
                "exporter_org_id": exporter_org_id,
            },
        )
        self.scope, self.purpose, self.reader = scope, purpose, reader
        self.exporter_org_id = exporter_org_id


@dataclass(frozen=True, slots=True)
class Readable:
    """Whose data of ``scope`` a reader may see for ``purpose``, and on what basis."""

    reader: Principal
    scope: Scope
    purpose: Purpose
    everyone: bool
    """True when the policy contract covers every exporter's data [domain CS-4]."""
    consents: dict[int, int] = field(default_factory=dict)
    """Grantor organisation -> the consent that lets the reader see its data."""
    windows: dict[int, Window] = field(default_factory=dict)
    """Grantor organisation -> the data window of that consent (absent: no window)."""

    @property
    def org_ids(self) -> frozenset[int]:
        """The organisations whose data the reader sees (its own among them)."""
        return frozenset({self.reader.org_id, *self.consents})

    def allows(self, exporter_org_id: int) -> bool:
        """Whether the reader may see ``exporter_org_id``'s data."""
        return self.everyone or exporter_org_id in self.org_ids

    def basis(self, exporter_org_id: int) -> str:
        """Why the reader may see the exporter's data: own, contract, or a consent id."""
        if exporter_org_id == self.reader.org_id:
            return OWN
        if exporter_org_id in self.consents:
            return str(self.consents[exporter_org_id])
        return CONTRACT

    def condition(self, column: InstrumentedAttribute[int]) -> ColumnElement[bool]:
        """The ``WHERE`` condition on an exporter column that keeps the readable rows."""
        if self.everyone:
            return true()
        return column.in_(sorted(self.org_ids))

    def in_window(self, exporter_org_id: int, day: date | None) -> bool:
        """Whether a record of ``exporter_org_id`` dated ``day`` lies in the data window of
        the consent that opens it [domain CS-14] (own and contract reads: always).
        """
        low, high = self.windows.get(exporter_org_id, (None, None))
        if day is None:
            return True
        return (low is None or day >= low) and (high is None or day <= high)

    def windowed(
        self, column: InstrumentedAttribute[int], day: InstrumentedAttribute[date] | None
    ) -> ColumnElement[bool]:
        """The ``WHERE`` condition of a consented read [domain CS-14]: the reader's own rows
        OR those of the exporters that granted it a valid consent, each within its data
        window (``day``: the record's date column).  One condition, so a list stays ONE
        query whatever the number of consents.
        """
        if self.everyone:
            return true()
        open_ids = sorted(
            {self.reader.org_id}
            | {org for org in self.consents if self.windows.get(org, (None, None)) == (None, None)}
        )
        parts: list[ColumnElement[bool]] = [column.in_(open_ids)]
        for org, (low, high) in sorted(self.windows.items()):
            if (low, high) == (None, None) or org == self.reader.org_id:
                continue
            bounds = [column == org]
            if day is not None and low is not None:
                bounds.append(day >= low)
            if day is not None and high is not None:
                bounds.append(day <= high)
            parts.append(and_(*bounds))
        return or_(*parts)


def _valid_consents(
    session: Session, grantee_org_id: int, scope: Scope, purpose: Purpose, now: datetime
) -> tuple[dict[int, int], dict[int, Window]]:
    rows = session.execute(
        select(Consent)
        .where(
            Consent.grantee_org_id == grantee_org_id,
            Consent.status == ConsentStatus.AUTHORISED.value,
            Consent.expires_at > now,
        )
        .order_by(Consent.id)
    ).scalars()
    found: dict[int, int] = {}
    windows: dict[int, Window] = {}
    for row in rows:
        fits = covers(terms_of(row), ConsentStatus(row.status), scope, purpose, now)
        if fits and row.grantor_org_id not in found:
            found[row.grantor_org_id] = row.id
            windows[row.grantor_org_id] = (row.data_from, row.data_to)
    return found, windows


NO_EXPORTER_DATA = "none"
"""The basis of a delivery of an event that carries no exporter data (``OTHER_EVENTS``)."""


def receive_basis(
    session: Session,
    *,
    reader_org_id: int,
    reader_kind: str,
    exporter_org_id: int,
    event_type: str,
    occurred_on: date,
    now: datetime,
) -> str | None:
    """Why another organisation's webhook endpoint may receive an exporter's event
    [domain CS-17] — own, none (no exporter data), contract, or the consent's id — or None
    when no consent covers it (the refused read the access log records [domain CS-8]).
    The valid consents are asked once per session and (reader, scope, purpose).
    """
    if reader_org_id == exporter_org_id:
        return OWN
    read = EVENT_READS.get(event_type)
    if read is None:
        return NO_EXPORTER_DATA if event_type in OTHER_EVENTS else None
    if contract_covers(reader_kind, read.scope, read.purpose):
        return CONTRACT
    key = (reader_org_id, read.scope, read.purpose)
    cache: dict[tuple[int, Scope, Purpose], tuple[dict[int, int], dict[int, Window]]]
    cache = session.info.setdefault(_EVENT_CACHE, {})
    if key not in cache:
        cache[key] = _valid_consents(session, reader_org_id, read.scope, read.purpose, now)
    found, windows = cache[key]
    if exporter_org_id not in found:
        return None
    low, high = windows[exporter_org_id]
    if (low is None or occurred_on >= low) and (high is None or occurred_on <= high):
        return str(found[exporter_org_id])
    return None


def may_receive(
    session: Session,
    *,
    reader_org_id: int,
    reader_kind: str,
    exporter_org_id: int,
    event_type: str,
    occurred_on: date,
    now: datetime,
) -> bool:
    """Whether another organisation's webhook endpoint may receive an exporter's event
    [domain CS-17]: events without exporter data always, the rest under the policy
    contract's consent or a valid consent whose data window holds the event's date
    (:func:`receive_basis`).
    """
    return (
        receive_basis(
            session,
            reader_org_id=reader_org_id,
            reader_kind=reader_kind,
            exporter_org_id=exporter_org_id,
            event_type=event_type,
            occurred_on=occurred_on,
            now=now,
        )
        is not None
    )


def terms_of(row: Consent) -> ConsentTerms:
    """The pure terms of a consent row."""
    return ConsentTerms(
        grantor_org_id=row.grantor_org_id,
        grantee_org_id=row.grantee_org_id,
        scopes=frozenset(Scope(s) for s in row.scopes),
        purposes=frozenset(Purpose(p) for p in row.purposes),
        data_from=row.data_from,
        data_to=row.data_to,
        expires_at=row.expires_at,
    )


def readable(
    session: Session,
    principal: Principal,
    scope: Scope,
    purpose: Purpose,
    *,
    refuse_empty: bool = True,
    now: datetime | None = None,
) -> Readable:
    """The exporters whose ``scope`` data ``principal`` may read for ``purpose``
    [domain CS-6]; :class:`ConsentRequired` when it may read nobody's but its own
    (unless ``refuse_empty`` is False) and is not an exporter reading its own data.
    """
    key = (principal.org_id, scope, purpose)
    cache: dict[tuple[int, Scope, Purpose], Readable] = session.info.setdefault(_CACHE, {})
    if key in cache:
        return cache[key]
    if principal.org_kind is OrganisationKind.EXPORTER:
        answer = Readable(principal, scope, purpose, everyone=False)
    elif contract_covers(principal.org_kind.value, scope, purpose):
        answer = Readable(principal, scope, purpose, everyone=True)
    else:
        found, windows = _valid_consents(
            session, principal.org_id, scope, purpose, now or utc_now()
        )
        if not found and refuse_empty:
            raise ConsentRequired(scope, purpose, principal)
        answer = Readable(
            principal, scope, purpose, everyone=False, consents=found, windows=windows
        )
    cache[key] = answer
    return answer


def require(
    session: Session,
    principal: Principal,
    exporter_org_id: int,
    scope: Scope,
    purpose: Purpose,
    *,
    now: datetime | None = None,
) -> str:
    """Allow one read of ``exporter_org_id``'s ``scope`` data for ``purpose`` or raise
    :class:`ConsentRequired` [domain CS-6]; returns the basis (own, contract, or the
    consent's id).  An exporter reading another exporter's data is not this guard's
    business: the organisation check refuses it first (as not found).
    """
    if exporter_org_id == principal.org_id:
        return OWN
    answer = readable(session, principal, scope, purpose, refuse_empty=False, now=now)
    if not answer.allows(exporter_org_id):
        raise ConsentRequired(scope, purpose, principal, exporter_org_id)
    return answer.basis(exporter_org_id)


def open_read(session: Session, answer: Readable) -> None:
    """Leave the guard's answer of the read a request is making on its session: the
    repositories widen their lists with it (:func:`visible`).
    """
    session.info[_OPEN] = answer


def visible(
    session: Session,
    principal: Principal,
    column: InstrumentedAttribute[int],
    day: InstrumentedAttribute[date] | None = None,
) -> ColumnElement[bool]:
    """The rows a bank, co-insurer or subsidy programme may list [domain CS-14]: its own
    organisation's OR those of the exporters that granted it a valid consent for the
    scope and purpose of the read under way (the one its route declares), within each
    consent's data window; only its own when no consented read is open.
    """
    answer: Readable | None = session.info.get(_OPEN)
    if answer is None or answer.reader.org_id != principal.org_id or not answer.consents:
        return column == principal.org_id
    return answer.windowed(column, day)


def may_see(
    session: Session, principal: Principal, exporter_org_id: int, day: date | None = None
) -> bool:
    """Whether a bank, co-insurer or subsidy programme may see one record of
    ``exporter_org_id`` dated ``day`` [domain CS-14] (same answer as :func:`visible`).
    """
    if exporter_org_id == principal.org_id:
        return True
    answer: Readable | None = session.info.get(_OPEN)
    if answer is None or answer.reader.org_id != principal.org_id:
        return False
    return exporter_org_id in answer.consents and answer.in_window(exporter_org_id, day)


def forget(session: Session) -> None:
    """Drop the session's cached answers (after a consent changed in it)."""
    session.info.pop(_CACHE, None)


def exporters_of(rows: Iterable[object]) -> set[int]:
    """The exporters whose data ``rows`` are (by their exporter or organisation column)."""
    found: set[int] = set()
    for row in rows:
        org = exporter_of(row)
        if org is not None:
            found.add(org)
    return found


EXPORTER_COLUMNS = ("exporter_org_id", "insured_org_id", "org_id")
"""The attributes that name the exporter a record belongs to, in order of preference."""


def exporter_of(row: object) -> int | None:
    """The exporter ``row`` belongs to, or None when it names none."""
    for name in EXPORTER_COLUMNS:
        value = getattr(row, name, None)
        if isinstance(value, int):
            return value
    return None
