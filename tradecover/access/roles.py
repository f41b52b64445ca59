"""Organisation kinds, roles and the permissions each role holds (pure rules)."""

from __future__ import annotations

from enum import StrEnum

from tradecover.kit.errors import PermissionDenied, ValidationFailed


class OrganisationKind(StrEnum):
    """The kinds of organisation that use tradecover."""

    INSURER = "insurer"
    EXPORTER = "exporter"
    BANK = "bank"
    SUBSIDY_PROGRAMME = "subsidy_programme"
    COINSURER = "coinsurer"


class Role(StrEnum):
    """A user's or API key's role; insurer roles only exist in the insurer organisation."""

    ADMIN = "admin"
    UNDERWRITER = "underwriter"
    RISK_MANAGER = "risk_manager"
    CLAIMS_HANDLER = "claims_handler"
    FINANCE = "finance"
    EXPORTER = "exporter"
    BANK = "bank"
    PROGRAMME = "programme"
    COINSURER = "coinsurer"


class Permission(StrEnum):
    """An action a role may take; use cases ask for exactly one."""

    ORG_READ = "org:read"
    ORG_ADMIN = "org:admin"
    APIKEY_ADMIN = "apikey:admin"
    EXPORTER_PROFILE_WRITE = "exporter_profile:write"
    POLICY_READ = "policy:read"
    POLICY_APPLY = "policy:apply"
    POLICY_UNDERWRITE = "policy:underwrite"
    POLICY_ACCEPT = "policy:accept"
    POLICY_TERMINATE_INSURED = "policy:terminate_insured"
    POLICY_TERMINATE_INSURER = "policy:terminate_insurer"
    POLICY_JOBS = "policy:jobs"
    REFERENCE_EDIT = "reference:edit"
    RATE_TABLE_EDIT = "rate_table:edit"
    PREMIUM_MANAGE = "premium:manage"
    AUDIT_READ = "audit:read"
    BUYER_READ = "buyer:read"
    BUYER_REGISTER = "buyer:register"
    BUYER_ASSESS = "buyer:assess"
    BUYER_REVIEW = "buyer:review"
    LIMIT_READ = "limit:read"
    LIMIT_APPLY = "limit:apply"
    LIMIT_DECIDE = "limit:decide"
    LIMIT_MANAGE = "limit:manage"
    RISK_READ = "risk:read"
    RISK_RUN = "risk:run"
    DECLARATION_READ = "declaration:read"
    DECLARATION_WRITE = "declaration:write"
    BILLING_READ = "billing:read"
    BILLING_MANAGE = "billing:manage"
    SUBSIDY_READ = "subsidy:read"
    SUBSIDY_MANAGE = "subsidy:manage"
    LEDGER_READ = "ledger:read"
    CLAIM_READ = "claim:read"
    CLAIM_FILE = "claim:file"
    CLAIM_DECIDE = "claim:decide"
    CLAIM_PAY = "claim:pay"
    COLLECTION_WRITE = "collection:write"


ROLES_BY_KIND: dict[OrganisationKind, frozenset[Role]] = {
    OrganisationKind.INSURER: frozenset(
        {Role.ADMIN, Role.UNDERWRITER, Role.RISK_MANAGER, Role.CLAIMS_HANDLER, Role.FINANCE}
    ),
    OrganisationKind.EXPORTER: frozenset({Role.EXPORTER}),
    OrganisationKind.BANK: frozenset({Role.BANK}),
    OrganisationKind.SUBSIDY_PROGRAMME: frozenset({Role.PROGRAMME}),
    OrganisationKind.COINSURER: frozenset({Role.COINSURER}),
}

