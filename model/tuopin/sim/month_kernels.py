"""Compiled loops for the month's payments (numba): the ledger's total of a payment to a few rows.

A lever paying a few households (employment's posts, credit's interest, the January grants of
:meth:`.policies.Policy.pay_each`) books what numpy's ``np.sum`` of the full-length array (zero off
those rows) would give, to the last bit: numpy's pairwise summation (``pairwise_sum`` in numpy's
``loops_utils.h``: a range of up to 128 in eight accumulators, combined pairwise, the rest in order;
a longer range halved at a multiple of eight; fewer than eight added in order from -0.0). The tree
depends on the length only, so its leaves are laid out once (:func:`pairwise_plan`) and
:func:`sparse_total` walks them with the rows in one pass, instead of searching the rows for each
range of the tree. The rules of :mod:`.kernels` hold (each operation numpy's, in numpy's order; no draw).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from .kernels import _jit


@cache
def pairwise_plan(n: int) -> tuple[np.ndarray, np.ndarray]:
    """numpy's pairwise summation tree of ``n`` values: each leaf's end (the leaves in order, from 0), and
    how many pairs to add after each (the last two sums so far, left + right), as numpy's recursion does."""
    ends, combines = [], []

    def walk(lo: int, hi: int) -> None:
        if hi - lo <= 128:
            ends.append(hi)
            combines.append(0)
            return
        half = (hi - lo) // 2
        mid = lo + half - half % 8
        walk(lo, mid)
        walk(mid, hi)
        combines[-1] += 1

    if n:
        walk(0, n)
    return np.array(ends, np.int64), np.array(combines, np.int64)


@_jit
def sparse_total(rows, values, ends, combines):  # pragma: no cover (compiled)
    """``np.sum`` of the array that holds ``values`` at ``rows`` (ascending) and zero elsewhere, its length's
    tree given by :func:`pairwise_plan` (``ends``, ``combines``): each leaf as numpy sums it (a leaf with no
    row is 0.0; adding 0.0 changes no non-negative sum), the leaves added pairwise."""
    stack = np.empty(64)
    r = np.empty(8)
    top, j, lo = 0, 0, 0
    for leaf in range(ends.size):
        hi = ends[leaf]
        res = 0.0
        if j < rows.size and rows[j] < hi:
            if hi - lo < 8:  # in order, from -0.0
                res = -0.0
            else:  # eight accumulators, combined pairwise, then the rest in order
                main = hi - (hi - lo) % 8
                for q in range(8):
                    r[q] = 0.0
                while j < rows.size and rows[j] < main:
                    r[(rows[j] - lo) & 7] += values[j]
                    j += 1
                res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
            while j < rows.size and rows[j] < hi:
                res += values[j]
                j += 1
        stack[top] = res
        top += 1
        for _ in range(combines[leaf]):
            top -= 1
            stack[top - 1] = stack[top - 1] + stack[top]
        lo = hi
    return stack[0] if top else 0.0
