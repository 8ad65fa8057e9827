"""易地扶贫搬迁: moving households out of places too poor to live in.

The Mukainaoer 2016 plan §四(二) (2016年计划易地搬迁153户316人; 搬得出、稳得住、能致富); the precise-exit
briefing §一(二)7. A relocated household gets a safe house, loses part of its farm income, and may be
placed in a job nearby. Households are chosen among the eligible, those in dangerous houses and hit
by disaster first.
"""

from __future__ import annotations

import numpy as np

from ...parameters.typed import RelocationSection
from ..population import CAUSE_CODES, HOUSING_SAFE
from .base import Policy


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
        order = eligible[np.lexsort((self.rng.random(eligible.size), -need))]
        chosen = order[:want]
        cost = np.zeros(hh.n)
        cost[chosen] = p.cost_per_person * hh.size[chosen]
        moved = self.pay(cost) > 0
        self.moved |= moved
        hh.housing[moved] = HOUSING_SAFE
        hh.farm[moved] *= 1 - p.farm_income_loss
        job = moved & (hh.labour > 0) & (self.rng.random(hh.n) < p.job_placement_rate)
        hh.wage_local[job] += p.job_wage
