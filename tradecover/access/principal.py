"""The authenticated caller: organisation and role come from the credential only."""

from __future__ import annotations

from dataclasses import dataclass

from tradecover.access.roles import OrganisationKind, Permission, Role, require


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is acting: a person (user) or a system (API key), always inside one organisation."""

    actor: str  # "user:12", "apikey:3", "system:cli"
    org_id: int
    org_slug: str
    org_kind: OrganisationKind
    role: Role
    user_id: int | None = None
    session_id: int | None = None  # the sign-in session of a person's access token

    @property
    def is_insurer(self) -> bool:
        """True for the insurer's own staff and systems."""
        return self.org_kind is OrganisationKind.INSURER

    def require(self, permission: Permission) -> None:
        """Raise unless this principal's role holds ``permission``."""
        require(self.role, permission)

    def can_see_org(self, org_id: int) -> bool:
        """Insurer staff see every organisation's business; others only their own."""
        return self.is_insurer or self.org_id == org_id
