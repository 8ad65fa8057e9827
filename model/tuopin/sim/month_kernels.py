"""Compiled loops for the month's payments (numba): the ledger's total of a payment to a few rows.

A lever paying a few households (employment's posts, credit's interest, the January grants of
:meth:`.policies.Policy.pay_each`) books what numpy's ``np.sum`` of the full-length array (zero off
those rows) would give, to the last bit: numpy's pairwise summation (``pairwise_sum`` in numpy's
``loops_utils.h``: a range of up to 128 in eight accumulators, combined pairwise, the rest in order;
a longer range halved at a multiple of eight; fewer than eight added in order from -0.0). The tree
depends on the length only, so its leaves are laid out once (:func:`pairwise_plan`, with the leaf of each
block of eight) and :func:`sparse_total` adds each row into its leaf's accumulator in one pass, then the
leaves, instead of searching the rows for each range of the tree. The rules of :mod:`.kernels` hold (each
operation numpy's, in numpy's order; no draw).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from .kernels import _jit


@cache
def pairwise_plan(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """numpy's pairwise summation tree of ``n`` values: each leaf's end (the leaves in order, from 0), how many
    pairs to add after each (the last two sums so far, left + right), as numpy's recursion does, and the leaf of
    each block of eight values (every leaf but the last starts and ends at a multiple of eight)."""
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
    ends_, starts = np.array(ends, np.int64), np.array([0] + ends[:-1], np.int64)
    return ends_, np.array(combines, np.int64), np.repeat(np.arange(ends_.size), (ends_ - starts + 7) // 8)


@_jit
def sparse_total(rows, values, ends, combines, leaf_of):  # pragma: no cover (compiled)
    """``np.sum`` of the array that holds ``values`` at ``rows`` (ascending) and zero elsewhere, its length's
    tree given by :func:`pairwise_plan` (``ends``, ``combines``, ``leaf_of``): each leaf as numpy sums it, its
    eight accumulators (lane ``row % 8``: a leaf starts at a multiple of eight) summed in row order from 0.0 (adding
    0.0 changes no sum that is not -0.0), combined pairwise, the last leaf's rest past a multiple of eight added
    after in order; fewer than eight values in all added in order from -0.0; the leaves added pairwise."""
    n = ends[-1] if ends.size else 0
    if n < 8:  # one short leaf
        if rows.size == 0:
            return 0.0
        res = -0.0
        for j in range(rows.size):
            res += values[j]
        return res
    main = n - n % 8
    lanes = np.zeros(ends.size * 8)  # each leaf's eight accumulators
    j = 0
    while j < rows.size and rows[j] < main:
        r = rows[j]
        lanes[leaf_of[r >> 3] * 8 + (r & 7)] += values[j]
        j += 1
    stack = np.empty(64)
    top = 0
    for leaf in range(ends.size):
        q = leaf * 8
        res = (((lanes[q] + lanes[q + 1]) + (lanes[q + 2] + lanes[q + 3]))
               + ((lanes[q + 4] + lanes[q + 5]) + (lanes[q + 6] + lanes[q + 7])))
        if leaf == ends.size - 1:
            while j < rows.size:  # the rest, in order
                res += values[j]
                j += 1
        stack[top] = res
        top += 1
        for _ in range(combines[leaf]):
            top -= 1
            stack[top - 1] = stack[top - 1] + stack[top]
    return stack[0]
