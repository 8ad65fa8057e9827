"""就业扶贫: training, job placement, public-welfare posts (公益岗位) and ecological rangers.

The Jingzhou decision, 2015, §二(三)1 and 3 (农村实用技术培训; 就业困难人员; 公益性岗位进行兜底安置);
the Mukainaoer 2016 plan §四(三) (护林员、草原管护员). Training and placement raise wages for good;
posts pay while the household keeps its benefits.
"""

from __future__ import annotations

import numpy as np

from ...parameters.typed import EmploymentSection
from .base import Policy


class Employment(Policy):
    lever = "employment"
    p: EmploymentSection
    owns = ("post", "ranger")
    reads = ("hh.labour", "hh.wage_local", "hh.wage_migrant", "hh.elderly", "hh.disabled")
    writes = ("hh.wage_local", "ys.income", "ys.benefits")

    def __init__(self, ctx, seed):
        super().__init__(ctx, seed)
        n = ctx.hh.n
        self.post = np.zeros(n, bool)    # holds a public-welfare post
        self.ranger = np.zeros(n, bool)  # holds an ecological ranger post

    def year_start(self) -> None:
        c, p = self.ctx, self.p
        hh, u = c.hh, self.rng.random((4, c.hh.n))
        eligible = self.eligible()
        with_labour = eligible & (hh.labour > 0)
        # training: one labourer of the household, wage up by the training gain
        trained = self.pay(np.where(with_labour & (u[0] < p.training_take_up), p.training_cost, 0.0)) > 0
        per_worker = (hh.wage_local + hh.wage_migrant) / np.maximum(hh.labour, 1)
        hh.wage_local[trained] += p.training_wage_gain * per_worker[trained]
        # placement into a job for households whose labour earns little
        low_wage = with_labour & (per_worker < p.placement_wage)
        placed = self.pay(np.where(low_wage & (u[1] < p.placement_rate), p.placement_cost, 0.0)) > 0
        hh.wage_local[placed] += p.placement_wage
        # public-welfare posts for households hard to employ (no labourer, someone able to do light work)
        hard = eligible & (hh.labour == 0) & ((hh.elderly + hh.disabled) > 0) & ~self.post
        self.post |= hard & (u[2] < p.post_rate)
        # ecological rangers: a fixed number of posts for households with labour
        free = np.flatnonzero(with_labour & ~self.ranger)
        want = c.count(p.ranger_posts) - int(self.ranger.sum())
        if want > 0 and free.size:
            self.ranger[self.rng.choice(free, size=min(want, free.size), replace=False)] = True

    def month(self) -> None:
        keep, p = self.eligible(), self.p
        self.post &= keep
        self.ranger &= keep
        self.transfer(self.post * (p.post_wage / 12) + self.ranger * (p.ranger_wage / 12))
