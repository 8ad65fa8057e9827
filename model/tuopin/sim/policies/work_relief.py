"""以工代赈: public works in poor villages that pay wages to poor labourers instead of relief.

**Mechanism.** Each January every registered poor village (exited ones too: 摘帽不摘政策) gets
``investment`` yuan of small
public works (village roads, irrigation, land improvement); a share ``wage_share`` of it is the wage
bill, paid to local poor labourers at ``wage`` yuan each for the year, so the works employ
``investment`` × ``wage_share`` / ``wage`` labourers per village (pooled over the poor villages, as
a county runs the projects). A participant household earns the wage in monthly parts: its own
earnings (counted in income, not as a benefit, so 等靠要 does not grow with it), for the year.
The rest of the investment buys materials and machinery. The Shanxi poor-village plan §二(三)14 asks
for every public-welfare project to be done this way (各类公益性扶贫项目,采用以工代赈的方式) to raise
内生动力; the Hebei 2019 guidance names it among the ways to bring the poor into production
(以工代赈、生产奖补、劳务补助).

**Eligibility and 因户施策.** One labourer of a benefit-eligible household with labour, living in a
registered poor village. With ``targeting.by_cause`` those suited come first: suits = ½ if the
main cause is lack of funds or skills or a disaster (缺资金, 缺技术, 因灾), + ½ if no one in the
household has migrant work (labour free for local works); at random otherwise. Among the equally
suited, the still-poor of the poor villages not yet exited come first (``village.focus``), this
year's exit batch before them (``village.batch_focus``; see ``sim/village.py``).

**Capacity per year.** Jobs = registered poor villages × ``investment`` × ``wage_share`` /
``wage`` × funding intensity; with the defaults 50,000 × 0.15 / 5,000 = 1.5 jobs per village, about
560 in Jingzhou's 371 poor villages. NDRC figures for later years give the scale: 2023, 73亿 of
central investment, ≥30 % as wages, ~20万 participants earning ~1万 each; 2024, 115亿, 37亿 of
wages (32 %), 25万 participants.

**Cost.** The whole investment: wages as paid, and the rest per village.

**Left out.** What the works build (roads and irrigation raising farm income later), skills
gained on the works, and the other work a participant gives up (the wage is counted in full).
"""

from __future__ import annotations

import numpy as np

from ...parameters.typed import WorkReliefSection
from .. import year_kernels
from ..targeting import choose
from .base import Policy
from .suits import cause_table

SUITED_CAUSES = {"lack_funds": 1.0, "lack_skills": 1.0, "disaster": 1.0}


class WorkRelief(Policy):
    lever = "work_relief"
    p: WorkReliefSection
    owns = ("worker", "worker_at")
    reads = ("hh.labour", "hh.cause", "hh.village", "hh.wage_migrant", "villages.poor", "villages.exit_year",
             "params.targeting")
    writes = ("ys.income",)

    def __init__(self, ctx, seed):
        super().__init__(ctx, seed)
        self.worker = np.zeros(ctx.hh.n, bool)  # a labourer of the household works on this year's works
        self.worker_at = np.zeros(ctx.hh.n, np.int64)  # the same households by index (the first worker_count)
        self.worker_count = 0

    def poor_villages(self) -> np.ndarray:
        """The registered poor villages, exited or not (摘帽不摘政策: the works go on to 2020)."""
        return self.ctx.villages.poor

    def eligible(self) -> np.ndarray:
        """Benefit-eligible households with labour in a registered poor village."""
        c, out = self.ctx, np.empty(self.ctx.hh.n, bool)
        # c.eligible & (c.hh.labour > 0) & self.poor_villages()[c.hh.village], in one pass
        year_kernels.relief_eligible(c.eligible, c.hh.labour, self.poor_villages(), c.hh.village, out)
        return out

    def suits(self) -> np.ndarray:
        hh, out = self.ctx.hh, np.empty(self.ctx.hh.n)
        # 0.5 * cause_score(hh.cause, SUITED_CAUSES) + 0.5 * (hh.wage_migrant <= 0), in one pass
        year_kernels.relief_suits(cause_table(SUITED_CAUSES), hh.cause, hh.wage_migrant, out)
        return out

    def scale(self) -> float:
        """Works per simulated poor village, in simulated households' terms: 1 in a full run; in
        sampled mode the villages' weight over the households' (they differ by the rounding of the
        sampled village count), so jobs and spend are weighted back right."""
        c = self.ctx
        return c.intensity * c.village_weight / c.weight

    def jobs(self) -> int:
        """This year's jobs (simulated households): the wage bill of the poor villages' works over the wage."""
        p = self.p
        if p.wage <= 0:
            return 0
        return int(round(self.poor_villages().sum() * p.investment * p.wage_share / p.wage * self.scale()))

    def year_start(self) -> None:
        c, p = self.ctx, self.p
        self.worker = choose(self.eligible(), self.jobs(), self.suits(), self.rng, c.params.targeting.by_cause, self.ctx.focus)
        at = np.flatnonzero(self.worker)
        self.worker_count = at.size
        self.worker_at[:at.size] = at
        self.pay_villages(np.where(self.poor_villages(), p.investment * (1 - p.wage_share) * self.scale(), 0.0))

    def month(self) -> None:
        c, who = self.ctx, self.worker_at[:self.worker_count]
        if who.size:  # the wage, the household's own earnings (not a benefit)
            c.ys.income[who] += self.pay(np.full(who.size, self.p.wage / 12), priority=c.priority[who])
