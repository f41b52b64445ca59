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
    from tradecover.access.known_keys import KEY_ROW_VALUE_SQL as KEY_ROW_VALUE_SQL
    from tradecover.access.known_keys import KnownApiKeys as KnownApiKeys
    from tradecover.access.known_keys import key_row_parameters as key_row_parameters
    from tradecover.access.repository import OrganisationFacts as OrganisationFacts
    from tradecover.access.repository import active_people_of as active_people_of
    from tradecover.access.repository import count_organisations as count_organisations
    from tradecover.access.repository import has_user as has_user
    from tradecover.access.repository import list_organisations as list_organisations
    from tradecover.access.repository import organisation_ids_like as organisation_ids_like
    from tradecover.access.repository import organisation_of as organisation_of
    from tradecover.access.repository import organisations_by_slug as organisations_by_slug
    from tradecover.access.repository import organisations_of as organisations_of
    from tradecover.access.service import API_KEY_LOOKUP as API_KEY_LOOKUP
    from tradecover.access.service import api_key_rows as api_key_rows
    from tradecover.access.service import create_api_key as create_api_key
    from tradecover.access.service import create_organisation as create_organisation
    from tradecover.access.service import create_user as create_user
    from tradecover.access.service import insurer as insurer
    from tradecover.access.service import org_by_slug as org_by_slug
    from tradecover.access.service import principal_of_key_rows as principal_of_key_rows
    from tradecover.access.service import revoke_api_key as revoke_api_key
    from tradecover.access.service import system_principal as system_principal

_LAZY = {
    "api_key_rows": "service",
    "KEY_ROW_VALUE_SQL": "known_keys",
    "KnownApiKeys": "known_keys",
    "key_row_parameters": "known_keys",
    "API_KEY_LOOKUP": "service",
    "principal_of_key_rows": "service",
    "active_people_of": "repository",
    "organisation_ids_like": "repository",
    "OrganisationFacts": "repository",
    "count_organisations": "repository",
    "create_api_key": "service",
    "create_organisation": "service",
    "create_user": "service",
    "has_user": "repository",
    "insurer": "service",
    "list_organisations": "repository",
    "org_by_slug": "service",
    "organisation_of": "repository",
    "organisations_by_slug": "repository",
    "organisations_of": "repository",
    "revoke_api_key": "service",
    "system_principal": "service",
}
__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "API_KEY_LOOKUP",
    "KEY_ROW_VALUE_SQL",
    "PERMISSIONS",
    "KnownApiKeys",
    "OrganisationFacts",
    "OrganisationKind",
    "Permission",
    "Principal",
    "Role",
    "active_people_of",
    "api_key_rows",
    "check_role_for_kind",
    "count_organisations",
    "create_api_key",
    "create_organisation",
    "create_user",
    "has_user",
    "insurer",
    "key_row_parameters",
    "list_organisations",
    "org_by_slug",
    "organisation_ids_like",
    "organisation_of",
    "organisations_by_slug",
    "organisations_of",
    "principal_of_key_rows",
    "require",
    "revoke_api_key",
    "system_principal",
]
