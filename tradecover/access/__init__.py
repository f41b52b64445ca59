"""Organisations, people, roles, API keys and sign-in: who may see and do what.

The public face other contexts use.  Pure names (:class:`Principal`, :class:`Permission`,
:class:`Role`, :class:`OrganisationKind`, the role rules) are imported eagerly; the use
cases and queries that need the database (:func:`system_principal`, :func:`org_by_slug`,
:func:`organisation_of`, ...) load on first use.
"""

from typing import TYPE_CHECKING

from tradecover.access.principal import Principal
from tradecover.access.roles import (
    PERMISSIONS,
    OrganisationKind,
    Permission,
    Role,
    check_role_for_kind,
    require,
)
from tradecover.kit.public_face import lazy_exports

if TYPE_CHECKING:
    from tradecover.access.organisations import OrganisationFacts as OrganisationFacts
    from tradecover.access.organisations import count_organisations as count_organisations
    from tradecover.access.organisations import has_user as has_user
    from tradecover.access.organisations import list_organisations as list_organisations
    from tradecover.access.organisations import organisation_of as organisation_of
    from tradecover.access.organisations import organisations_by_slug as organisations_by_slug
    from tradecover.access.organisations import organisations_of as organisations_of
    from tradecover.access.service import create_api_key as create_api_key
    from tradecover.access.service import create_organisation as create_organisation
    from tradecover.access.service import create_user as create_user
    from tradecover.access.service import insurer as insurer
    from tradecover.access.service import org_by_slug as org_by_slug
    from tradecover.access.service import revoke_api_key as revoke_api_key
    from tradecover.access.service import system_principal as system_principal

_LAZY = {
    "OrganisationFacts": "organisations",
    "count_organisations": "organisations",
    "create_api_key": "service",
    "create_organisation": "service",
    "create_user": "service",
    "has_user": "organisations",
    "insurer": "service",
    "list_organisations": "organisations",
    "org_by_slug": "service",
    "organisation_of": "organisations",
    "organisations_by_slug": "organisations",
    "organisations_of": "organisations",
    "revoke_api_key": "service",
    "system_principal": "service",
}
__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "PERMISSIONS",
    "OrganisationFacts",
    "OrganisationKind",
    "Permission",
    "Principal",
    "Role",
    "check_role_for_kind",
    "count_organisations",
    "create_api_key",
    "create_organisation",
    "create_user",
    "has_user",
    "insurer",
    "list_organisations",
    "org_by_slug",
    "organisation_of",
    "organisations_by_slug",
    "organisations_of",
    "require",
    "revoke_api_key",
    "system_principal",
]
