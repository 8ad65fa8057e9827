"""危房改造: grants that make C/D dangerous houses safe (safe housing is one of the 三保障).

**Mechanism.** Each January a share ``renovation_rate`` of the eligible households is drawn; the
lever pays the grant (``grant_d`` to rebuild a D house, ``grant_c`` to repair a C house), D houses
first and then the poorest under a cap, and the house becomes safe. The household adds
``own_contribution`` of the grant itself, spent that year (not deducted from net income, as the
texts measure it). Safe housing is one of the 三保障 the exit assessment tests, so the grant removes
a barrier to exit; it raises no income.

**Eligibility.** Benefit-eligible households (registered, or within ``after_exit.transition_years``
of exit) in a C or D house.

**Capacity per year.** ``renovation_rate`` of the eligible (0.4: 87 % of the backlog renovated in
four years, as the decision's 到2018年全面解决 asks), at most ``renovations_per_10k`` per 10,000
registered households at the start where it is set (nationally the housing ministry's pace: the
backlog of about half the registered households cleared steadily by 2020, not 40 % of it in the
first year); a budget cap pays fewer. Either way D houses first, then the poorest.

**Effect size and source.** The Jingzhou decision, 2015, §二(四)4 (国家危房改造资金优先用于贫困户…补助
标准在现行基础上翻番; 到2018年全面解决); the precise-exit briefing §一(二)6 (C、D级危房全面排查;
2018年全面完成D级危房改造). Grants: the central subsidy (about 7,500 yuan per household on average,
1,000 more in poor areas; recalled), doubled by Jingzhou. Nationally about 790万 registered poor
households' houses were renovated in 2013-2020 (MOHURD, recalled).

**Cost.** The grant per house, through the ledger; the household's own part is not public spend.

**Left out.** House decay and households' own repairs are in the January turn (dynamics), not
here. Not modelled: the quality of the work and houses found unsafe again, demolition of the old
house (拆旧), the loans households took for their part, and any effect of a safe house on health or
income.
"""

from __future__ import annotations

import numpy as np

from ...parameters.typed import HousingSection
from .. import year_kernels
from ..population import HOUSING_D, HOUSING_SAFE
from .base import Policy


def first(mask: np.ndarray, priority: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` households of ``mask`` with the lowest ``priority`` (all of them if fewer)."""
    idx = np.flatnonzero(mask)
    if idx.size <= k:
        return mask
    out = np.zeros_like(mask)
    if k > 0:
        out[idx[np.argpartition(priority[idx], k - 1)[:k]]] = True
    return out


class Housing(Policy):
    lever = "housing"
    p: HousingSection
    reads = ("hh.housing", "hh.category")
    writes = ("hh.housing", "ys.outlay")

    def __init__(self, ctx, seed):
        super().__init__(ctx, seed)
        # registered households at the start, in the whole region: the base of renovations_per_10k
        self.per_10k = float(np.count_nonzero(ctx.hh.category > 0)) * ctx.weight / 1e4

    def eligible(self) -> np.ndarray:
        """Benefit-eligible households in a C or D house."""
        return self.ctx.eligible & (self.ctx.hh.housing != HOUSING_SAFE)

    def year_start(self) -> None:
        c, p = self.ctx, self.p
        hh = c.hh
        take = self.eligible() & (self.rng.random(hh.n) < p.renovation_rate)
        # grant = where(D, grant_d, grant_c); D first, then the poorest: a lower priority number is paid first,
        # priority = c.priority - 1e9 × (D): one pass (year_kernels.renovation)
        grant, priority = np.empty(hh.n), np.empty(hh.n)
        year_kernels.renovation(c.priority, hh.housing, HOUSING_D, float(p.grant_d), float(p.grant_c), grant, priority)
        if p.renovations_per_10k > 0:
            take = first(take, priority, c.count(p.renovations_per_10k * self.per_10k))
        rows = np.flatnonzero(take)  # pay(where(take, grant, 0)) on the rows taken (the same yuan, the same order under a cap)
        paid = rows[self.pay(grant[rows], priority=priority, rows=rows) > 0]
        hh.housing[paid] = HOUSING_SAFE
        c.ys.outlay[paid] += p.own_contribution * grant[paid]  # spending, not a deduction from net income
