"""Exposures: bases, groups and the refusal of bad inputs."""

from __future__ import annotations

import numpy as np
import pytest

from tests.builders.portfolios import make_portfolio
from tradecover.kit.errors import ValidationFailed
from tradecover.risk import (
    DEFAULT_RATING_SCALE,
    Exposure,
    FactorModel,
    Portfolio,
    RiskRunSpec,
    build_portfolio,
    group_related_buyers,
    run_risk,
)


def _rows() -> list[Exposure]:
    return [
        Exposure(
            "b1",
            "US",
            "steel",
            outstanding=100.0,
            limit=250.0,
            indemnity_pct=0.9,
            expected_recovery=0.3,
            grade="5",
            buyer_group="acme",
        ),
        Exposure(
            "b2",
            "US",
            "steel",
            outstanding=50.0,
            limit=60.0,
            indemnity_pct=0.8,
            expected_recovery=0.0,
            pd=0.02,
            buyer_group="acme",
        ),
        Exposure(
            "b3",
            "DE",
            "food",
            outstanding=10.0,
            limit=20.0,
            indemnity_pct=0.95,
            expected_recovery=0.5,
            grade="12",
        ),
    ]


def test_outstanding_basis_takes_receivables_and_limit_basis_takes_limits() -> None:
    out = build_portfolio(_rows(), basis="outstanding")
    lim = build_portfolio(_rows(), basis="limit")
    assert out.ead.tolist() == [100.0, 50.0, 10.0]
    assert lim.ead.tolist() == [250.0, 60.0, 20.0]
    assert out.pd.tolist() == [DEFAULT_RATING_SCALE["5"], 0.02, DEFAULT_RATING_SCALE["12"]]
    assert out.loss_exposure.tolist() == pytest.approx(
        [100 * 0.9 * 0.7, 50 * 0.8 * 1.0, 10 * 0.95 * 0.5]
    )
    assert out.expected_loss() == pytest.approx(float(np.dot(out.pd, out.loss_exposure)))


def test_related_buyers_merge_into_one_obligor_keeping_the_loss_exposure() -> None:
    port = build_portfolio(_rows())
    grouped = group_related_buyers(port)
    assert grouped.buyer_ids.tolist() == ["acme", "b3"]
    assert grouped.loss_exposure.sum() == pytest.approx(port.loss_exposure.sum())
    assert grouped.pd.tolist() == [0.02, DEFAULT_RATING_SCALE["12"]]  # the worst member
    assert grouped.countries.tolist() == ["US", "DE"]


def test_rating_scale_has_twenty_increasing_grades() -> None:
    pds = [DEFAULT_RATING_SCALE[str(g)] for g in range(1, 21)]
    assert pds == sorted(pds) and len(pds) == 20
    assert pds[0] == pytest.approx(1e-4) and pds[-1] == pytest.approx(0.2)


@pytest.mark.parametrize(
    ("column", "value", "field"),
    [("pd", 1.2, "pd"), ("pd", -0.1, "pd"), ("ead", -5.0, "ead"), ("lgd", 1.5, "lgd")],
)
def test_bad_exposure_columns_are_refused_naming_the_input(
    column: str, value: float, field: str
) -> None:
    kwargs: dict[str, object] = {"pd": [0.01, 0.02], "ead": [1.0, 2.0], "lgd": [0.5, 0.5]}
    kwargs[column] = [0.01, value] if column == "pd" else [1.0, value]
    with pytest.raises(ValidationFailed) as err:
        Portfolio.from_arrays(countries=["US", "US"], sectors=["a", "a"], **kwargs)  # type: ignore[arg-type]
    assert err.value.field == field


def test_unknown_grade_is_refused() -> None:
    row = Exposure(
        "b",
        "US",
        "a",
        outstanding=1.0,
        limit=1.0,
        indemnity_pct=0.9,
        expected_recovery=0.0,
        grade="AAA",
    )
    with pytest.raises(ValidationFailed) as err:
        build_portfolio([row])
    assert err.value.code == "unknown_grade"


def test_correlation_matrix_not_psd_is_refused() -> None:
    c = np.array([[1.0, 0.9, -0.9], [0.9, 1.0, 0.9], [-0.9, 0.9, 1.0]])
    with pytest.raises(ValidationFailed) as err:
        FactorModel(names=("a", "b", "c"), correlation=c)
    assert err.value.field == "correlation" and err.value.code == "correlation_not_psd"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"confidence_levels": (0.99, 1.0)}, "confidence_levels"),
        ({"confidence_levels": (0.0,)}, "confidence_levels"),
        ({"scenarios": ("martian_invasion",)}, "scenarios"),
        ({"method": "astrology"}, "method"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_run_inputs_raise_before_any_run_finishes(
    change: dict[str, object], field: str
) -> None:
    finished: list[tuple[int, int]] = []
    spec = RiskRunSpec(portfolio=make_portfolio(n=50), **change)  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed) as err:
        run_risk(spec, on_progress=lambda d, t: finished.append((d, t)))
    assert err.value.field == field
    assert finished == []


def test_obligor_on_no_factor_is_refused() -> None:
    model = FactorModel(names=("JP", "FR"), correlation=np.eye(2))
    with pytest.raises(ValidationFailed) as err:
        run_risk(
            RiskRunSpec(
                portfolio=make_portfolio(n=10), factor_model=model, method="creditrisk_plus"
            )
        )
    assert err.value.field == "factor_model"
