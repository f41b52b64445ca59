"""The document registry's use cases: issue a registered PDF, verify a held one.

:func:`issue` is called by the context that lays a document out (a premium notice, a
claim decision, a policy schedule...), inside the reader's transaction: it gives the
document its number, has the context render the PDF with that number on it, keeps the
SHA-256 of the bytes and records the issue in the organisation's audit chain, all in the
same transaction [domain DOC-1, DOC-2].  Downloading the same document in the same
language again reuses the stored number when the rendered bytes are identical (the PDFs
render deterministically), so a download that changes nothing writes nothing [domain DOC-4].

:func:`verify` answers whether a number and a file (or its hash) match [domain DOC-3].
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover import audit
from tradecover.documents.model import IssuedDocument
from tradecover.documents.registry import (
    DocumentKind,
    InvalidDocumentNumber,
    Registered,
    Verdict,
    content_hash,
    document_number,
    normalise_hash,
    normalise_number,
    verdict_of,
)
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import ValidationFailed

ENTITY = "document"
ISSUED = "document.issued"


@dataclass(frozen=True, slots=True)
class IssuedPdf:
    """A registered document's number and bytes (``reused``: an earlier issue's number)."""

    number: str
    content: bytes
    reused: bool = False


def _latest(
    session: Session, kind: DocumentKind, subject_id: int, locale: str
) -> IssuedDocument | None:
    return session.execute(
        select(IssuedDocument)
        .where(
            IssuedDocument.kind == kind.value,
            IssuedDocument.subject_id == subject_id,
            IssuedDocument.locale == locale,
            IssuedDocument.sha256.is_not(None),
        )
        .order_by(IssuedDocument.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def issue(
    session: Session,
    *,
    kind: DocumentKind,
    subject_id: int,
    org_id: int,
    locale: str,
    actor: str,
    render: Callable[[str], bytes],
) -> IssuedPdf:
    """The registered PDF of ``kind`` about ``subject_id`` in ``locale``: ``render`` lays
    it out with the number it is given [domain DOC-1, DOC-2, DOC-4].
    """
    latest = _latest(session, kind, subject_id, locale)
    if latest is not None and latest.number is not None:
        content = render(latest.number)
        if content_hash(content) == latest.sha256:
            return IssuedPdf(latest.number, content, reused=True)
    now = utc_now()
    row = IssuedDocument(
        kind=kind.value,
        subject_id=subject_id,
        locale=locale,
        org_id=org_id,
        issued_at=now,
        issued_by=actor[:64],
        size_bytes=0,
    )
    session.add(row)
    session.flush()
    number = document_number(now.year, row.id)
    content = render(number)
    row.number, row.sha256, row.size_bytes = number, content_hash(content), len(content)
    audit.record(
        session,
        org_id=org_id,
        actor=actor,
        action=ISSUED,
        entity_type=ENTITY,
        entity_id=number,
        at=now,
        after={
            "number": number,
            "kind": kind.value,
            "subject_id": subject_id,
            "locale": locale,
            "sha256": row.sha256,
            "size_bytes": row.size_bytes,
        },
    )
    return IssuedPdf(number, content)


def verify(
    session: Session, *, number: str, content: bytes | None = None, sha256: str | None = None
) -> Verdict:
    """Whether ``number`` was issued with exactly these bytes (``content``) or this SHA-256;
    the kind and date of issue only when genuine [domain DOC-3].
    """
    try:
        canonical = normalise_number(number)
    except InvalidDocumentNumber:
        raise ValidationFailed(
            "A document number reads DOC-2026-000123.",
            code="document_number_invalid",
            field="number",
        ) from None
    if content is not None:
        digest: str | None = content_hash(content)
    else:
        digest = normalise_hash(sha256 or "")
    if digest is None:
        raise ValidationFailed(
            "Give the document's file or its SHA-256 (64 hexadecimal digits).",
            code="document_hash_invalid",
            field="sha256",
        )
    row = session.execute(
        select(IssuedDocument).where(IssuedDocument.number == canonical)
    ).scalar_one_or_none()
    registered = (
        None
        if row is None or row.sha256 is None
        else Registered(canonical, DocumentKind(row.kind), row.sha256, row.issued_at.date())
    )
    return verdict_of(canonical, digest, registered)


def issued_documents(session: Session, *, org_id: int | None = None) -> list[IssuedDocument]:
    """The registered documents (of one organisation), newest first."""
    query = select(IssuedDocument).where(IssuedDocument.sha256.is_not(None))
    if org_id is not None:
        query = query.where(IssuedDocument.org_id == org_id)
    return list(session.execute(query.order_by(IssuedDocument.id.desc())).scalars())
