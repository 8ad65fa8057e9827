"""Villages as Mesa agents. Their state lives in the model's per-village arrays; an agent is a
named view onto its row, so the vectorised rules never loop over villages either.

**Poor villages (贫困村) in the model.** A scenario gives the number of villages and of registered
poor villages and the share of the registered poor living in them (``population.*``; Jingzhou: 371
poor villages of about 2,300, holding 60 % of the registry, the national share of 2017); the poor are spread
unevenly over the poor villages (``population.poor_village_concentration``). New poor and relapsed
households are the model's own households, so they stay in their villages.

**What the policy did for them**, as the model has it:

- *The work team is there*: every poor village has a 驻村工作队 and 第一书记 with funds (the
  Jingzhou decision §三(二)), so the measures that run through the village put the households of a
  poor village not yet exited, still poor (未脱贫户, the precise-exit briefing §一(二)12), first among
  the equally suited (``village.focus``, the tie-break of ``targeting.choose``): industry projects
  and cooperative shares (贫困村产业发展基金, §二(二)1), credit (金融组织对贫困村的支持, §二(二)2),
  扶志 (the team's work) and 以工代赈. Training, job placement and 公益岗位 are the county labour
  departments' (§二(三)3) and keep no place priority.
- *Batches*: each year the open poor villages nearest the standard, an equal share of those left
  until the plan year (the scenario's deadline, else its last year), are that year's batch and are
  served first of all (``village.batch_focus``; the Shanxi village plan §三(二) 退出优先、批次推进).
  The batch is a priority, not a quota (no 指令性计划 for villages, the precise-exit briefing §一(三)4).
- *Village money*: the industry lever's village fund builds collective assets (collective income,
  village photovoltaic stations); 以工代赈 pays wages for works in every poor village (``work_relief``).

**Villages differ in remoteness** (``village.remoteness_correlation``, ``village.level_sigma``,
``village.growth_sigma``): each village has a persistent remoteness z (market access, roads), a
standard normal, correlated among the poor villages with their start incidence. It acts on local
market income only (local wages and farm income; migrant wages are earned in the cities), by
factors exp(-s z), scaled to one on average over the registered poor (so their income and its
growth as a whole stay the catalog's, calibrated ones): at the start on the level
(``level_sigma``: remote villages' poor start further below the line, 贫困程度深; not applied to an
imported registry's recorded incomes), on the return of an industry project run in the village
(the same market factor), and each year on growth (``growth_sigma``): the geographic poverty trap
(Jalan and Ravallion 2002; roads and village growth, Chen et al.). So poverty concentrates in the
remote poor villages (深度贫困村) while the accessible ones empty out. Left out: the roads and other
village infrastructure built during the campaign (roads to every poor village were among its
aims) closing the gap: the model has no infrastructure measure, so the gap persists to the end.

**The exit rule** (``PovertyModel._village_exits``, at each assessment): a poor village exits when
its incidence (registered poor not yet out, over its rural people) is under 2 % (3 % in the west)
and its collective income reaches 5万 yuan (九有, the Jingzhou decision §二(四)). Left out: the
九有 hardware (roads, water, power, broadband), which the Jingzhou decision dates for every poor
village by 2015-2018 and the Shanxi plan schedules with each village's exit batch, so it does not
hold back an exit by the plan year; and the decision's aim that villagers' income reach 70 % of the
city's average, since the model does not follow the non-poor residents' incomes.

**What it does not reproduce** (``benchmarks/village_exits.py`` says which condition binds each
year): households leave poverty almost independently of their village, so each poor village keeps
about the same share of its poor (from 2018 the spread across villages is binomial) and incidence
falls everywhere together. Published counts need the opposite: most poor villages empty out while a
quarter stay deep (3万 above 20 % at end-2017, 2.6万 left at end-2018, 2,707 at end-2019; the model
has about none, twice and three times those). The drivers of late exits (migrant jobs at the
published scale, 低保 at the line, transfers) are given out village-blind, remoteness acts only on
local market income, and a national scenario's provinces are split in proportion (same incidence,
same yearly goal): the model has no place that falls behind and then catches up. Collective income,
the other way, passes too easily: by 2017 nearly every open poor village has 5万 (the village fund's
return), against two thirds of poor villages with no collective economy that year
(data/validation_figures.csv poor_villages_without_collective_economy).
"""

from __future__ import annotations

import mesa
import numpy as np
from scipy.special import ndtri  # norm.ppf itself, without importing scipy.stats (0.7 s in every process)


