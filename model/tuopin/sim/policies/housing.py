"""危房改造: grants that make C/D dangerous houses safe (safe housing is one of the 三保障).

Seed 000 §二(四)4 (国家危房改造资金优先用于贫困户…补助标准在现行基础上翻番; 到2018年全面解决), seed 001
§一(二)6 (C、D级危房全面排查; 2018年全面完成D级危房改造). D houses are renovated before C houses.
"""

from __future__ import annotations

import numpy as np

from ..population import HOUSING_D, HOUSING_SAFE
from .base import Policy


class Housing(Policy):
    lever = "housing"

    def year_start(self, year: int) -> None:
        m, p, hh = self.model, self.p, self.model.hh
        eligible = m.benefit_eligible() & (hh.housing != HOUSING_SAFE)
        take = eligible & (self.rng.random(hh.n) < p.renovation_rate)
        grant = np.where(hh.housing == HOUSING_D, p.grant_d, p.grant_c)
        # D first, then the poorest: a lower priority number is paid first
        priority = m.priority - 1e9 * (hh.housing == HOUSING_D)
        paid = m.ledger.pay(self.lever, year, m.month, np.where(take, grant, 0.0), priority) > 0
        hh.housing[paid] = HOUSING_SAFE
        m.ys.expense[paid] += p.own_contribution * grant[paid]

