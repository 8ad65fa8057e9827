"""易地扶贫搬迁: moving households out of places too poor to live in (一方水土养不起一方人).

**Mechanism.** Each January ``households_per_year`` households (a count for the whole region) are
chosen among the eligible, those in dangerous houses and hit by disaster first, at random within
that order. A moved household gets a safe house, loses ``farm_income_loss`` of its farm income (the
land is farther away) and, if it has labour, gets a nearby job paying ``job_wage`` a year with
chance ``job_placement_rate``. A household moves once.

**Eligibility.** Registered, benefit-eligible households not yet moved.

**Capacity per year.** ``households_per_year``: 0 by default and in Jingzhou (the decision plans
no relocation); the Mukainaoer 2016 plan §四(二) moves 153 households (316 people) in 2016.

**Effect size and source.** The Mukainaoer plan §四(二) (搬得出、稳得住、能致富; 产业扶持和就业培训…有业可就)
and the precise-exit briefing §一(二)7. National figures (NDRC, 2020): about 6000亿 yuan for 960多万
registered poor people moved in 2016-2020 (about 6.2万 yuan a person); 89 % of moved households
with labour had a member in work; the per-capita net income of moved registered poor households rose
from 4,221 yuan (2016) to 9,313 (2019). A county study of 1,149 moved households (Yonghe, Shanxi,
2014-2019) found farm income fell and wage and property income rose after the move.

**Cost.** ``cost_per_person`` × the household's size, through the ledger, in the year of the move.

**Left out.** Support after the move beyond the first job (industries at the sites, 扶贫车间, the
job found later by those not placed), adapting to the new place, the old land's use (复垦,
增减挂钩 quota sales) and non-poor households moved at the same time (同步搬迁).
"""

from __future__ import annotations

import numpy as np

from ...parameters.typed import RelocationSection
from ..population import CAUSE_CODES, HOUSING_SAFE
from .base import Policy


def _first(k: int, need: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The first ``k`` positions of ``np.lexsort((u, -need))`` (most need first, then by ``u``, ties in
    index order), without sorting them all: within each need level only the ``u`` up to the level's
    k-th smallest (ties included) are sorted, stably. ``need`` is a small non-negative integer score: its
    levels are found by counting, not by sorting every household's."""
    out = []
    for level in np.flatnonzero(np.bincount(need))[::-1]:
        if k <= 0:
            break
        at = np.flatnonzero(need == level)
        if k < at.size:
            kth = np.partition(u[at], k - 1)[k - 1]
            at = at[u[at] <= kth]
        out.append(at[np.argsort(u[at], kind="stable")][:k])
        k -= out[-1].size
    return np.concatenate(out) if out else np.zeros(0, np.intp)


class Relocation(Policy):
    lever = "relocation"
    p: RelocationSection
    owns = ("moved",)
    reads = ("hh.category", "hh.housing", "hh.cause", "hh.size", "hh.labour")
    writes = ("hh.housing", "hh.farm", "hh.wage_local")

    def __init__(self, ctx, seed):
        super().__init__(ctx, seed)
        self.moved = np.zeros(ctx.hh.n, bool)

    def eligible(self) -> np.ndarray:
        """Registered, benefit-eligible households not yet moved."""
        return self.ctx.eligible & ~self.moved & (self.ctx.hh.category > 0)

    def year_start(self) -> None:
        c, p = self.ctx, self.p
        hh = c.hh
        want = c.count(p.households_per_year)
        eligible = np.flatnonzero(self.eligible())
        if want <= 0 or eligible.size == 0:
            return
        need = (hh.housing[eligible] != HOUSING_SAFE).astype(int) + (hh.cause[eligible] == CAUSE_CODES["disaster"])
        chosen = eligible[_first(want, need, self.rng.random(eligible.size))]
        cost = np.zeros(hh.n)
        cost[chosen] = p.cost_per_person * hh.size[chosen]
        moved = self.pay(cost) > 0
        self.moved |= moved
        hh.housing[moved] = HOUSING_SAFE
        hh.farm[moved] *= 1 - p.farm_income_loss
        job = moved & (hh.labour > 0) & (self.rng.random(hh.n) < p.job_placement_rate)
        hh.wage_local[job] += p.job_wage
