"""From a point of the unit box to a feasible split, and back: the optimiser searches the box,
the model is given splits (yearly caps by lever that respect the bounds and sum to the budget)."""

from __future__ import annotations

import numpy as np


def split_from_x(x: np.ndarray, lo: np.ndarray, hi: np.ndarray, total: float) -> np.ndarray:
    """Map a point of the unit box onto {lo <= c <= hi, sum c = total}: weights x / sum x share out
    what is left above the minimums, and whatever a maximum cuts off goes to the other levers in
    proportion to their weights (water-filling). Every x gives a feasible split, so the optimiser
    needs no penalty terms; the uniform box point (all ones) gives minimums plus equal shares."""
    x = np.clip(np.asarray(x, float), 0, None)
    w = x / x.sum() if x.sum() > 0 else np.full(len(x), 1 / len(x))
    hi = np.minimum(hi, total)
    c = lo.copy()
    open_ = c < hi
    for _ in range(len(x) + 1):
        left = total - c.sum()
        if left <= 1e-9 * max(total, 1) or not open_.any():
            break
        ww = np.where(open_, w, 0)
        if ww.sum() <= 0:  # all weight is on levers at their maximum: the rest goes evenly to the open ones
            ww = open_.astype(float)
        c = c + left * (ww / ww.sum())
        over = c > hi
        c[over] = hi[over]
        open_ &= ~over & (c < hi)
    return c


def project(shares: np.ndarray, lo: np.ndarray, hi: np.ndarray, total: float) -> np.ndarray:
    """The split closest in proportion to ``shares`` that the bounds allow: clip(t * shares, lo, hi)
    with t such that it sums to ``total``. The sum is piecewise linear and rising in t, with kinks
    where a lever reaches a bound, so t is solved exactly on the right piece. This is how the seed
    allocation and the uniform split are fitted to the constraints: a lever below its minimum is
    raised to it and the others are scaled down together, not shifted."""
    n = len(lo)
    if n == 0:
        return np.zeros(0)
    sh = np.asarray(shares, float)
    sh = sh / sh.sum() if sh.sum() > 0 else np.full(n, 1 / n)
    hi = np.minimum(hi, total)
    pos = sh > 0

    def g(t):
        return np.clip(t * sh, lo, hi).sum()

    with np.errstate(over="ignore"):  # a vanishing share puts its kinks at infinity: dropped below
        kinks = np.unique(np.concatenate([[0.0], lo[pos] / sh[pos], hi[pos] / sh[pos]]))
    kinks = kinks[np.isfinite(kinks)]
    values = np.array([g(t) for t in kinks])
    k = int(np.searchsorted(values, total))  # first kink where the sum reaches the total
    if k == 0:
        t = kinks[0]
    elif k == len(kinks):
        t = kinks[-1]
    else:
        t0, t1, v0, v1 = kinks[k - 1], kinks[k], values[k - 1], values[k]
        # the fraction first: a kink near the largest float would overflow the product
        t = t0 + (total - v0) / (v1 - v0) * (t1 - t0) if v1 > v0 else t1
    c = np.clip(t * sh, lo, hi)
    left = total - c.sum()  # rounding, or what levers with no share must take: to those below their maximum
    room = hi - c
    if left > 0 and room.sum() > 0:
        c = c + left * room / room.sum()
    return c


def box_point(c: np.ndarray, lo: np.ndarray) -> np.ndarray:
    """A point x of the unit box with ``split_from_x(x) == c`` (for a feasible split ``c``)."""
    d = np.maximum(np.asarray(c, float) - lo, 0)
    return d / d.max() if len(d) and d.max() > 0 else np.ones(len(d))
