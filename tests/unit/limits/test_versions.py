"""Tests of limit versions: the version in force and the cover of each shipment."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.kit.errors import Conflict, ValidationFailed
from tradecover.kit.money import Money
from tradecover.limits import (
    LimitVersion,
    RequestType,
    cover_limit_for_shipment,
    next_version,
    version_in_force,
)

D0 = date(2026, 1, 1)


def usd(amount: str | int) -> Money:
    return Money.of(amount, "USD")


def _history() -> list[LimitVersion]:
    """New 100k on 1 Jan, increased to 150k on 1 Mar, reduced to 60k on 1 Jun, cancelled 1 Sep."""
    versions: list[LimitVersion] = []
    for kind, amount, day, reason in (
        (RequestType.NEW_LIMIT, 100_000, date(2026, 1, 1), None),
        (RequestType.INCREASE, 150_000, date(2026, 3, 1), None),
        (RequestType.REDUCTION, 60_000, date(2026, 6, 1), "buyer paying late"),
        (RequestType.CANCELLATION, 0, date(2026, 9, 1), "tariff shock"),
    ):
        versions.append(
            next_version(
                versions,
                kind=kind,
                amount=usd(amount),
                effective_from=day,
                today=day,
                reason=reason,
            )
        )
    return versions


@pytest.mark.parametrize(
    ("shipment", "cover"),
    [
        (date(2025, 12, 31), 0),
        (date(2026, 1, 1), 100_000),
        (date(2026, 2, 28), 100_000),  # before the increase: the old limit
        (date(2026, 3, 1), 150_000),  # the increase replaces it
        (date(2026, 5, 31), 150_000),  # the later reduction does not take this away
        (date(2026, 6, 1), 60_000),
        (date(2026, 8, 31), 60_000),  # the later cancellation does not take this away
        (date(2026, 9, 1), 0),
    ],
)
def test_cover_of_each_shipment(shipment: date, cover: int) -> None:
    assert cover_limit_for_shipment(_history(), shipment) == usd(cover)


def test_version_in_force() -> None:
    versions = _history()
    assert version_in_force(versions, date(2025, 12, 31)) is None
    in_force = version_in_force(versions, date(2026, 7, 1))
    assert in_force is not None
    assert (in_force.number, in_force.kind, in_force.reason) == (
        3,
        RequestType.REDUCTION,
        "buyer paying late",
    )
    cancelled = version_in_force(versions, date(2026, 10, 1))
    assert cancelled is not None
    assert cancelled.is_cancellation
    assert cancelled.amount == usd(0)


def test_same_day_changes_take_the_latest_number() -> None:
    versions = [
        next_version([], kind=RequestType.NEW_LIMIT, amount=usd(100), effective_from=D0, today=D0)
    ]
    versions.append(
        next_version(
            versions, kind=RequestType.INCREASE, amount=usd(200), effective_from=D0, today=D0
        )
    )
    assert cover_limit_for_shipment(versions, D0) == usd(200)


def test_expiry_ends_cover() -> None:
    versions = [
        next_version(
            [],
            kind=RequestType.NEW_LIMIT,
            amount=usd(100),
            effective_from=D0,
            today=D0,
            expires_on=date(2026, 6, 30),
            indemnity_pct=Decimal(80),
        )
    ]
    assert cover_limit_for_shipment(versions, date(2026, 6, 30)) == usd(100)
    assert cover_limit_for_shipment(versions, date(2026, 7, 1)) == usd(0)
    assert version_in_force(versions, date(2026, 7, 1)) is None


def test_new_limit_after_cancellation() -> None:
    versions = _history()
    renewed = next_version(
        versions,
        kind=RequestType.NEW_LIMIT,
        amount=usd(20_000),
        effective_from=date(2026, 10, 1),
        today=date(2026, 10, 1),
    )
    assert renewed.number == 5


@pytest.mark.parametrize(
    ("kind", "amount", "effective", "today", "reason", "error", "code", "field"),
    [
        (
            RequestType.NEW_LIMIT,
            10,
            date(2026, 7, 1),
            date(2026, 7, 1),
            None,
            Conflict,
            "limit_already_exists",
            "kind",
        ),
        (
            RequestType.INCREASE,
            50_000,
            date(2026, 7, 1),
            date(2026, 7, 1),
            None,
            ValidationFailed,
            "increase_below_current",
            "amount",
        ),
        (
            RequestType.INCREASE,
            60_000,
            date(2026, 7, 1),
            date(2026, 7, 1),
            None,
            ValidationFailed,
            "increase_not_above_current",
            "amount",
        ),
        (
            RequestType.REDUCTION,
            70_000,
            date(2026, 7, 1),
            date(2026, 7, 1),
            "r",
            ValidationFailed,
            "reduction_not_below_current",
            "amount",
        ),
        (
            RequestType.REDUCTION,
            0,
            date(2026, 7, 1),
            date(2026, 7, 1),
            "r",
            ValidationFailed,
            "amount_not_positive",
            "amount",
        ),
        (
            RequestType.REDUCTION,
            10_000,
            date(2026, 7, 1),
            date(2026, 7, 1),
            " ",
            ValidationFailed,
            "reason_required",
            "reason",
        ),
        (
            RequestType.CANCELLATION,
            5,
            date(2026, 7, 1),
            date(2026, 7, 1),
            "r",
            ValidationFailed,
            "amount_not_zero",
            "amount",
        ),
        (
            RequestType.REDUCTION,
            10_000,
            date(2026, 6, 30),
            date(2026, 7, 1),
            "r",
            ValidationFailed,
            "effective_date_in_past",
            "effective_from",
        ),
        (
            RequestType.REDUCTION,
            10_000,
            date(2026, 5, 1),
            date(2026, 4, 1),
            "r",
            ValidationFailed,
            "effective_date_before_previous",
            "effective_from",
        ),
    ],
)
def test_bad_changes(
    kind: RequestType,
    amount: int,
    effective: date,
    today: date,
    reason: str | None,
    error: type[Exception],
    code: str,
    field: str,
) -> None:
    versions = _history()[:3]  # 60,000 from 1 June
    with pytest.raises(error) as info:
        next_version(
            versions,
            kind=kind,
            amount=usd(amount),
            effective_from=effective,
            today=today,
            reason=reason,
        )
    assert (info.value.code, info.value.field) == (code, field)  # type: ignore[attr-defined]
    assert len(versions) == 3


def test_other_bad_changes() -> None:
    with pytest.raises(Conflict) as conflict:
        next_version([], kind=RequestType.INCREASE, amount=usd(1), effective_from=D0, today=D0)
    assert conflict.value.code == "no_current_limit"
    versions = _history()[:1]
    for kwargs, code in (
        ({"amount": Money.of("200000", "EUR")}, "currency_mismatch"),
        ({"expires_on": date(2025, 1, 1)}, "expiry_before_effective"),
        ({"indemnity_pct": Decimal(0)}, "indemnity_out_of_range"),
    ):
        args: dict[str, object] = {
            "kind": RequestType.INCREASE,
            "amount": usd(200_000),
            "effective_from": D0,
            "today": D0,
        }
        args.update(kwargs)
        with pytest.raises(ValidationFailed) as info:
            next_version(versions, **args)  # type: ignore[arg-type]
        assert info.value.code == code
    with pytest.raises(ValidationFailed) as empty:
        cover_limit_for_shipment([], D0)
    assert empty.value.code == "no_versions"


_changes = st.lists(
    st.tuples(
        st.sampled_from(
            [
                RequestType.INCREASE,
                RequestType.REDUCTION,
                RequestType.CANCELLATION,
                RequestType.NEW_LIMIT,
            ]
        ),
        st.integers(1, 1_000_000),
        st.integers(0, 60),
    ),
    max_size=12,
)


@given(st.integers(1, 1_000_000), _changes, st.integers(0, 400))
def test_a_change_never_alters_cover_of_earlier_shipments(
    first: int, changes: list[tuple[RequestType, int, int]], probe: int
) -> None:
    versions = [
        next_version([], kind=RequestType.NEW_LIMIT, amount=usd(first), effective_from=D0, today=D0)
    ]
    today = D0
    for kind, amount, gap in changes:
        today += timedelta(days=gap)
        try:
            new = next_version(
                versions,
                kind=kind,
                amount=usd(0 if kind is RequestType.CANCELLATION else amount),
                effective_from=today,
                today=today,
                reason="r",
            )
        except (ValidationFailed, Conflict):
            continue  # refused: nothing appended
        shipment = D0 + timedelta(days=probe)
        before = cover_limit_for_shipment(versions, shipment)
        versions.append(new)
        if shipment < new.effective_from:
            assert cover_limit_for_shipment(versions, shipment) == before
        else:
            assert cover_limit_for_shipment(versions, shipment) == new.amount