def average_ranks(x: np.ndarray) -> np.ndarray:
    """Ranks from 1, ties given their mean rank: ``scipy.stats.rankdata(x)`` (the same float values, all
    NaN if any is), here so that a worker does not import scipy.stats for it."""
    if np.isnan(x).any():
        return np.full(x.size, np.nan)
    order = np.argsort(x, kind="stable")
    y = x[order]
    starts = np.flatnonzero(np.r_[True, y[1:] != y[:-1]])
    counts = np.diff(np.r_[starts, y.size])
    ranks = np.empty(x.size)
    ranks[order] = np.repeat(np.arange(1.0, x.size + 1)[starts] + (counts - 1.0) / 2, counts)
    return ranks


def remoteness(incidence: np.ndarray, poor: np.ndarray, correlation: float, rng: np.random.Generator) -> np.ndarray:
    """Each village's remoteness z, a standard normal: for a registered poor village
    rho * (normal score of its rank in start incidence) + sqrt(1 - rho^2) * noise, so the poor
    villages with the most poor are mostly the remote ones (``village.remoteness_correlation``);
    for the others noise alone. Persistent: drawn once, at the start."""
    z = rng.standard_normal(incidence.size)
    ids = np.flatnonzero(poor)
    if ids.size:
        score = ndtri((average_ranks(incidence[ids]) - 0.5) / ids.size)
        score /= max(score.std(), 1e-12) if ids.size > 1 else 1.0  # unit variance, so z stays standard
        z[ids] = correlation * score + np.sqrt(1 - correlation ** 2) * z[ids]
    return z


def growth_factor(z: np.ndarray, sigma: float, weights: np.ndarray) -> np.ndarray:
    """A village's factor on its households' local market income, exp(-sigma z) scaled to a mean
    of one over ``weights`` (the registered poor people of each village at the start): remote
    villages get less, accessible ones more, and the registered poor as a whole the catalog's
    income and growth (the village effect moves income between villages, not its average)."""
    f = np.exp(-sigma * z)
    return f * (weights.sum() / (f @ weights)) if weights.sum() > 0 else f


def grow_by_village(hh, factor: np.ndarray) -> None:
    """The village effect on the year's income growth: local wages and farm income (roads and
    markets act on local work, Qiao et al. 2014), not migrant wages earned in the cities."""
    f = factor[hh.village.astype(np.intp)]
    hh.wage_local *= f
    hh.farm *= f


class Village(mesa.Agent):
    """A village (行政村): its people, whether it is a registered poor village, and its exit."""

    def __init__(self, model, vid: int):
        super().__init__(model)
        self.vid = vid

    @property
    def is_poor_village(self) -> bool:
        return bool(self.model.poor_village[self.vid])

    @property
    def rural_people(self) -> int:
        return int(self.model.village_people[self.vid])

    @property
    def incidence(self) -> float:
        """Registered poor people (not yet exited) over the village's rural people."""
        return float(self.model.village_incidence()[self.vid])

    @property
    def remoteness(self) -> float:
        """The village's persistent remoteness z (a standard normal; higher: further from markets)."""
        return float(self.model.village_remoteness[self.vid])

    @property
    def exit_year(self) -> int | None:
        y = int(self.model.village_exit_year[self.vid])
        return None if y < 0 else y

    def __repr__(self) -> str:
        kind = "poor village" if self.is_poor_village else "village"
        return f"<Village {self.vid}: {kind}, {self.rural_people} people, incidence {self.incidence:.1%}>"


class VillageAgents:
    """A Mesa model whose villages are Mesa agents (:class:`Village`), made on first use: by ``villages``,
    Mesa's ``agents``, ``agents_by_type`` or ``agent_types`` (and before any household agent, so every
    agent's id is as if they were made with the model). No rule reads them, and making Jingzhou's 2,300
    cost about 13 ms of every replicate. Needs ``poor_village`` (one entry per village)."""

    _villages: list[Village] | None = None

    @property
    def villages(self) -> list[Village]:
        if self._villages is None:
            self._villages = [Village(self, i) for i in range(self.poor_village.shape[0])]
        return self._villages

    @property
    def agents(self):
        self.villages
        return super().agents

    @property
    def agents_by_type(self):
        self.villages
        return super().agents_by_type

    @property
    def agent_types(self):
        self.villages
        return super().agent_types


class HouseholdAgent(mesa.Agent):
    """One household as a Mesa agent: a named view onto its row of the columnar table, so Mesa's
    tools (AgentSet, agent reporters) can look at it. Made on request (``model.household(i)``);
    the monthly rules never loop over these."""

    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = index
        self._view = model.hh.view(index)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._view, name)

    def __repr__(self) -> str:
        return repr(self._view).replace("<Household", "<HouseholdAgent", 1)
