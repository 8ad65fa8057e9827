"""产业扶贫: household production grants, cooperatives with guaranteed dividends, village collective funds.

Seed 000 §二(二) (特色种养业, 龙头企业 and 合作社 带动), §二(五)4 (量化到户、股份合作、保底分红), §三(二)
(work-team funds per village). A project's return ramps up over its first months and can fail; a
cooperative pays its guaranteed dividend while the household keeps its benefits; village funds
build collective income toward the 5万 standard.
"""

from __future__ import annotations

import numpy as np

from .base import Policy


class Industry(Policy):
    lever = "industry"

    def __init__(self, model, seed):
        super().__init__(model, seed)
        n = model.hh.n
        self.grant = np.zeros(n)          # yuan invested in the household's own project
        self.started = np.full(n, -1)     # month index the project started
        self.coop = np.zeros(n, bool)     # member of a cooperative with a guaranteed dividend

    def year_start(self, year: int) -> None:
        m, p = self.model, self.p
        hh = m.hh
        # projects fail now and then; a failed project earns nothing more
        failed = (self.grant > 0) & (self.rng.random(hh.n) < p.failure_rate)
        self.grant[failed] = 0.0
        # new projects for eligible households with labour and none running
        eligible = m.benefit_eligible() & (hh.labour > 0) & (self.started < 0)
        take = eligible & (self.rng.random(hh.n) < p.take_up)
        paid = self.pay(np.where(take, p.grant, 0.0)) > 0
        self.grant[paid] = p.grant
        self.started[paid] = m.t
        join = paid & (self.rng.random(hh.n) < p.coop_share)
        joined = self.pay(np.where(join, p.coop_capital, 0.0)) > 0
        self.coop |= joined
        # work-team and fund money for each poor village's collective economy
        poor_v = m.poor_village & (m.village_exit_year < 0)
        v_paid = self.pay_villages(np.where(poor_v, p.village_fund, 0.0))
        m.village_collective += v_paid * p.collective_return

    def pay_villages(self, amounts: np.ndarray) -> np.ndarray:
        m = self.model
        return m.ledger.pay(self.lever, m.year, m.month, amounts)

    def month(self, year: int, month: int) -> None:
        m, p = self.model, self.p
        running = np.flatnonzero(self.grant > 0)
        if running.size:
            ramp = np.minimum(1.0, (m.t - self.started[running] + 1) / p.ramp_months)
            income = self.grant[running] * p.return_rate * ramp / 12 * (1 - m.ys.disaster_loss[running])
            m.ys.income[running] += income  # the household's own earnings, not a transfer
        dividend = np.where(self.coop & m.benefit_eligible(), p.coop_dividend / 12, 0.0)
        self.transfer(dividend)
