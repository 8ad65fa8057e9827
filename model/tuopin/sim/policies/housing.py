"""危房改造: grants that make C/D dangerous houses safe (safe housing is one of the 三保障).

The Jingzhou decision, 2015, §二(四)4 (国家危房改造资金优先用于贫困户…补助标准在现行基础上翻番;
到2018年全面解决); the precise-exit briefing §一(二)6 (C、D级危房全面排查; 2018年全面完成D级危房改造).
D houses are renovated before C houses.
"""

from __future__ import annotations

import numpy as np

from ...parameters.typed import HousingSection
from ..population import HOUSING_D, HOUSING_SAFE
from .base import Policy


class Housing(Policy):
    lever = "housing"
    p: HousingSection
    reads = ("hh.housing",)
    writes = ("hh.housing", "ys.outlay")

    def eligible(self) -> np.ndarray:
        """Benefit-eligible households in a C or D house."""
        return self.ctx.eligible & (self.ctx.hh.housing != HOUSING_SAFE)

    def year_start(self) -> None:
        c, p = self.ctx, self.p
        hh = c.hh
        take = self.eligible() & (self.rng.random(hh.n) < p.renovation_rate)
        grant = np.where(hh.housing == HOUSING_D, p.grant_d, p.grant_c)
        # D first, then the poorest: a lower priority number is paid first
        paid = self.pay(np.where(take, grant, 0.0), priority=c.priority - 1e9 * (hh.housing == HOUSING_D)) > 0
        hh.housing[paid] = HOUSING_SAFE
        c.ys.outlay[paid] += p.own_contribution * grant[paid]  # spending, not a deduction from net income
