"""Service principals for tests that call use cases directly (as an API key would give)."""

from __future__ import annotations

from tests.conftest import Cast, Database
from tradecover.access import service as access
from tradecover.access.principal import Principal
from tradecover.access.roles import OrganisationKind, Role


def exporter_principal(db: Database, cast: Cast) -> Principal:
    """The exporter of ``cast`` as a service principal (actor ``apikey:test``)."""
    with db.factory() as s:
        org = access.org_by_slug(s, cast.exporter.org_slug)
        return Principal(
            actor="apikey:test",
            org_id=org.id,
            org_slug=org.slug,
            org_kind=OrganisationKind.EXPORTER,
            role=Role.EXPORTER,
        )
