"""产业扶贫: household production projects, cooperative shares with a guaranteed dividend, and
village funds for the collective economy.

**Mechanism.** Three measures (the Jingzhou decision, 2015, §二(二)1, §二(五)4, §三(二)):

- *Household projects* (到户产业): a grant of ``grant`` yuan starts a household's own crop or
  livestock project, which earns ``return_rate`` × grant a year once up, ramping up linearly over
  ``ramp_months`` (k/``ramp_months`` of it in month k) and lost to a village disaster with the farm
  income; each January a running project fails with chance ``failure_rate`` and earns nothing
  more. The return is the household's own earnings, not a transfer. Size: 0.45 a year, about
  1,400 yuan on a 3,000-yuan grant, the 13.9 % rise in poor households' per-capita net income an
  evaluation found (Shaanxi tracking data 2014-2019) on a registered household's ~10,000 yuan.
  The return is scaled by the village's local market access (mean one; lower in remote villages,
  ``village.level_sigma``, sim/village.py): the project sells on the village's market.
- *Cooperative shares* (资产收益, 量化到户、股份合作、保底分红): fund money of ``coop_capital`` is put
  into a cooperative as a household's share, which pays a guaranteed dividend of
  ``coop_dividend_rate`` × capital a year (5-8 % in county schemes: 高县 and 青神县, Sichuan, c. 2016-2017).
  The share is held while the household keeps its benefits; then it passes to another eligible
  household (动态管理, 遞補) at no new cost, so the funded shares are a capacity that only new money
  raises. The dividend is paid by the cooperative (income and a benefit, not budget spend; the
  budget pays the capital).
- *Village funds*: each poor village not yet exited gets ``village_fund`` a year (work teams: ≥10万
  city, ≥5万 county), which builds collective assets earning ``collective_return`` a year for good:
  collective income counts toward the village exit standard (有5万元以上的集体收入, §二(四)).

**Eligibility and 因户施策.** Projects: benefit-eligible households with labour and no project
yet; suited (``targeting.by_cause``) are those whose main cause is lack of funds or of skills
(缺资金, 缺技术), more so with two or more labourers (suits = ½·[cause] + ½·min(labour, 2)/2).
Shares: benefit-eligible households without one; suited are those that cannot run a project of
their own: no labourer, or main cause illness, disability or lack of labour (the asset-income model
for 无劳力、弱劳力 households). Without ``by_cause`` the same numbers go at random.

**Capacity per year.** New projects: ``take_up`` × eligible × funding intensity (binomial); new
shares: ``coop_take_up`` × eligible non-members × intensity, plus the vacated shares refilled;
village funds: one per poor village not yet exited. **Cost**: the grants, the share capital and the
village funds, once each (a grant or a share is paid when given).

**Left out.** Market prices and gluts when a whole county raises the same product, the household's
own labour and land (the return is net of them), projects restarting after a failure, the
cooperative itself failing (the dividend is guaranteed), and the income collective assets pay out
to households (公益岗位 from collective income are employment's).
"""

from __future__ import annotations

import numpy as np

from ...parameters.typed import IndustrySection
from .. import pay_kernels, year_kernels
from ..targeting import choose, how_many
from .base import Policy
from .suits import cause_table

# the causes that suit a project of the household's own, or a share instead
PROJECT_CAUSES = {"lack_funds": 1.0, "lack_skills": 1.0}
SHARE_CAUSES = {"illness": 1.0, "disability": 1.0, "lack_labour": 1.0}


