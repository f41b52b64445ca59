"""Dask scale-out: chunks on a local cluster give the local answer bit for bit.

These start a two-process cluster, so they live with the integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from tests.builders.portfolios import make_factor_model, make_portfolio
from tradecover.risk import RiskRunSpec, monte_carlo, run_risk

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A client of a two-worker local cluster, shared by the module's tests."""
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


@pytest.mark.parametrize("importance_sampling", [False, True])
def test_dask_run_equals_local_run_bit_for_bit(client: Any, importance_sampling: bool) -> None:
    port, model = make_portfolio(n=2000, seed=4), make_factor_model()
    local = monte_carlo(
        port, model, n_scenarios=20_000, seed=99, importance_sampling=importance_sampling
    )
    remote = monte_carlo(
        port,
        model,
        n_scenarios=20_000,
        seed=99,
        importance_sampling=importance_sampling,
        chunk_size=3001,
        dask_client=client,
    )
    assert np.array_equal(local.losses, remote.losses)
    assert np.array_equal(local.log_weights, remote.log_weights)
    assert local.tail(0.995) == remote.tail(0.995)


def test_run_risk_on_dask_matches_local(client: Any) -> None:
    spec = RiskRunSpec(
        portfolio=make_portfolio(n=500, seed=2),
        n_scenarios=5000,
        seed=7,
        scenarios=("tariff_shock_us",),
    )
    a, b = run_risk(spec).to_dict(), run_risk(spec, dask_client=client).to_dict()
    a.pop("elapsed_seconds")
    b.pop("elapsed_seconds")
    assert a == b
