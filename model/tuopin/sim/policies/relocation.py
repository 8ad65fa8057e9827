"""易地扶贫搬迁: moving households out of places too poor to live in.

Seed 002 §四(二) (2016年计划易地搬迁153户316人; 搬得出、稳得住、能致富), seed 001 §一(二)7. A relocated
household gets a safe house, loses part of its farm income, and may be placed in a job nearby.
Households are chosen among the eligible, those in dangerous houses and hit by disaster first.
"""

from __future__ import annotations

import numpy as np

from ..population import CAUSE_CODES, HOUSING_SAFE
from .base import Policy


class Relocation(Policy):
    lever = "relocation"

    def __init__(self, model, seed):
        super().__init__(model, seed)
        self.moved = np.zeros(model.hh.n, bool)

    def year_start(self, year: int) -> None:
        m, p, hh = self.model, self.p, self.model.hh
        want = m.count(p.households_per_year)
        eligible = np.flatnonzero(m.benefit_eligible() & ~self.moved & (hh.category > 0))
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