_INSURER_READ = {
    Permission.ORG_READ,
    Permission.POLICY_READ,
    Permission.AUDIT_READ,
    Permission.BUYER_READ,
    Permission.LIMIT_READ,
    Permission.DECLARATION_READ,
    Permission.BILLING_READ,
    Permission.SUBSIDY_READ,
}

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.UNDERWRITER: frozenset(
        _INSURER_READ
        | {
            Permission.POLICY_UNDERWRITE,
            Permission.POLICY_TERMINATE_INSURER,
            Permission.EXPORTER_PROFILE_WRITE,
            Permission.RATE_TABLE_EDIT,
            Permission.PREMIUM_MANAGE,
            Permission.BUYER_REGISTER,
            Permission.BUYER_ASSESS,
            Permission.LIMIT_DECIDE,
            Permission.LIMIT_MANAGE,
        }
    ),
    Role.RISK_MANAGER: frozenset(
        _INSURER_READ
        | {
            Permission.REFERENCE_EDIT,
            Permission.RATE_TABLE_EDIT,
            Permission.BUYER_REGISTER,
            Permission.BUYER_ASSESS,
            Permission.BUYER_REVIEW,
            Permission.LIMIT_MANAGE,
            Permission.RISK_READ,
            Permission.RISK_RUN,
        }
    ),
    Role.CLAIMS_HANDLER: frozenset(
        _INSURER_READ | {Permission.CLAIM_READ, Permission.CLAIM_DECIDE}
    ),
    Role.FINANCE: frozenset(
        _INSURER_READ
        | {
            Permission.POLICY_TERMINATE_INSURER,
            Permission.PREMIUM_MANAGE,
            Permission.BILLING_MANAGE,
            Permission.SUBSIDY_MANAGE,
            Permission.LEDGER_READ,
            Permission.CLAIM_READ,
            Permission.CLAIM_PAY,
        }
    ),
    Role.EXPORTER: frozenset(
        {
            Permission.ORG_READ,
            Permission.POLICY_READ,
            Permission.POLICY_APPLY,
            Permission.POLICY_ACCEPT,
            Permission.POLICY_TERMINATE_INSURED,
            Permission.EXPORTER_PROFILE_WRITE,
            Permission.AUDIT_READ,
            Permission.BUYER_READ,
            Permission.BUYER_REGISTER,
            Permission.LIMIT_READ,
            Permission.LIMIT_APPLY,
            Permission.DECLARATION_READ,
            Permission.DECLARATION_WRITE,
            Permission.BILLING_READ,
            Permission.CLAIM_READ,
            Permission.CLAIM_FILE,
            Permission.COLLECTION_WRITE,
        }
    ),
    # what they read of an exporter's data needs its consent too [domain CS-14]
    Role.BANK: frozenset({Permission.ORG_READ, Permission.DECLARATION_READ, Permission.LIMIT_READ}),
    Role.PROGRAMME: frozenset(
        {
            Permission.ORG_READ,
            Permission.SUBSIDY_READ,
            Permission.POLICY_READ,
            Permission.BILLING_READ,
        }
    ),
    Role.COINSURER: frozenset({Permission.ORG_READ, Permission.POLICY_READ}),
}


def check_role_for_kind(role: Role, kind: OrganisationKind) -> None:
    """Refuse a role that does not belong to the organisation's kind."""
    if role not in ROLES_BY_KIND[kind]:
        allowed = ", ".join(sorted(ROLES_BY_KIND[kind]))
        raise ValidationFailed(
            f"role {role.value!r} is not available in a {kind.value} organisation "
            f"(allowed: {allowed})",
            code="role_not_allowed",
            field="role",
        )


_WHY_NOT: dict[Role, str] = {
    Role.COINSURER: (
        "a co-insurer follows the lead: the lead insurer decides limits and handles claims, "
        "a follower reads its share and approves large claims [domain CO-4]"
    ),
}
"""Why a role holds no more than it does, told with each refusal."""


def require(role: Role, permission: Permission) -> None:
    """Raise :class:`PermissionDenied` unless ``role`` holds ``permission``."""
    if permission not in PERMISSIONS[role]:
        why = f" ({_WHY_NOT[role]})" if role in _WHY_NOT else ""
        raise PermissionDenied(
            f"role {role.value!r} may not {permission.value}{why}", code="forbidden"
        )
