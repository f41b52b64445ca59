"""The pure rules of consents: data categories, purposes, the status machine, who may do
what, what a valid consent covers, and the consent a policy contract grants by itself.

A consent is modelled on the account-access consent of UK Open Banking (the grantee asks,
the data owner authorises or rejects, either may revoke) and carries the purpose of an
ISO/IEC TS 27560 consent record ([003], [000]).  Every rule cites its anchor in
``docs/domain/consents.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from tradecover.kit.errors import IllegalTransition, PermissionDenied, ValidationFailed


class Scope(StrEnum):
    """A category of an exporter's data that a consent may open [domain CS-1]."""

    SHIPMENT_CORE = "shipment_core"
    BUYER_IDENTITY = "buyer_identity"
    GOODS_DESCRIPTION = "goods_description"
    LINE_ITEMS = "line_items"
    INVOICE_DOCUMENTS = "invoice_documents"
    CUSTOMS_DOCUMENTS = "customs_documents"
    ERP_BALANCES = "erp_balances"
    FINANCIAL_STATEMENTS = "financial_statements"
    PAYMENT_EXPERIENCE = "payment_experience"


class Purpose(StrEnum):
    """What the grantee may use the data for [domain CS-1]."""

    UNDERWRITING = "underwriting"
    COVER_ATTACHMENT = "cover_attachment"
    CLAIMS = "claims"
    PORTFOLIO_MONITORING = "portfolio_monitoring"
    FINANCING = "financing"
    SUBSIDY_ELIGIBILITY = "subsidy_eligibility"


class ConsentStatus(StrEnum):
    """Where a consent stands [domain CS-2]."""

    AWAITING_AUTHORISATION = "awaiting_authorisation"
    AUTHORISED = "authorised"
    REJECTED = "rejected"
    REVOKED = "revoked"
    EXPIRED = "expired"


class Party(StrEnum):
    """Which side of a consent an organisation is on."""

    GRANTOR = "grantor"
    GRANTEE = "grantee"


GRANTOR_KINDS = frozenset({"exporter"})
"""Organisation kinds that own exporter data and grant consents [domain CS-3]."""

GRANTEE_KINDS = frozenset({"insurer", "coinsurer", "bank", "subsidy_programme"})
"""Organisation kinds that may ask for and hold a consent [domain CS-3]."""

CONTRACT_SCOPES = frozenset({Scope.SHIPMENT_CORE, Scope.BUYER_IDENTITY, Scope.PAYMENT_EXPERIENCE})
"""What the policy contract itself opens to the insurer: declarations (shipment core and
buyer), premium and claims (payment experience) [domain CS-4]."""

CONTRACT_PURPOSES = frozenset({Purpose.UNDERWRITING, Purpose.COVER_ATTACHMENT, Purpose.CLAIMS})
"""The purposes of the policy contract's own consent [domain CS-4]."""

_MOVES: dict[tuple[ConsentStatus, str], ConsentStatus] = {
    (ConsentStatus.AWAITING_AUTHORISATION, "authorise"): ConsentStatus.AUTHORISED,
    (ConsentStatus.AWAITING_AUTHORISATION, "reject"): ConsentStatus.REJECTED,
    (ConsentStatus.AWAITING_AUTHORISATION, "revoke"): ConsentStatus.REVOKED,
    (ConsentStatus.AUTHORISED, "revoke"): ConsentStatus.REVOKED,
}
"""The status machine [domain CS-2]: the grantee asks, the grantor authorises or
rejects, either side revokes; rejected, revoked and expired are final."""

_WHO: dict[str, frozenset[Party]] = {
    "authorise": frozenset({Party.GRANTOR}),
    "reject": frozenset({Party.GRANTOR}),
    "revoke": frozenset({Party.GRANTOR, Party.GRANTEE}),
}
"""Who may take each move [domain CS-3]."""


@dataclass(frozen=True, slots=True)
class ConsentTerms:
    """What a consent opens: to whom, which data, for what, of which period, until when."""

    grantor_org_id: int
    grantee_org_id: int
    scopes: frozenset[Scope]
    purposes: frozenset[Purpose]
    data_from: date | None
    data_to: date | None
    expires_at: datetime


