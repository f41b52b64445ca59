"""Remembered API keys: found only with the very key, at most ``size`` of them, and
confirmed only by a row that still stands for the same principal.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tradecover.access.known_keys import KnownApiKeys
from tradecover.access.principal import Principal
from tradecover.access.roles import OrganisationKind, Role
from tradecover.access.secrets import hash_api_key
from tradecover.kit.errors import AuthenticationFailed

SECRET = "tc_abc123_" + "s" * 40
PRINCIPAL = Principal(
    actor="apikey:7",
    org_id=3,
    org_slug="acme",
    org_kind=OrganisationKind.EXPORTER,
    role=Role.EXPORTER,
)


def _row(
    *,
    secret: str = SECRET,
    revoked: datetime | None = None,
    role: str = "exporter",
    org_id: int = 3,
) -> tuple[object, ...]:
    return (7, hash_api_key(secret), revoked, role, org_id, "acme", "exporter")


def test_only_the_very_key_finds_its_principal() -> None:
    known = KnownApiKeys()
    assert known.principal(SECRET) is None
    known.remember(SECRET, PRINCIPAL)
    assert known.principal(SECRET) == PRINCIPAL
    assert known.principal("tc_abc123_" + "x" * 40) is None  # same prefix, another key
    assert known.principal("not-a-key") is None
    known.forget(SECRET)
    assert known.principal(SECRET) is None


def test_the_least_recently_used_key_is_dropped_first() -> None:
    known = KnownApiKeys(size=2)
    secrets = [f"tc_p{i}_" + "s" * 40 for i in range(3)]
    known.remember(secrets[0], PRINCIPAL)
    known.remember(secrets[1], PRINCIPAL)
    assert known.principal(secrets[0]) == PRINCIPAL  # used: now the most recent
    known.remember(secrets[2], PRINCIPAL)
    assert [known.principal(s) is not None for s in secrets] == [True, False, True]


def test_only_a_row_that_still_stands_for_the_principal_confirms() -> None:
    assert KnownApiKeys.confirms([_row()], SECRET, PRINCIPAL)
    assert not KnownApiKeys.confirms([], SECRET, PRINCIPAL)
    assert not KnownApiKeys.confirms([_row(revoked=datetime.now(UTC))], SECRET, PRINCIPAL)
    assert not KnownApiKeys.confirms([_row(role="admin")], SECRET, PRINCIPAL)
    assert not KnownApiKeys.confirms([_row(org_id=4)], SECRET, PRINCIPAL)
    assert not KnownApiKeys.confirms([_row(secret="tc_abc123_" + "y" * 40)], SECRET, PRINCIPAL)


def test_a_key_read_afresh_is_remembered_anew_or_forgotten() -> None:
    known = KnownApiKeys()
    known.remember(SECRET, PRINCIPAL)
    admin = Principal(
        actor="apikey:7",
        org_id=3,
        org_slug="acme",
        org_kind=OrganisationKind.EXPORTER,
        role=Role.ADMIN,
    )
    assert known.renewed(SECRET, [_row(role="admin")]) == admin
    assert known.principal(SECRET) == admin
    with pytest.raises(AuthenticationFailed) as revoked:
        known.renewed(SECRET, [_row(revoked=datetime.now(UTC))])
    assert revoked.value.code == "api_key_revoked"
    assert known.principal(SECRET) is None
