"""就业扶贫: training, job placement, public-welfare posts (公益岗位) and ecological rangers.

The Jingzhou decision, 2015, §二(三)1 (农村实用技术培训, 全市每年培训1万人以上) and §二(三)3 (招商促就业;
就业困难人员; 公益性岗位进行兜底安置); the Mukainaoer 2016 plan §四(三) (护林员、草原管护员).

**Mechanism.** *Training* (once per household: it remembers who was trained) raises the trained
labourer's wage by ``training_wage_gain`` (scaled by how well it fits the cause) and puts the household first in line for a placement.
*Placement* gives a low-earning labourer a job, local (``placement_wage``) or, with chance
``migrant_share``, away from home (转移就业, ``migrant_wage``, exposed to the migrant job-loss
shocks); the household gains the job's wage less what that labourer earned before. A placed job
ends with chance ``separation_rate`` a year (the household loses the gain) and the labourer may be
placed again later (return). *Posts* pay ``post_wage`` to households without a labourer but with
an elderly or disabled member able to do light work, while the household is eligible; *rangers*
(a fixed number of posts) pay ``ranger_wage`` to households with labour.
*转移就业 at the published scale*: where the scenario gives, by year, the registered poor labourers in
wage work away (``[campaign] migrant_workers``, exited included, as counted) and the yearly earnings of
one of them (``migrant_earnings``), the registered households' wage income, at those earnings a
labourer, stands for a number of labourers; the first count is the stock already away (its wages are in
the households' starting incomes: it sets how many labourers the model's wages stand for per published
one and moves no one, or the whole count would leave home in its first year); while a later count, in
that proportion, is short of the wages held, a free labourer
of each of that many more registered households goes (by the placement's 因户施策 score of cause
and labour), earning the published amount and giving up a worker's share of the household's local
wage. The number moved is whatever closes the gap: the labour market's absorption, which the counts
record, sets it rather than a take-up rate.

**Eligibility.** Benefit-eligible households: with a labourer for training (not yet trained) and
placement (earning less per labourer than a local job pays, not placed now); without one for posts.

**Capacity per year.** Training places and new jobs per 10,000 registered people at the start
(``training_places_per_10k``: the decision's 1万 trainees a year over Jingzhou's 40.5万 registered
poor; ``placement_jobs_per_10k``: a stated assumption of labour demand, about 6,000 jobs a year in
Jingzhou, 750 per county); posts held at once per 10,000 (``posts_per_10k``); nationally, labourers
in wage work away as published: 1527万 (2016), 2729万 (2019), 2973万 (October 2020; MOHRSS and the
poverty-alleviation office; data/national_series.csv). Within them,
households ask at ``training_take_up``, ``placement_rate`` and ``post_rate`` (scaled by the year's
funding intensity).

**因户施策.** Training and placement go first to households whose main cause is lack of skills
(suits 1), then lack of funds, disaster or other causes (0.5), schooling or illness (0.25), and
last disability or lack of labour (0); a quarter of the score is capacity (min(labour, 2) / 2), and
for placement the trained come before the untrained (half the score). Posts go first to households
poor for lack of labour.

**Effect size.** Wages from the national migrant-worker survey and Hubei's minimum wage (catalog);
training gain 15 % and separation 20 % a year, stated assumptions with plausible ranges. The
training gain is full for households short of skills and ``training_gain_unsuited`` of it (half)
where the cause is one training does not address (score 0), linearly in the cause score; set it to
1 to measure targeting when the cause does not matter.

Nationally a labourer away earned 12,451 yuan in 2016 and 26,544 in 2019 (平均务工年收入, part-year
work included; MOHRSS at the State Council Information Office, 2020-11-19).

**Cost.** ``training_cost`` per trainee and ``placement_cost`` per placement (a labourer moved away
included: job services, transport subsidies), once; post and ranger wages every month.

**Left out.** Which member works (one labourer per measure), hours and seasons, the costs of living
away, employers' choices beyond the yearly number of jobs, and self-employment (the 2000-yuan
一次性创业补贴). A separated job's gain is removed as recorded at placement (not grown with wages),
and jobs end only while the lever is in force (after its last year, placed jobs last). The published
count of labourers away is met in wage income, not in people: the model does not tell wage work away
from the village within the county from 外出 work, so its local wages count toward the number, and a
household's migrant wage grows with ``income.wage_growth`` until the next year's count tops it up.
"""

from __future__ import annotations

import numpy as np

from ...parameters.typed import EmploymentSection
from .. import year_kernels
from ..targeting import choose, how_many
from .base import Policy
from .suits import cause_score, effect_scale, fit_with_labour