class Industry(Policy):
    lever = "industry"
    p: IndustrySection
    owns = ("grant", "started", "coop", "coop_at", "running_at", "earning")
    reads = ("hh.labour", "hh.cause", "hh.village", "ys.disaster_loss", "villages.poor", "villages.exit_year",
             "villages.market", "params.targeting")
    writes = ("ys.income", "ys.benefits", "villages.collective")

    def __init__(self, ctx, seed):
        super().__init__(ctx, seed)
        n = ctx.hh.n
        self.grant = np.zeros(n)          # yuan invested in the household's own project (0: none or failed)
        self.started = np.full(n, -1)     # month index the project started
        self.coop = np.zeros(n, bool)     # holds a cooperative share with a guaranteed dividend
        self.coop_at = np.zeros(n, np.int64)  # the shareholders by index (the first coop_count), for speed
        self.coop_count = 0
        self.running_at = np.zeros(n, np.int64)  # households with a running project by index (the first running_count)
        self.running_count = 0
        self.shares = 0                   # cooperative shares funded so far (simulated households)
        self.earning = np.zeros(n)        # a running project's monthly earnings before a disaster (0: none)
        self.ramping = 0                  # the first of running_at still ramping up
        self._ramp = (np.zeros(0), np.zeros(0, np.int64))  # grant × return × market and start by position (January)

    def eligible(self) -> np.ndarray:
        """Benefit-eligible households with labour and no project yet (for a project)."""
        return self.ctx.eligible & (self.ctx.hh.labour > 0) & (self.started < 0)

    def project_suits(self) -> np.ndarray:
        hh, out = self.ctx.hh, np.empty(self.ctx.hh.n)
        # 0.5 * cause_score(hh.cause, PROJECT_CAUSES) + 0.25 * np.minimum(hh.labour, 2), in one pass
        year_kernels.project_suits(cause_table(PROJECT_CAUSES), hh.cause, hh.labour, out)
        return out

    def share_suits(self) -> np.ndarray:
        hh, out = self.ctx.hh, np.empty(self.ctx.hh.n)
        # ((hh.labour == 0) | (cause_score(hh.cause, SHARE_CAUSES) > 0)).astype(float), in one pass
        year_kernels.share_suits(cause_table(SHARE_CAUSES), hh.cause, hh.labour, out)
        return out

    def year_start(self) -> None:
        c, p = self.ctx, self.p
        by_cause = c.params.targeting.by_cause
        # running projects fail now and then; a failed project earns nothing more (failed = (grant > 0) & (u <
        # failure_rate): the running ones are last January's running_at, the rows with grant > 0, youngest first)
        running, u = self.running_at[:self.running_count], self.rng.random(c.hh.n)
        fails = u[running] < p.failure_rate
        self.grant[running[fails]] = 0.0
        # new household projects
        eligible = self.eligible()
        take = choose(eligible, how_many(eligible, p.take_up, self.rng, c.intensity), self.project_suits(),
                      self.rng, by_cause, self.ctx.focus)
        paid = self.pay_each(take, p.grant)  # rows
        self.grant[paid] = p.grant
        self.started[paid] = c.t
        # the rows with grant > 0 youngest first, ties by row (flatnonzero, then a stable sort on -started): this
        # January's (the youngest, rows ascending) before the survivors, already in that order
        at = np.concatenate((paid, running[~fails]))
        self.running_count = self.ramping = at.size
        self.running_at[:at.size] = at
        self.earning.fill(0.0)
        # each project's grant × return × village market and start, by position: fixed for the year
        self._ramp = (np.empty(at.size), np.empty(at.size, self.started.dtype))
        pay_kernels.project_base(at, self.grant, p.return_rate, c.hh.village, c.villages.market, self.started,
                                 *self._ramp)
        # cooperative shares: those of households that lost their benefits pass to others, then new ones
        self.coop &= c.eligible
        free = c.eligible & ~self.coop
        suits = self.share_suits()
        refill = choose(free, self.shares - np.count_nonzero(self.coop), suits, self.rng, by_cause, self.ctx.focus)
        free &= ~refill
        new = choose(free, how_many(free, p.coop_take_up, self.rng, c.intensity), suits, self.rng, by_cause, self.ctx.focus)
        funded = self.pay_each(new, p.coop_capital)  # rows
        self.shares += funded.size
        self.coop |= refill
        self.coop[funded] = True
        at = np.flatnonzero(self.coop)
        self.coop_count = at.size
        self.coop_at[:at.size] = at
        # work-team and fund money for each poor village's collective economy
        # (in sampled mode paid at the villages' weight over the households', which the ledger applies)
        scale = c.village_weight / c.weight
        v_paid = self.pay_villages(np.where(c.villages.poor & (c.villages.exit_year < 0), p.village_fund * scale, 0.0))
        c.villages.collective += v_paid / scale * p.collective_return

    def month(self) -> None:
        c, p = self.ctx, self.p
        young = self.running_at[:self.ramping]  # projects start and fail only in January; youngest first
        if young.size:  # a month's earnings before a disaster, computed again only while a project ramps up
            # (pay_kernels.ramp_up: ramp = min(1, (t - started + 1) / ramp_months),
            #  earning = grant × return × village market × ramp / 12: a remote village's market pays less, village.level_sigma)
            base, start = self._ramp
            self.ramping = pay_kernels.ramp_up(young, c.t, start, base, p.ramp_months, self.earning)  # still ramping: a prefix
        if self.running_count:  # the household's own earnings, not a transfer (0 without a running project)
            pay_kernels.earn(c.ys.income, self.earning, c.ys.disaster_loss)  # income += earning × (1 − disaster loss)
        # the guaranteed dividend, paid by the cooperative (the budget paid the capital)
        holders = self.coop_at[:self.coop_count]
        if holders.size:
            dividend = p.coop_dividend_rate * p.coop_capital / 12
            pay_kernels.receive_at(holders, dividend, c.ys.income, c.ys.benefits)