def parse_scopes(values: Iterable[str]) -> frozenset[Scope]:
    """The scopes named by ``values``; an unknown one or none at all is refused
    [domain CS-5].
    """
    out: set[Scope] = set()
    for value in values:
        try:
            out.add(Scope(value))
        except ValueError:
            known = ", ".join(s.value for s in Scope)
            raise ValidationFailed(
                f"unknown scope {value!r} (known: {known})", code="unknown_scope", field="scopes"
            ) from None
    if not out:
        raise ValidationFailed(
            "a consent names at least one scope", code="scope_missing", field="scopes"
        )
    return frozenset(out)


def parse_purposes(values: Iterable[str]) -> frozenset[Purpose]:
    """The purposes named by ``values``; an unknown one or none at all is refused
    [domain CS-5].
    """
    out: set[Purpose] = set()
    for value in values:
        try:
            out.add(Purpose(value))
        except ValueError:
            known = ", ".join(p.value for p in Purpose)
            raise ValidationFailed(
                f"unknown purpose {value!r} (known: {known})",
                code="unknown_purpose",
                field="purposes",
            ) from None
    if not out:
        raise ValidationFailed(
            "a consent names at least one purpose", code="purpose_missing", field="purposes"
        )
    return frozenset(out)


def check_terms(
    terms: ConsentTerms, *, grantor_kind: str, grantee_kind: str, now: datetime
) -> None:
    """Refuse terms that cannot make a consent [domain CS-5]: an expiry not in the
    future, a data window that ends before it starts, a grantor that owns no exporter data,
    a grantee kind that may not hold one, or a grant to oneself.
    """
    if terms.expires_at <= now:
        raise ValidationFailed(
            "the expiry must lie in the future", code="expiry_in_past", field="expires_at"
        )
    if terms.data_from and terms.data_to and terms.data_to < terms.data_from:
        raise ValidationFailed(
            "the data window ends before it starts", code="data_window_invalid", field="data_to"
        )
    if grantor_kind not in GRANTOR_KINDS:
        raise ValidationFailed(
            "only an exporter owns the data a consent opens",
            code="grantor_owns_no_data",
            field="grantor_org_id",
        )
    if grantee_kind not in GRANTEE_KINDS or terms.grantee_org_id == terms.grantor_org_id:
        raise ValidationFailed(
            f"a {grantee_kind} organisation cannot hold a consent to this exporter's data",
            code="grantee_not_allowed",
            field="grantee_org_id",
        )


def party_of(org_id: int, grantor_org_id: int, grantee_org_id: int) -> Party | None:
    """Which side ``org_id`` is on, or None for a third organisation."""
    if org_id == grantor_org_id:
        return Party.GRANTOR
    if org_id == grantee_org_id:
        return Party.GRANTEE
    return None


def move(status: ConsentStatus, action: str, party: Party | None) -> ConsentStatus:
    """The status after ``party`` takes ``action`` [domain CS-2] [domain CS-3]:
    a third organisation may do nothing, a move the machine does not know is refused.
    """
    if party is None or party not in _WHO[action]:
        raise PermissionDenied(
            f"only the {' or the '.join(sorted(p.value for p in _WHO[action]))} may {action} "
            "this consent",
            code="not_a_party",
        )
    after = _MOVES.get((status, action))
    if after is None:
        raise IllegalTransition(
            f"a consent that is {status.value} cannot be {action}d", code="consent_not_open"
        )
    return after


def effective_status(status: ConsentStatus, expires_at: datetime, now: datetime) -> ConsentStatus:
    """The status as of ``now``: an authorised or pending consent past its expiry has
    expired, whether or not the row says so yet [domain CS-2].
    """
    open_states = (ConsentStatus.AUTHORISED, ConsentStatus.AWAITING_AUTHORISATION)
    if status in open_states and expires_at <= now:
        return ConsentStatus.EXPIRED
    return status


def covers(
    terms: ConsentTerms, status: ConsentStatus, scope: Scope, purpose: Purpose, now: datetime
) -> bool:
    """Whether the consent lets its grantee read ``scope`` for ``purpose`` now
    [domain CS-6]: authorised, not expired, naming both.
    """
    return (
        effective_status(status, terms.expires_at, now) is ConsentStatus.AUTHORISED
        and scope in terms.scopes
        and purpose in terms.purposes
    )


def contract_covers(reader_kind: str, scope: Scope, purpose: Purpose) -> bool:
    """Whether the policy contract's own consent covers the read [domain CS-4]: the
    insurer reading what the policy needs (declarations, premium, claims) for the
    contract's purposes.  It cannot be revoked while the policy runs.
    """
    return reader_kind == "insurer" and scope in CONTRACT_SCOPES and purpose in CONTRACT_PURPOSES
