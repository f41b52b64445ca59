"""The pure rules of consents: parsing, terms, the status machine, coverage, the contract's
own consent [domain CS-1] [domain CS-2] [domain CS-3] [domain CS-4] [domain CS-5]."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tradecover.consents.rules import (
    CONTRACT_PURPOSES,
    CONTRACT_SCOPES,
    ConsentStatus,
    ConsentTerms,
    Party,
    Purpose,
    Scope,
    check_terms,
    contract_covers,
    covers,
    effective_status,
    move,
    parse_purposes,
    parse_scopes,
    party_of,
)
from tradecover.kit.errors import IllegalTransition, PermissionDenied, ValidationFailed

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def _terms(**changes: object) -> ConsentTerms:
    values: dict[str, object] = {
        "grantor_org_id": 2,
        "grantee_org_id": 5,
        "scopes": frozenset({Scope.SHIPMENT_CORE}),
        "purposes": frozenset({Purpose.FINANCING}),
        "data_from": None,
        "data_to": None,
        "expires_at": NOW + timedelta(days=30),
    }
    values.update(changes)
    return ConsentTerms(**values)  # type: ignore[arg-type]


def test_nine_scopes_and_six_purposes() -> None:
    assert len(Scope) == 9 and len(Purpose) == 6


@pytest.mark.parametrize(
    ("values", "code"), [([], "scope_missing"), (["shipment_core", "secrets"], "unknown_scope")]
)
def test_scopes_are_known_and_present(values: list[str], code: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_scopes(values)
    assert refused.value.code == code and refused.value.field == "scopes"


@pytest.mark.parametrize(
    ("values", "code"), [([], "purpose_missing"), (["marketing"], "unknown_purpose")]
)
def test_purposes_are_known_and_present(values: list[str], code: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_purposes(values)
    assert refused.value.code == code


def test_parsed_values() -> None:
    assert parse_scopes(["line_items", "line_items"]) == {Scope.LINE_ITEMS}
    assert parse_purposes(["claims"]) == {Purpose.CLAIMS}


@pytest.mark.parametrize(
    ("terms", "grantor", "grantee", "code"),
    [
        (_terms(expires_at=NOW), "exporter", "bank", "expiry_in_past"),
        (
            _terms(data_from=date(2026, 5, 1), data_to=date(2026, 4, 1)),
            "exporter",
            "bank",
            "data_window_invalid",
        ),
        (_terms(), "bank", "insurer", "grantor_owns_no_data"),
        (_terms(), "exporter", "exporter", "grantee_not_allowed"),
        (_terms(grantee_org_id=2), "exporter", "bank", "grantee_not_allowed"),
    ],
)
def test_terms_that_cannot_make_a_consent(
    terms: ConsentTerms, grantor: str, grantee: str, code: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_terms(terms, grantor_kind=grantor, grantee_kind=grantee, now=NOW)
    assert refused.value.code == code


@pytest.mark.parametrize("grantee", ["insurer", "coinsurer", "bank", "subsidy_programme"])
def test_every_grantee_kind_may_hold_one(grantee: str) -> None:
    check_terms(_terms(), grantor_kind="exporter", grantee_kind=grantee, now=NOW)


def test_parties() -> None:
    assert party_of(2, 2, 5) is Party.GRANTOR
    assert party_of(5, 2, 5) is Party.GRANTEE
    assert party_of(9, 2, 5) is None


AWAITING, AUTHORISED = ConsentStatus.AWAITING_AUTHORISATION, ConsentStatus.AUTHORISED


@pytest.mark.parametrize(
    ("status", "action", "party", "after"),
    [
        (AWAITING, "authorise", Party.GRANTOR, AUTHORISED),
        (AWAITING, "reject", Party.GRANTOR, ConsentStatus.REJECTED),
        (AWAITING, "revoke", Party.GRANTEE, ConsentStatus.REVOKED),
        (AUTHORISED, "revoke", Party.GRANTOR, ConsentStatus.REVOKED),
        (AUTHORISED, "revoke", Party.GRANTEE, ConsentStatus.REVOKED),
    ],
)
def test_the_moves(status: ConsentStatus, action: str, party: Party, after: ConsentStatus) -> None:
    assert move(status, action, party) is after


@pytest.mark.parametrize(
    ("action", "party"),
    [("authorise", Party.GRANTEE), ("reject", Party.GRANTEE), ("revoke", None)],
)
def test_who_may_not(action: str, party: Party | None) -> None:
    with pytest.raises(PermissionDenied) as refused:
        move(AWAITING, action, party)
    assert refused.value.code == "not_a_party"


@pytest.mark.parametrize(
    "status", [ConsentStatus.REJECTED, ConsentStatus.REVOKED, ConsentStatus.EXPIRED, AUTHORISED]
)
def test_final_states_and_a_second_authorisation_are_refused(status: ConsentStatus) -> None:
    with pytest.raises(IllegalTransition):
        move(status, "authorise", Party.GRANTOR)


def test_an_open_consent_past_its_expiry_has_expired() -> None:
    assert effective_status(AUTHORISED, NOW, NOW) is ConsentStatus.EXPIRED
    assert effective_status(AWAITING, NOW - timedelta(1), NOW) is ConsentStatus.EXPIRED
    assert effective_status(AUTHORISED, NOW + timedelta(1), NOW) is AUTHORISED
    assert effective_status(ConsentStatus.REVOKED, NOW, NOW) is ConsentStatus.REVOKED


def test_covers_needs_authorised_unexpired_scope_and_purpose() -> None:
    terms = _terms()
    assert covers(terms, AUTHORISED, Scope.SHIPMENT_CORE, Purpose.FINANCING, NOW)
    assert not covers(terms, AUTHORISED, Scope.LINE_ITEMS, Purpose.FINANCING, NOW)
    assert not covers(terms, AUTHORISED, Scope.SHIPMENT_CORE, Purpose.CLAIMS, NOW)
    assert not covers(terms, AWAITING, Scope.SHIPMENT_CORE, Purpose.FINANCING, NOW)
    assert not covers(terms, ConsentStatus.REVOKED, Scope.SHIPMENT_CORE, Purpose.FINANCING, NOW)
    late = NOW + timedelta(days=31)
    assert not covers(terms, AUTHORISED, Scope.SHIPMENT_CORE, Purpose.FINANCING, late)


def test_the_contract_covers_the_insurer_for_what_the_policy_needs_only() -> None:
    for scope in Scope:
        for purpose in Purpose:
            expected = scope in CONTRACT_SCOPES and purpose in CONTRACT_PURPOSES
            assert contract_covers("insurer", scope, purpose) is expected
            assert not contract_covers("bank", scope, purpose)
            assert not contract_covers("coinsurer", scope, purpose)
    assert not contract_covers("insurer", Scope.LINE_ITEMS, Purpose.UNDERWRITING)
    assert not contract_covers("insurer", Scope.SHIPMENT_CORE, Purpose.PORTFOLIO_MONITORING)
