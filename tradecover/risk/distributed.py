"""Scale-out of the Monte Carlo on Dask (``dask.distributed``).

Chunks of scenarios go to the workers; each chunk is a pure function of the model, the
seed and its scenario indices (counter-based random numbers), so the gathered losses equal
the local run's bit for bit.  The local default needs no cluster.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from tradecover.risk.simulation import SimulationModel, simulate_losses

FloatArray = npt.NDArray[np.float64]


def _chunk(
    model: SimulationModel,
    seed: int,
    first: int,
    count: int,
    shift: FloatArray | None,
    twist_target: float,
) -> tuple[int, FloatArray, FloatArray]:
    losses, logw = simulate_losses(
        model, seed=seed, first=first, count=count, shift=shift, twist_target=twist_target
    )
    return first, losses, logw


def simulate_on_dask(
    client: Any,
    model: SimulationModel,
    *,
    seed: int,
    starts: Sequence[int],
    counts: Sequence[int],
    shift: FloatArray | None,
    twist_target: float,
    on_progress: Callable[[int, int], None] | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Run the chunks ``(starts[i], counts[i])`` on a ``distributed.Client``; gather in order."""
    import distributed

    as_completed: Any = distributed.as_completed

    total = int(sum(counts))
    remote = client.scatter(model, broadcast=True)
    futures = [
        client.submit(_chunk, remote, seed, s, c, shift, twist_target, pure=False)
        for s, c in zip(starts, counts, strict=True)
    ]
    results: dict[int, tuple[FloatArray, FloatArray]] = {}
    done = 0
    for fut in as_completed(futures):
        first, losses, logw = fut.result()
        results[first] = (losses, logw)
        done += losses.size
        if on_progress is not None:
            on_progress(done, total)
    ordered = [results[s] for s in starts]
    return np.concatenate([r[0] for r in ordered]), np.concatenate([r[1] for r in ordered])
