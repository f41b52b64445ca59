"""The compiled simulation model and its chunk kernel: what a local run and a Dask worker share.

:func:`compile_model` turns a portfolio and factor model into flat arrays (buckets and
twist blocks); :func:`simulate_losses` draws one chunk of scenarios of it, as a pure
function of the model, the seed and the scenario indices (counter-based random numbers),
so that a chunk gives the same losses wherever it runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import special

from tradecover.kit.errors import ValidationFailed
from tradecover.risk import _kernels
from tradecover.risk.portfolio import FactorModel, Portfolio

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_M32 = 0xFFFFFFFF
# numba dispatcher, called with positional kernel arguments
_SIMULATE: Any = _kernels.simulate


@dataclass(frozen=True)
class SimulationModel:
    """The portfolio compiled into buckets and blocks for the simulation kernels."""

    chol: FloatArray
    combo_f: IntArray
    combo_w: FloatArray
    b_combo: IntArray
    b_c: FloatArray
    b_sr: FloatArray
    b_sq: FloatArray
    b_loss: FloatArray  # total loss exposure per bucket
    blk_bucket: IntArray
    blk_start: IntArray
    blk_end: IntArray
    blk_sum: FloatArray
    blk_mean: FloatArray
    loss_sorted: FloatArray
    order: IntArray  # obligor index of each sorted position
    n_obligors: int

    def _tail_args(self) -> tuple[object, ...]:
        return (
            self.combo_f,
            self.combo_w,
            self.b_combo,
            self.b_c,
            self.b_sr,
            self.b_sq,
            self.blk_bucket,
            self.blk_start,
            self.blk_end,
            self.blk_sum,
            self.blk_mean,
            self.loss_sorted,
        )


def compile_model(
    portfolio: Portfolio, factor_model: FactorModel, *, band_ratio: float | None = None
) -> SimulationModel:
    """Group obligors into buckets (and loss bands when ``band_ratio`` is given)."""
    idx, w = factor_model.loadings(portfolio)
    loss = portfolio.loss_exposure
    live = (loss > 0) & (portfolio.pd > 0)
    obl = np.flatnonzero(live)
    keys = np.column_stack(
        [idx[obl].astype(np.float64), w[obl], portfolio.pd[obl], portfolio.asset_correlation[obl]]
    )
    ukeys, bucket = np.unique(keys, axis=0, return_inverse=True)
    bucket = bucket.ravel()
    combos, b_combo = np.unique(ukeys[:, :4], axis=0, return_inverse=True)
    lo = loss[obl]
    if band_ratio is not None and band_ratio > 1.0:
        bmin = np.full(ukeys.shape[0], np.inf)
        np.minimum.at(bmin, bucket, lo)
        band = np.floor(np.log(lo / bmin[bucket]) / np.log(band_ratio)).astype(np.int64)
    else:
        band = np.zeros(obl.size, dtype=np.int64)
    srt = np.lexsort((lo, band, bucket))
    order = obl[srt]
    blk_key = bucket[srt] * (int(band.max(initial=0)) + 1) + band[srt]
    starts = np.r_[0, np.flatnonzero(np.diff(blk_key)) + 1].astype(np.int64)
    ends = np.r_[starts[1:], order.size].astype(np.int64)
    loss_sorted = np.ascontiguousarray(loss[order])
    csum = np.r_[0.0, np.cumsum(loss_sorted)]
    blk_sum = csum[ends] - csum[starts]
    pd = ukeys[:, 4]
    rho = ukeys[:, 5]
    return SimulationModel(
        chol=factor_model.cholesky(),
        combo_f=np.ascontiguousarray(combos[:, :2].astype(np.int64)),
        combo_w=np.ascontiguousarray(combos[:, 2:4]),
        b_combo=b_combo.ravel().astype(np.int64),
        b_c=special.ndtri(pd),
        b_sr=np.sqrt(rho),
        b_sq=np.sqrt(1.0 - rho),
        b_loss=np.asarray(
            np.bincount(bucket, weights=lo, minlength=ukeys.shape[0]), dtype=np.float64
        ),
        blk_bucket=bucket[srt][starts].astype(np.int64),
        blk_start=starts,
        blk_end=ends,
        blk_sum=blk_sum,
        blk_mean=blk_sum / (ends - starts),
        loss_sorted=loss_sorted,
        order=order.astype(np.int64),
        n_obligors=portfolio.size,
    )


def seed_keys(seed: int) -> tuple[np.uint64, np.uint64]:
    """The two 32-bit keys of the counter-based generator for ``seed`` (0 to 2^64 - 1)."""
    if not (0 <= seed < 2**64):
        raise ValidationFailed(
            "seed must be an integer in [0, 2^64)", code="bad_seed", field="seed"
        )
    return np.uint64(seed & _M32), np.uint64((seed >> 32) & _M32)


def simulate_losses(
    model: SimulationModel,
    *,
    seed: int,
    first: int,
    count: int,
    shift: FloatArray | None = None,
    twist_target: float = 0.0,
) -> tuple[FloatArray, FloatArray]:
    """Losses and log likelihood ratios of scenarios ``first .. first + count - 1``.

    A pure function of ``(model, seed, scenario index, shift, twist_target)``: any chunking
    reproduces the same numbers bit for bit.
    """
    k0, k1 = seed_keys(seed)
    nf = model.chol.shape[0]
    mu = np.zeros(nf) if shift is None else np.asarray(shift, dtype=np.float64)
    out_loss = np.empty(count)
    out_logw = np.empty(count)
    _SIMULATE(
        np.int64(first),
        out_loss,
        out_logw,
        k0,
        k1,
        model.chol,
        mu,
        *model._tail_args(),
        float(twist_target),
    )
    return out_loss, out_logw
