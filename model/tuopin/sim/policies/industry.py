"""产业扶贫: household production grants, cooperatives with guaranteed dividends, village collective funds.

The Jingzhou decision, 2015, §二(二) (特色种养业, 龙头企业 and 合作社 带动), §二(五)4 (量化到户、股份合作、
保底分红), §三(二) (work-team funds per village). A project's return ramps up over its first months
and can fail; a cooperative pays its guaranteed dividend while the household keeps its benefits;
village funds build collective income toward the 5万 standard.
"""

from __future__ import annotations

import numpy as np

from ...parameters.typed import IndustrySection
from .base import Policy


class Industry(Policy):
    lever = "industry"
    p: IndustrySection
    owns = ("grant", "started", "coop")
    reads = ("hh.labour", "ys.disaster_loss", "villages.poor", "villages.exit_year")
    writes = ("ys.income", "ys.benefits", "villages.collective")

    def __init__(self, ctx, seed):
        super().__init__(ctx, seed)
        n = ctx.hh.n
        self.grant = np.zeros(n)          # yuan invested in the household's own project
        self.started = np.full(n, -1)     # month index the project started
        self.coop = np.zeros(n, bool)     # member of a cooperative with a guaranteed dividend

    def eligible(self) -> np.ndarray:
        """Benefit-eligible households with labour and no project running."""
        return self.ctx.eligible & (self.ctx.hh.labour > 0) & (self.started < 0)

    def year_start(self) -> None:
        c, p = self.ctx, self.p
        n = c.hh.n
        # projects fail now and then; a failed project earns nothing more
        failed = (self.grant > 0) & (self.rng.random(n) < p.failure_rate)
        self.grant[failed] = 0.0
        # new projects for eligible households with labour and none running
        take = self.eligible() & (self.rng.random(n) < p.take_up)
        paid = self.pay(np.where(take, p.grant, 0.0)) > 0
        self.grant[paid] = p.grant
        self.started[paid] = c.t
        join = paid & (self.rng.random(n) < p.coop_share)
        joined = self.pay(np.where(join, p.coop_capital, 0.0)) > 0
        self.coop |= joined
        # work-team and fund money for each poor village's collective economy
        v_paid = self.pay_villages(np.where(c.villages.poor & (c.villages.exit_year < 0), p.village_fund, 0.0))
        c.villages.collective += v_paid * p.collective_return

    def month(self) -> None:
        c, p = self.ctx, self.p
        running = np.flatnonzero(self.grant > 0)
        if running.size:
            ramp = np.minimum(1.0, (c.t - self.started[running] + 1) / p.ramp_months)
            income = self.grant[running] * p.return_rate * ramp / 12 * (1 - c.ys.disaster_loss[running])
            c.ys.income[running] += income  # the household's own earnings, not a transfer
        dividend = np.where(self.coop & c.eligible, p.coop_dividend / 12, 0.0)
        self.transfer(dividend)