# how well training and placement suit a household's main cause of poverty (因户施策), 0-1
SUITS_BY_CAUSE = {"lack_skills": 1.0, "lack_funds": 0.5, "disaster": 0.5, "other": 0.5,
                  "schooling": 0.25, "illness": 0.25}


class Employment(Policy):
    lever = "employment"
    p: EmploymentSection
    owns = ("trained", "placed", "migrant", "gain", "post", "ranger")
    reads = ("hh.labour", "hh.wage_local", "hh.wage_migrant", "hh.elderly", "hh.disabled", "hh.cause",
             "hh.size", "hh.category", "params.targeting")
    writes = ("hh.wage_local", "hh.wage_migrant", "ys.income", "ys.benefits")

    def __init__(self, ctx, seed):
        super().__init__(ctx, seed)
        hh = ctx.hh
        n = hh.n
        self.trained = np.zeros(n, bool)  # a labourer of the household has been trained (once)
        self.placed = np.zeros(n, bool)   # holds a placed job
        self.migrant = np.zeros(n, bool)  # the placed job is away from home (转移就业)
        self.gain = np.zeros(n)           # what the placed job adds to the household's wages, yuan a year
        self.post = np.zeros(n, bool)     # holds a public-welfare post
        self.ranger = np.zeros(n, bool)   # holds an ecological ranger post
        # capacities are per 10,000 registered people at the start (simulated households: ctx.count)
        self.per_10k = float(hh.size[hh.category > 0].sum()) * ctx.weight / 1e4
        self.counts = {"trained": 0, "placed": 0}  # this year's, in simulated households
        # the model's wage income per published labourer away at the first count (1 = the count as published);
        # later counts move the wages in proportion (migrate)
        self.stock: float | None = None
        # the month's posts and rangers paid (rows and wages), kept while the eligibility mask they were made
        # for is in force (it changes only at a status change; January's choices start them again)
        self._paying: tuple | None = None

    def capacity(self, per_10k: float) -> int:
        return self.ctx.count(per_10k * self.per_10k)

    def year_start(self) -> None:
        c, p, hh = self.ctx, self.p, self.ctx.hh
        by_cause = c.params.targeting.by_cause
        u = self.rng.random((2, hh.n))
        # job loss: a placed job ends, the household loses what it added (the labourer may be placed again)
        ends = np.flatnonzero(self.placed & (u[0] < p.separation_rate))  # (rows: each mask below is read once)
        away = self.migrant[ends]
        for wage, kind in ((hh.wage_migrant, away), (hh.wage_local, ~away)):
            i = ends[kind]
            wage[i] -= np.minimum(self.gain[i], wage[i])
        self.placed[ends] = False
        self.gain[ends] = 0.0
        eligible = self.eligible()
        with_labour = eligible & (hh.labour > 0)
        fit = cause_score(hh.cause, SUITS_BY_CAUSE)
        capacity = fit_with_labour(fit, hh.labour)
        # training, once per household: one labourer's wage up by the training gain (less where skills
        # are not what holds the household back)
        pool = with_labour & ~self.trained
        k = min(how_many(pool, p.training_take_up, self.rng, c.intensity), self.capacity(p.training_places_per_10k))
        chosen = choose(pool, k, capacity, self.rng, by_cause)
        trained = self.pay_each(chosen, p.training_cost)  # rows
        per_worker = (hh.wage_local[trained] + hh.wage_migrant[trained]) / np.maximum(hh.labour[trained], 1)
        gain = p.training_wage_gain * effect_scale(fit[trained], p.training_gain_unsuited)
        hh.wage_local[trained] += gain * per_worker
        self.trained[trained] = True
        # placement of a low-earning labourer into a local or a migrant job, within the year's jobs; in one pass
        # (year_kernels.placement_pool): per_worker = (wage_local + wage_migrant) / np.maximum(labour, 1),
        # pool = with_labour & ~self.placed & (per_worker < p.placement_wage), suits = 0.5 * self.trained + 0.5 * capacity
        per_worker, pool, suits = np.empty(hh.n), np.empty(hh.n, bool), np.empty(hh.n)
        year_kernels.placement_pool(hh.wage_local, hh.wage_migrant, hh.labour, with_labour, self.placed, self.trained,
                                    capacity, float(p.placement_wage), per_worker, pool, suits)
        k = min(how_many(pool, p.placement_rate, self.rng, c.intensity), self.capacity(p.placement_jobs_per_10k))
        chosen = choose(pool, k, suits, self.rng, by_cause)
        placed = self.pay_each(chosen, p.placement_cost)  # rows
        to_away = u[1][placed] < p.migrant_share
        away, home = placed[to_away], placed[~to_away]
        self.gain[away] = np.maximum(p.migrant_wage - per_worker[away], 0.0)
        self.gain[home] = np.maximum(p.placement_wage - per_worker[home], 0.0)
        hh.wage_migrant[away] += self.gain[away]
        hh.wage_local[home] += self.gain[home]
        self.placed[placed] = True
        self.migrant[placed] = to_away
        self.counts = {"trained": trained.size, "placed": placed.size, "migrated": self.migrate(capacity)}
        # public-welfare posts for households hard to employ (no labourer, someone able to do light work)
        hard = np.empty(hh.n, bool)  # eligible & (labour == 0) & ((elderly + disabled) > 0) & ~post, in one pass
        year_kernels.post_pool(eligible, hh.labour, hh.elderly, hh.disabled, self.post, hard)
        free = max(self.capacity(p.posts_per_10k) - np.count_nonzero(self.post), 0)
        k = min(how_many(hard, p.post_rate, self.rng, c.intensity), free)
        self.post |= choose(hard, k, cause_score(hh.cause, {"lack_labour": 1.0}), self.rng, by_cause)
        # ecological rangers: a fixed number of posts for households with labour
        want = c.count(p.ranger_posts) - np.count_nonzero(self.ranger)
        self.ranger |= choose(with_labour & ~self.ranger, max(want, 0), capacity, self.rng, by_cause)
        self._paying = None

    def migrate(self, capacity: np.ndarray) -> int:
        """转移就业 at the published scale, in years the scenario gives the registered labourers in wage work
        away (``ctx.migrant_workers``) and their yearly earnings ``W`` (``ctx.migrant_earnings``): the registered
        households' wage income, at ``W`` a labourer, stands for ``wage / W`` labourers in such work; while that is
        short of the published number, one free labourer (not yet earning ``W``) of each of that many more registered
        households (exited included, as the count is) goes, earning ``W`` and leaving a local worker's share of the
        household's local wage. The first count is a stock, not a year's moves: those labourers were away before
        it (wage work away did not start with the count), so their wages are already in the households' starting
        incomes; the first year sets how many published labourers the model's wages stand for (``stock``) and moves
        no one, and later counts move labourers in proportion to the count's change. ``capacity`` is the 因户施策
        score (cause and labour). Returns how many went."""
        c, hh = self.ctx, self.ctx.hh
        w = c.migrant_earnings
        if c.migrant_workers <= 0 or w <= 0:
            return 0
        wages = hh.wage_local + hh.wage_migrant
        registered = hh.category > 0
        held = float(wages[registered].sum()) / w
        if self.stock is None:  # the first count: labourers already away, in the wages the households started with
            self.stock = held / (c.migrant_workers / c.weight)
            return 0
        k = int(round(self.stock * c.migrant_workers / c.weight - held))
        pool = np.empty(hh.n, bool)  # registered & (labour > np.floor(wages / w)), in one pass
        year_kernels.migrant_pool(registered, hh.labour, wages, float(w), pool)
        if k <= 0 or not pool.any():
            return 0
        chosen = choose(pool, k, capacity, self.rng, c.params.targeting.by_cause)
        went = self.pay_each(chosen, self.p.placement_cost)  # rows
        local_share = hh.wage_local[went] / np.maximum(hh.labour[went], 1)
        hh.wage_local[went] -= local_share
        hh.wage_migrant[went] += w
        return went.size

    def month(self) -> None:
        keep, p = self.eligible(), self.p
        if self._paying is None or self._paying[0] is not keep:  # the mask (read-only) is new only after a status change
            self.post &= keep
            self.ranger &= keep
            rows = np.flatnonzero(self.post | self.ranger)  # a few households: pay their rows only
            self._paying = (keep, rows, self.post[rows] * (p.post_wage / 12) + self.ranger[rows] * (p.ranger_wage / 12))
        _, rows, wages = self._paying
        if rows.size:
            self.transfer(wages, rows=rows)

    def record(self) -> dict[str, float]:
        """Trained and placed this year, placed jobs and posts held at the assessment (households)."""
        w, on = self.ctx.weight, self.active(self.ctx.year)
        return {"employment_trained": self.counts["trained"] * w * on,
                "employment_placed": self.counts["placed"] * w * on,
                "employment_jobs_held": float(self.placed.sum()) * w,
                "employment_posts_held": float(self.post.sum()) * w}
