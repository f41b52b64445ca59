"""Where each role starts: the pages it works on, each with what it does there.

A link is listed only for the roles that may open it (no link leads to a refusal page);
the labels and descriptions are marked for translation and translated by the template.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tradecover.access import Permission, Role
from tradecover.web.i18n import N_

_INSURER = frozenset(
    {Role.ADMIN, Role.UNDERWRITER, Role.RISK_MANAGER, Role.CLAIMS_HANDLER, Role.FINANCE}
)
_EVERYONE = frozenset(Role)


@dataclass(frozen=True, slots=True)
class Start:
    """A page a role works on: where, its name and what one does there."""

    path: str
    label: str
    purpose: str
    roles: frozenset[Role]
    permission: Permission | None = None


STARTS: tuple[Start, ...] = (
    Start(
        "/limits",
        N_("Credit limits"),
        N_("Decide limit applications and follow their use."),
        frozenset({Role.ADMIN, Role.UNDERWRITER, Role.RISK_MANAGER}),
        Permission.LIMIT_READ,
    ),
    Start(
        "/limits",
        N_("Credit limits"),
        N_("Apply for a limit on a buyer and see what is available."),
        frozenset({Role.EXPORTER}),
        Permission.LIMIT_READ,
    ),
    Start(
        "/declarations",
        N_("Declarations"),
        N_("Declare shipments and see which are covered."),
        frozenset({Role.EXPORTER}),
        Permission.DECLARATION_READ,
    ),
    Start(
        "/feeds",
        N_("Automatic attachment"),
        N_("Confirm shipments received from customs and e-invoices; fix quarantined documents."),
        frozenset({Role.EXPORTER}),
        Permission.DECLARATION_READ,
    ),
    Start(
        "/feeds/exposure",
        N_("Automatic attachment"),
        N_("Exposure per buyer as shipments attach."),
        _INSURER,
        Permission.DECLARATION_READ,
    ),
    Start(
        "/risk",
        N_("Risk"),
        N_("Exposure by country, sector and buyer; run the portfolio simulation."),
        frozenset({Role.ADMIN, Role.RISK_MANAGER}),
        Permission.RISK_READ,
    ),
    Start(
        "/claims",
        N_("Claims"),
        N_("Check, decide and pay claims against their speed targets."),
        frozenset({Role.ADMIN, Role.CLAIMS_HANDLER, Role.FINANCE}),
        Permission.CLAIM_READ,
    ),
    Start(
        "/claims",
        N_("Claims"),
        N_("File a claim and follow where it stands."),
        frozenset({Role.EXPORTER}),
        Permission.CLAIM_READ,
    ),
    Start(
        "/claims-speed",
        N_("Claims speed"),
        N_("How fast claims are decided and paid, month by month."),
        frozenset({Role.ADMIN, Role.CLAIMS_HANDLER}),
        Permission.CLAIM_READ,
    ),
    Start(
        "/billing",
        N_("Billing"),
        N_("Premium notices, payments and arrears."),
        frozenset({Role.ADMIN, Role.FINANCE, Role.EXPORTER}),
        Permission.BILLING_READ,
    ),
    Start(
        "/policies",
        N_("Policies"),
        N_("Policies, their schedules, endorsements and renewals."),
        _EVERYONE,
        Permission.POLICY_READ,
    ),
    Start(
        "/consents",
        N_("Data and consents"),
        N_("Who may see which data, for what, and who read it."),
        _EVERYONE,
    ),
    Start(
        "/account/mail",
        N_("E-mail"),
        N_("Choose which notices reach you by e-mail."),
        _EVERYONE,
    ),
)
"""Every start, in the order a home lists them."""


def start_links(role: Role, may: Callable[[Permission], bool]) -> list[Start]:
    """The starts of ``role`` that it may open (``may`` answers for its permissions)."""
    return [s for s in STARTS if role in s.roles and (s.permission is None or may(s.permission))]
