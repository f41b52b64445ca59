"""Compiled Monte Carlo kernels (numba).  Private: use :mod:`tradecover.risk.montecarlo`.

Random numbers come from Philox4x32-10 (Salmon, Moraes, Dror and Shaw 2011, *Parallel
random numbers: as easy as 1, 2, 3*), a counter-based generator: the uniforms of scenario
``s`` are ``philox(counter=(j, 0, s_lo, s_hi), key=(seed_lo, seed_hi))`` for ``j = 0, 1, ...``,
so every scenario is a pure function of ``(seed, s)`` and any split of the scenarios into
chunks, threads or Dask workers gives the same numbers bit for bit.

Defaults inside a block of obligors that share one conditional PD ``q`` are drawn by
geometric skipping: the gap to the next defaulter is ``floor(log U / log(1 - q))``, which is
exactly the law of independent Bernoulli(q) trials; a scenario costs O(blocks + defaults)
instead of O(obligors) and remains an exact simulation of the model.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

_M32 = np.uint64(0xFFFFFFFF)
_PHILOX_M0 = np.uint64(0xD2511F53)
_PHILOX_M1 = np.uint64(0xCD9E8D57)
_PHILOX_W0 = np.uint64(0x9E3779B9)
_PHILOX_W1 = np.uint64(0xBB67AE85)
_S32 = np.uint64(32)
_S11 = np.uint64(11)
_TWO_M53 = 1.0 / 9007199254740992.0
_SQRT1_2 = 1.0 / math.sqrt(2.0)
_TWO_PI = 2.0 * math.pi


@nb.njit(cache=True, inline="always")
def philox4x32_10(
    c0: np.uint64, c1: np.uint64, c2: np.uint64, c3: np.uint64, k0: np.uint64, k1: np.uint64
) -> tuple[np.uint64, np.uint64, np.uint64, np.uint64]:
    """Philox4x32 with 10 rounds; 32-bit words carried in uint64."""
    for r in range(10):
        if r > 0:
            k0 = (k0 + _PHILOX_W0) & _M32
            k1 = (k1 + _PHILOX_W1) & _M32
        p0 = _PHILOX_M0 * c0
        p1 = _PHILOX_M1 * c2
        c0, c1, c2, c3 = (
            ((p1 >> _S32) ^ c1 ^ k0) & _M32,
            p1 & _M32,
            ((p0 >> _S32) ^ c3 ^ k1) & _M32,
            p0 & _M32,
        )
    return c0, c1, c2, c3


@nb.njit(cache=True, inline="always")
def _uniform_pair(
    j: np.uint64, s_lo: np.uint64, s_hi: np.uint64, k0: np.uint64, k1: np.uint64
) -> tuple[float, float]:
    """Two uniforms in (0, 1) (53 bits each) from one Philox block."""
    r0, r1, r2, r3 = philox4x32_10(j & _M32, j >> _S32, s_lo, s_hi, k0, k1)
    a = ((r0 << _S32) | r1) >> _S11
    b = ((r2 << _S32) | r3) >> _S11
    return (float(a) + 0.5) * _TWO_M53, (float(b) + 0.5) * _TWO_M53


@nb.njit(cache=True)
def _solve_twist(
    logit_p: np.ndarray,
    blk_n: np.ndarray,
    blk_mean: np.ndarray,
    x: float,
) -> float:
    """Exponential twist ``theta >= 0`` with ``sum n_b m_b q_b(theta) = x``.

    ``q_b(theta) = logistic(logit p_b + theta m_b)`` is the block-level twisted PD; the
    equation is Glasserman and Li's (2005) ``psi'(theta) = x`` on block-mean losses.
    """
    nb_ = logit_p.size

    def f(theta: float) -> tuple[float, float]:
        v = 0.0
        d = 0.0
        for b in range(nb_):
            if blk_n[b] == 0 or logit_p[b] == -np.inf:
                continue
            t = logit_p[b] + theta * blk_mean[b]
            q = 1.0 / (1.0 + math.exp(-t)) if t > -700.0 else 0.0
            v += blk_n[b] * blk_mean[b] * q
            d += blk_n[b] * blk_mean[b] * blk_mean[b] * q * (1.0 - q)
        return v - x, d

    g0, _ = f(0.0)
    if g0 >= 0.0:
        return 0.0
    lo = 0.0
    hi = 1.0 / max(blk_mean.max(), 1e-300)
    for _ in range(200):
        g, _ = f(hi)
        if g >= 0.0:
            break
        lo = hi
        hi *= 2.0
    theta = 0.5 * (lo + hi)
    for _ in range(60):
        g, d = f(theta)
        if abs(g) <= 1e-10 * x:
            break
        if g > 0.0:
            hi = theta
        else:
            lo = theta
        step = theta - g / d if d > 0.0 else 0.5 * (lo + hi)
        theta = step if lo < step < hi else 0.5 * (lo + hi)
    return float(theta)


@nb.njit(cache=True)
def _scenario(
    scen: np.int64,
    k0: np.uint64,
    k1: np.uint64,
    chol: np.ndarray,
    mu: np.ndarray,
    combo_f: np.ndarray,
    combo_w: np.ndarray,
    b_combo: np.ndarray,
    b_c: np.ndarray,
    b_sr: np.ndarray,
    b_sq: np.ndarray,
    blk_bucket: np.ndarray,
    blk_start: np.ndarray,
    blk_end: np.ndarray,
    blk_sum: np.ndarray,
    blk_mean: np.ndarray,
    loss_sorted: np.ndarray,
    twist_target: float,
    record_weight: float,
    contrib: np.ndarray,
) -> tuple[float, float]:
    """Loss and log likelihood ratio of one scenario (optionally recording contributions)."""
    s = np.uint64(scen)
    s_lo = s & _M32
    s_hi = s >> _S32
    nf = chol.shape[0]
    j = np.uint64(0)
    z = np.empty(nf)
    for k in range(0, nf, 2):
        u1, u2 = _uniform_pair(j, s_lo, s_hi, k0, k1)
        j += np.uint64(1)
        rad = math.sqrt(-2.0 * math.log(u1))
        z[k] = rad * math.cos(_TWO_PI * u2)
        if k + 1 < nf:
            z[k + 1] = rad * math.sin(_TWO_PI * u2)
    logw = 0.0
    for k in range(nf):
        if mu[k] != 0.0:
            z[k] += mu[k]
            logw += -mu[k] * z[k] + 0.5 * mu[k] * mu[k]
    f = np.zeros(nf)
    for a in range(nf):
        acc = 0.0
        for b in range(nf):
            acc += chol[a, b] * z[b]
        f[a] = acc
    nc = combo_f.shape[0]
    y = np.empty(nc)
    for c in range(nc):
        y[c] = combo_w[c, 0] * f[combo_f[c, 0]] + combo_w[c, 1] * f[combo_f[c, 1]]
    nbk = b_c.size
    pb = np.empty(nbk)
    for b in range(nbk):
        t = (b_c[b] - b_sr[b] * y[b_combo[b]]) / b_sq[b]
        pb[b] = 0.5 * math.erfc(-t * _SQRT1_2)
    nblk = blk_bucket.size
    theta = 0.0
    if twist_target > 0.0:
        logit = np.empty(nblk)
        nvec = np.empty(nblk)
        for i in range(nblk):
            p = pb[blk_bucket[i]]
            nvec[i] = blk_end[i] - blk_start[i]
            if p <= 0.0:
                logit[i] = -np.inf
            elif p >= 1.0:
                logit[i] = np.inf
            else:
                logit[i] = math.log(p) - math.log1p(-p)
        theta = _solve_twist(logit, nvec, blk_mean, twist_target)
    loss = 0.0
    spare = 0.0
    have = False
    record = record_weight != 0.0
    for i in range(nblk):
        p = pb[blk_bucket[i]]
        start = blk_start[i]
        end = blk_end[i]
        q = p
        if theta > 0.0 and 0.0 < p < 1.0:
            e = math.exp(theta * blk_mean[i])
            q = p * e / (1.0 - p + p * e)
        if q <= 0.0:
            continue
        if q >= 1.0:
            loss += blk_sum[i]
            if record:
                for o in range(start, end):
                    contrib[o] += record_weight * loss_sorted[o]
            continue
        lq = math.log1p(-q)
        pos = start - 1
        k = 0
        while True:
            if have:
                u = spare
                have = False
            else:
                u, spare = _uniform_pair(j, s_lo, s_hi, k0, k1)
                j += np.uint64(1)
                have = True
            gap = math.log(u) / lq
            if gap >= end - pos - 1:
                break
            pos += np.int64(gap) + 1
            loss += loss_sorted[pos]
            k += 1
            if record:
                contrib[pos] += record_weight * loss_sorted[pos]
        if q != p:
            logw += k * (math.log(p) - math.log(q)) + (end - start - k) * (
                math.log1p(-p) - math.log1p(-q)
            )
    return loss, logw


@nb.njit(cache=True, parallel=True)
def simulate(
    first: np.int64,
    out_loss: np.ndarray,
    out_logw: np.ndarray,
    k0: np.uint64,
    k1: np.uint64,
    chol: np.ndarray,
    mu: np.ndarray,
    combo_f: np.ndarray,
    combo_w: np.ndarray,
    b_combo: np.ndarray,
    b_c: np.ndarray,
    b_sr: np.ndarray,
    b_sq: np.ndarray,
    blk_bucket: np.ndarray,
    blk_start: np.ndarray,
    blk_end: np.ndarray,
    blk_sum: np.ndarray,
    blk_mean: np.ndarray,
    loss_sorted: np.ndarray,
    twist_target: float,
) -> None:
    """Simulate scenarios ``first .. first + len(out_loss) - 1`` in parallel."""
    dummy = np.zeros(1)
    for i in nb.prange(out_loss.size):
        l_, w_ = _scenario(
            first + i,
            k0,
            k1,
            chol,
            mu,
            combo_f,
            combo_w,
            b_combo,
            b_c,
            b_sr,
            b_sq,
            blk_bucket,
            blk_start,
            blk_end,
            blk_sum,
            blk_mean,
            loss_sorted,
            twist_target,
            0.0,
            dummy,
        )
        out_loss[i] = l_
        out_logw[i] = w_


@nb.njit(cache=True, parallel=True)
def record_contributions(
    scenarios: np.ndarray,
    weights: np.ndarray,
    parts: np.int64,
    contrib: np.ndarray,
    k0: np.uint64,
    k1: np.uint64,
    chol: np.ndarray,
    mu: np.ndarray,
    combo_f: np.ndarray,
    combo_w: np.ndarray,
    b_combo: np.ndarray,
    b_c: np.ndarray,
    b_sr: np.ndarray,
    b_sq: np.ndarray,
    blk_bucket: np.ndarray,
    blk_start: np.ndarray,
    blk_end: np.ndarray,
    blk_sum: np.ndarray,
    blk_mean: np.ndarray,
    loss_sorted: np.ndarray,
    twist_target: float,
) -> None:
    """Re-simulate the given scenarios, adding ``weight x loss`` per obligor into ``contrib``.

    ``contrib`` has shape ``(parts, N)``; part ``p`` handles a fixed slice of the scenarios,
    so the result does not depend on the number of threads.
    """
    n = scenarios.size
    for part in nb.prange(parts):
        lo = n * part // parts
        hi = n * (part + 1) // parts
        row = contrib[part]
        for i in range(lo, hi):
            _scenario(
                scenarios[i],
                k0,
                k1,
                chol,
                mu,
                combo_f,
                combo_w,
                b_combo,
                b_c,
                b_sr,
                b_sq,
                blk_bucket,
                blk_start,
                blk_end,
                blk_sum,
                blk_mean,
                loss_sorted,
                twist_target,
                weights[i],
                row,
            )
