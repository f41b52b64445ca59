"""E-mail: the outbox's events mailed by SMTP in the recipient's language, by preference.

Pure names (the messages) are imported eagerly; the use cases lazily
(:mod:`tradecover.kit.public_face`).
"""

from typing import TYPE_CHECKING

from tradecover.kit.public_face import lazy_exports
from tradecover.mail.messages import MAILED_TYPES, MailKind, Message, compose, mail_kinds

if TYPE_CHECKING:
    from tradecover.mail.service import Smtp as Smtp
    from tradecover.mail.service import mail_batch as mail_batch
    from tradecover.mail.service import mail_pending as mail_pending
    from tradecover.mail.service import preferences_of as preferences_of
    from tradecover.mail.service import set_preference as set_preference

_LAZY = {
    "Smtp": "service",
    "mail_batch": "service",
    "mail_pending": "service",
    "preferences_of": "service",
    "set_preference": "service",
}
__getattr__ = lazy_exports(__name__, _LAZY)
__all__ = [
    "MAILED_TYPES",
    "MailKind",
    "Message",
    "Smtp",
    "compose",
    "mail_batch",
    "mail_kinds",
    "mail_pending",
    "preferences_of",
    "set_preference",
]
