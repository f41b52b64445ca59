"""The attachment terms of a policy: read them for a day, change them by endorsement.

Changing a policy's attachment model is an endorsement ([domain A-2]): the numbered
endorsement states the new terms and their effective date (through
:func:`~tradecover.policies.issuance.add_endorsement`, which checks who may endorse, the
policy's state and its term), the policy's history of terms gains the entry, and the
change is audited with the terms before and after, all in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover import audit
from tradecover.access import Permission, Principal
from tradecover.policies._common import _policy
from tradecover.policies.attachment_terms import (
    AttachmentTerms,
    TermsFrom,
    endorsed,
    history_from_list,
    history_to_list,
    terms_in_force,
)
from tradecover.policies.issuance import add_endorsement
from tradecover.policies.model import Endorsement, Policy
from tradecover.policies.schedule import DeclarationFrequency


@dataclass(frozen=True, slots=True)
class PolicyAttachment:
    """What automatic attachment reads of a policy on a day: its terms then, its
    declaration frequency (the confirmation deadline follows it) and its currency.
    """

    policy_id: int
    currency: str
    declaration_frequency: DeclarationFrequency
    terms: AttachmentTerms


def attachment_of_policy(session: Session, policy_id: int, on: date) -> PolicyAttachment:
    """Policy ``policy_id``'s attachment facts on ``on`` (for a use case of another context
    that already checked access; the policy must exist).
    """
    stored, currency, frequency = session.execute(
        select(Policy.attachment_terms, Policy.currency, Policy.declaration_frequency).where(
            Policy.id == policy_id
        )
    ).one()
    return PolicyAttachment(
        policy_id,
        currency,
        DeclarationFrequency(frequency),
        terms_in_force(history_from_list(stored), on),
    )


def active_currencies_of(session: Session, exporter_org_id: int, on: date) -> list[str]:
    """The currencies of the exporter's active policies whose term holds ``on``."""
    rows = session.execute(
        select(Policy.currency)
        .where(
            Policy.exporter_org_id == exporter_org_id,
            Policy.state == "active",
            Policy.inception <= on,
            Policy.expiry >= on,
        )
        .distinct()
        .order_by(Policy.currency)
    )
    return [str(c) for c in rows.scalars()]


def attachment_history(
    session: Session, *, principal: Principal, policy_id: int
) -> list[TermsFrom]:
    """The attachment terms a policy has had, oldest first (empty: individual throughout)."""
    principal.require(Permission.POLICY_READ)
    return history_from_list(_policy(session, principal, policy_id).attachment_terms)


def endorse_attachment_terms(
    session: Session,
    *,
    principal: Principal,
    policy_id: int,
    terms: AttachmentTerms,
    effective_date: date,
) -> Endorsement:
    """Change the policy's attachment terms from ``effective_date`` on, by endorsement
    ([domain A-2]); raises a domain error and writes nothing when it may not.
    """
    terms.validate()
    endorsement = add_endorsement(
        session,
        principal=principal,
        policy_id=policy_id,
        text=f"From {effective_date.isoformat()}: {terms.describe()}.",
        effective_date=effective_date,
    )
    policy = _policy(session, principal, policy_id)
    before = policy.attachment_terms
    history = endorsed(history_from_list(before), terms, effective_date)
    policy.attachment_terms = history_to_list(history)
    session.flush()
    audit.record(
        session,
        org_id=policy.exporter_org_id,
        actor=principal.actor,
        action="policy.attachment_terms_endorsed",
        entity_type="policy",
        entity_id=policy.id,
        before={"attachment_terms": before},
        after={"attachment_terms": policy.attachment_terms, "endorsement": endorsement.number},
    )
    return endorsement
