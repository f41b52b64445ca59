"""Use cases of e-mail: preferences, and the relay that mails the outbox's events by SMTP.

The relay keeps its own cursor in the outbox (the webhook relay has its own), reads the
events after it in order, mails each mailed type to the active people of the event's
organisation who did not opt out, in their language (the dashboard's compiled Babel
catalogs), and moves the cursor in the same transaction.  An SMTP failure rolls the batch
back: it is mailed again next time.  The e-mail of a premium notice (``notice.issued``)
carries the notice's PDF and that of a claim decision (``claim.decided``) the decision
letter, each rendered once per language by the owning context, read as the event's
organisation would read it (a notice or claim it cannot see, or no longer finds, goes
without the PDF).
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations
from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover import billing, claims
from tradecover.access import (
    OrganisationKind,
    Permission,
    Principal,
    Role,
    active_people_of,
    organisation_of,
)
from tradecover.events import CATALOG, OutboxEntry, events_after
from tradecover.kit.errors import NotFound, ValidationFailed
from tradecover.kit.pdf import MEDIA_TYPE
from tradecover.mail.messages import MAILED_TYPES, WITH_PDF, Translate, compose, mail_kinds
from tradecover.mail.model import MailCursor, MailPreference

CURSOR = "mail"
CATALOGS = Path(__file__).resolve().parents[1] / "web" / "locale"
"""The compiled catalogs the dashboard uses too (``<code>/LC_MESSAGES/messages.mo``)."""


@lru_cache(maxsize=8)
def _catalog(locale: str) -> NullTranslations:
    path = CATALOGS / locale / "LC_MESSAGES" / "messages.mo"
    if not path.is_file():
        return NullTranslations()  # English: the messages themselves
    with path.open("rb") as handle:
        return Translations(fp=handle, domain="messages")


def translate_to(locale: str) -> Translate:
    """The translation function of ``locale`` (English when it has no catalog)."""
    return _catalog(locale).gettext


def preferences_of(session: Session, *, principal: Principal) -> dict[str, bool]:
    """The signed-in person's choice for each mailed event type (sent unless opted out)."""
    principal.require(Permission.ORG_READ)
    if principal.user_id is None:
        raise ValidationFailed("e-mail preferences are a person's", field="user")
    rows = session.execute(
        select(MailPreference.event_type, MailPreference.enabled).where(
            MailPreference.user_id == principal.user_id
        )
    )
    chosen: dict[str, bool] = {str(row[0]): bool(row[1]) for row in rows}
    return {kind: chosen.get(kind, True) for kind in mail_kinds()}


@dataclass(frozen=True)
class Smtp:
    """Where the e-mail goes out, and from whom."""

    host: str = "127.0.0.1"
    port: int = 25
    sender: str = "tradecover <no-reply@tradecover.example>"


def set_preference(
    session: Session, *, principal: Principal, event_type: str, enabled: bool
) -> None:
    """The signed-in person chooses whether to receive the e-mails of ``event_type``."""
    principal.require(Permission.ORG_READ)
    if principal.user_id is None:
        raise ValidationFailed("e-mail preferences are a person's", field="user")
    if event_type not in CATALOG or event_type not in MAILED_TYPES:
        raise ValidationFailed(f"{event_type} is not sent by e-mail", field="event_type")
    row = session.scalar(
        select(MailPreference).where(
            MailPreference.user_id == principal.user_id, MailPreference.event_type == event_type
        )
    )
    if row is None:
        session.add(
            MailPreference(user_id=principal.user_id, event_type=event_type, enabled=enabled)
        )
    else:
        row.enabled = enabled


def mail_pending(session: Session, smtp: Smtp, *, limit: int = 500) -> int:
    """Mail the events after the cursor (up to ``limit``); return how many e-mails went."""
    return mail_batch(session, smtp, limit=limit)[1]


def mail_batch(session: Session, smtp: Smtp, *, limit: int = 500) -> tuple[int, int]:
    """Mail the events after the cursor (up to ``limit``); return how many events were
    read (0: nothing is pending) and how many e-mails went.
    """
    cursor = session.get(MailCursor, CURSOR, with_for_update=True)
    if cursor is None:
        cursor = MailCursor(name=CURSOR, last_sequence=0)
        session.add(cursor)
    entries = events_after(session, sequence=cursor.last_sequence, limit=limit)
    if not entries:
        return 0, 0
    outgoing: list[EmailMessage] = []
    pdfs: dict[tuple[int, str], tuple[str, bytes] | None] = {}
    for entry in entries:
        if entry.event_type not in MAILED_TYPES:
            continue
        opted_out = select(MailPreference.user_id).where(
            MailPreference.event_type == entry.event_type, MailPreference.enabled.is_(False)
        )
        people = active_people_of(session, entry.org_id, excluding=opted_out)
        for email, locale in people:
            message = compose(entry.event_type, entry.payload, translate_to(locale))
            if message is None:
                continue
            mail = EmailMessage()
            mail["From"], mail["To"], mail["Subject"] = smtp.sender, email, message.subject
            mail.set_content(message.body)
            mail["Content-Language"] = locale.replace("_", "-")  # set_content drops it
            if entry.event_type in WITH_PDF:
                if (entry.sequence, locale) not in pdfs:
                    pdfs[entry.sequence, locale] = pdf_of(session, entry, locale)
                attachment = pdfs[entry.sequence, locale]
                if attachment is not None:
                    name, content = attachment
                    maintype, subtype = MEDIA_TYPE.split("/")
                    mail.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
            outgoing.append(mail)
    if outgoing:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as server:
            for mail in outgoing:
                server.send_message(mail)
    cursor.last_sequence = entries[-1].sequence
    return len(entries), len(outgoing)


def pdf_of(session: Session, entry: OutboxEntry, locale: str) -> tuple[str, bytes] | None:
    """The file name and PDF that the e-mail of ``entry`` carries in ``locale``, read as
    the event's organisation (None: the event has no PDF, or the thing is not found).
    """
    org = organisation_of(session, entry.org_id)
    if org is None or org.kind is not OrganisationKind.EXPORTER:
        return None
    reader = Principal(
        actor="system:mail", org_id=org.id, org_slug=org.slug, org_kind=org.kind, role=Role.EXPORTER
    )
    translate = translate_to(locale)
    try:
        if entry.event_type == "notice.issued":
            return billing.notice_pdf_of(
                session,
                principal=reader,
                notice_id=int(entry.payload["notice_id"]),
                locale=locale,
                translate=translate,
            )
        if entry.event_type == "claim.decided":
            return claims.decision_pdf_of(
                session,
                principal=reader,
                claim_id=int(entry.payload["claim_id"]),
                locale=locale,
                translate=translate,
            )
    except NotFound:
        return None
    return None
