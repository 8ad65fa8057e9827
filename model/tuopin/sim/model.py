"""PovertyModel: the monthly clock, the household rules, the annual assessment, data collection.

The model owns the state: the household table ``hh``, the year's accumulators ``ys``, the
per-village arrays, the :class:`~.policies.SharedState` levers write (effort, reported income,
out-of-pocket medical cost) and the ledger. Levers see it only through one
:class:`~.policies.StepContext`, whose clock, line, eligibility mask and payment priority the
model updates before it calls their hooks.
"""

from __future__ import annotations

from functools import partial

import mesa
import numpy as np

from . import assess_kernels, assessment, dynamics, eligibility, kernels, village, year_kernels
from .budget import Ledger
from .campaign import Funding, monitored
from ..parameters.typed import typed
from .policies import LEVERS, SharedState, StepContext, VillageArrays
from .cost_sharing import MedicalParams, cost_sharing
from .population import EXITED, NONPOOR, POOR, synthesize
from ..inputs.scenario import LoadedScenario, load_scenario, overrides_table
from .village import HouseholdAgent, VillageAgents


class PovertyModel(VillageAgents, mesa.Model):
    """Registered poor and near-poor households of one region, month by month.

    Parameters are keyword-only so that ``mesa.batch_run`` can sweep them: ``scenario`` is a path
    or a loaded scenario; any catalog parameter can be given by its dotted name, e.g.
    ``PovertyModel(scenario="scenarios/jingzhou_2015_2018.toml", **{"medical.oop_cap": 2000})``;
    a lever's yearly budget cap as ``budget.cap.<lever>`` (yuan).
    ``rng`` seeds the model's only random generator (default: the scenario's seed).
    """

    def __init__(self, *, scenario: str | LoadedScenario = "scenarios/jingzhou_2015_2018.toml", rng=None, **parameters):
        if not isinstance(scenario, LoadedScenario) or parameters:
            path = scenario.path if isinstance(scenario, LoadedScenario) else scenario
            scenario = load_scenario(path, overrides_table(parameters) if parameters else None)
        super().__init__(rng=scenario.spec.seed if rng is None else rng)
        self.loaded = scenario  # (Mesa owns self.scenario)
        self.spec = spec = scenario.spec
        self.params = scenario.params
        self.p = typed(self.params)  # the same values, typed: self.p.after_exit.transition_years
        # the population is the scenario's synthetic registry: built from the scenario's seed, the
        # same in every replicate (as a real registry would be); ``rng`` drives what happens to it.
        # In sampled mode (population.sample = k) each replicate draws its own 1-in-k sample, so the
        # spread over replicates includes the sampling error; every count is weighted back.
        pop = spec.population
        sim = pop.simulated()
        pop_rng = np.random.default_rng(spec.seed if pop.sample == 1 else self.rng.integers(2**63))
        self.weight = pop.people / sim.people  # people (and households, yuan) each simulated one stands for
        self.village_weight = pop.poor_villages / sim.poor_villages if sim.poor_villages else 1.0
        self.hh, self.village_people, self.poor_village = synthesize(spec.model_copy(update={"population": sim}),
                                                                     self.params, pop_rng)
        hh, n_v = self.hh, self.poor_village.shape[0]
        self.village_exit_year = np.full(n_v, -1, np.int16)
        v = self.p.village
        self.village_collective = np.where(
            self.poor_village, v.collective_income_median_poor, v.collective_income_median_other
        ) * np.exp(v.collective_income_sigma * self.rng.standard_normal(n_v))
        # remoteness: the scenario's geography, drawn after the population on its generator (other streams unchanged)
        self.village_remoteness = village.remoteness(self.village_incidence(), self.poor_village,
                                                     v.remoteness_correlation, pop_rng)
        registered = np.bincount(hh.village, weights=hh.size * (hh.category > 0), minlength=n_v)
        self.village_growth = village.growth_factor(self.village_remoteness, v.growth_sigma, registered)
        self.village_market = village.growth_factor(self.village_remoteness, v.level_sigma, registered)  # market access
        if not pop.registry:  # (a registry's incomes are recorded) remote villages start poorer
            village.grow_by_village(hh, self.village_market)
        self._household_agents: dict[int, HouseholdAgent] = {}
        # the household's own verification error, the same at every assessment (the rest is drawn each year)
        self.verification_bias = kernels.normals(self.rng, hh.n)
        self.ledger = Ledger(spec.years, [cls.lever for cls in LEVERS], spec.budget.cap, spec.budget.sources,
                             weight=self.weight)
        # what levers write and the model reads (effort, reported income, out-of-pocket medical cost)
        self.shared = SharedState.start(hh.n)
        self.funding = Funding(spec.campaign, self.p.campaign)
        self.monitored = np.zeros(hh.n, bool)  # 防止返贫监测: supported the next year before they fall
        # the levers' view of the model; payment priority: poorest per-capita income first
        self.ctx = StepContext(
            hh=hh, params=self.p, shared=self.shared, ledger=self.ledger, weight=self.weight,
            villages=VillageArrays(self.poor_village, self.village_exit_year, self.village_collective,
                                  self.village_market),
            assessment_month=spec.assessment_month, village_weight=self.village_weight,
            priority=(hh.wage_local + hh.wage_migrant + hh.farm + hh.transfer + hh.property) / hh.size)
        self.policies = [cls(self.ctx, int(s)) for cls, s in zip(LEVERS, self.rng.integers(2**63, size=len(LEVERS)))]
        self.t = 0  # months simulated
        self.year, self.month = spec.first_year, 0
        self.line = spec.poverty_line[spec.first_year]
        self.ys = dynamics.YearState.zeros(hh.n)
        self.annual: list[dict] = []
        self.last_assessment: dict[str, np.ndarray] = {}
        self.people = hh.people_by_status() * self.weight
        self._eligible = None
        self.income_month = 0.0
        self.totals = dict.fromkeys(("exits_declared", "exits_true", "relapses", "new_poor"), 0)
        # exit events, for relapse survival: who exited when, and when (if) they relapsed
        self._open_exit = np.full(hh.n, -1, np.int64)
        self._exit_events: list[tuple[np.ndarray, int]] = []  # (households, year) per assessment
        self._relapse_events: list[tuple[np.ndarray, int]] = []  # (event ids, year)
        # (event ids, year) of open exits truly poor (true status), and under the line by true income alone (a
        # survey's poverty); an exit declared not meeting it counts at its own year
        self._fall_events: dict[str, list[tuple[np.ndarray, int]]] = {"fall_year": [], "income_fall_year": []}
        self._n_events = 0
        self.origin: dict[str, np.ndarray] = {}  # the state of exited households at the next-to-last assessment
        self.datacollector = mesa.DataCollector(model_reporters={
            "year": "year", "month": "month",
            "poor_people": lambda m: m.people[POOR],
            "exited_people": lambda m: m.people[EXITED],
            "nonpoor_people": lambda m: m.people[NONPOOR],
            "income_month_yuan": "income_month",
            # cumulative since the start (people; yuan)
            "exits_declared": lambda m: m.totals["exits_declared"],
            "exits_true": lambda m: m.totals["exits_true"],
            "relapses": lambda m: m.totals["relapses"],
            "new_poor": lambda m: m.totals["new_poor"],
            "spend_yuan": lambda m: float(m.ledger.spend.sum()) * m.weight,
        })
        self.datacollector.collect(self)

    # ---- the clock -------------------------------------------------------------------------
    def step(self) -> None:
        """One month. January turns the year; the assessment month runs the assessment."""
        spec, hh, ys = self.spec, self.hh, self.ys
        self.year = spec.first_year + self.t // 12
        self.month = self.t % 12 + 1
        self.ctx.year, self.ctx.month, self.ctx.t = self.year, self.month, self.t
        if self.month == 1:
            self._year_start()
            ys = self.ys
        dynamics.monthly_shocks(hh, ys, self.p, self.month, self.rng)
        self._hook("month")
        if self.month == 1:
            dynamics.persistent_income(hh, self.ys, self.shared.effort)
        self.income_month = dynamics.accrue_income(hh, ys)
        if self.month == spec.assessment_month:
            self._hook("assessment")
            self._assess()
        self.t += 1
        if self.t >= spec.months:
            self.running = False
        self.datacollector.collect(self)

    def run(self) -> "PovertyModel":
        """Run every month of the scenario."""
        while self.running:
            self.step()
        return self

    def _active(self):
        return [pol for pol in self.policies if pol.active(self.year, self.month)]

    def _hook(self, name: str) -> None:
        """Call hook ``name`` of every lever in force, each seeing its own benefit-eligible mask."""
        ctx, general = self.ctx, self.ctx.eligible
        for policy in self._active():
            ctx.eligible = ctx.by_lever.get(policy.lever, general)
            getattr(policy, name)()
        ctx.eligible = general

    def _set_eligible(self) -> None:
        """The benefit-eligible masks for the levers, after a change of status (January, assessment)."""
        self._eligible = None
        general = self.benefit_eligible()
        self.ctx.eligible = general
        self.ctx.by_lever = eligibility.by_lever(self.hh, self.year, self.p.after_exit, general, self.monitored)

    def _year_start(self) -> None:
        hh, rng = self.hh, self.rng
        prev = self.line
        self.line = self.spec.poverty_line[self.year]
        if self.year > self.spec.first_year:
            dynamics.age_and_school(hh, self.p, self.line, rng, self.shared if self.lever_active("education") else None,
                                     year=self.year)
            dynamics.grow_incomes(hh, self.p, self.line / prev, rng, self.transfer_ratio())
            village.grow_by_village(hh, self.village_growth)
        dynamics.housing_and_insurance(hh, self.p, rng)
        if self.t:  # (the first year's arrays are new) the same arrays: no second year state alive while the year turns
            self.ys.reset()
        dynamics.transitory_shocks(self.ys, self.p, rng)
        self.ys.education_cost += dynamics.education_costs(hh, self.p)
        self.ys.expense += dynamics.pension_premiums(hh, self.p)
        self.ys.expense += dynamics.insurance_premiums(hh, self.p, self.year)
        self.ys.ill_rate[:] = dynamics.illness_rate(hh, self.p)
        self.ctx.line, self.ctx.ys = self.line, self.ys
        # the year's money per remaining poor household sets the levers' take-up (sim/campaign.py)
        poor_households = float(np.count_nonzero(hh.status == POOR)) * self.weight
        self.ctx.intensity = self.funding.year(self.year, poor_households)
        self.ledger.fund(self.year, self.spec.campaign.funds.get(self.year, 0.0), poor_households)
        self.ctx.dibao_line = self.spec.campaign.dibao_line.get(self.year, 0.0)
        self.ctx.migrant_workers = self.spec.campaign.migrant_workers.get(self.year, 0.0)
        self.ctx.migrant_earnings = self.spec.campaign.migrant_earnings.get(self.year, 0.0)
        self.ctx.monitored = self.monitored
        self.ctx.focus = self.village_focus()
        self._set_eligible()
        self._hook("year_start")

    def transfer_ratio(self) -> float | None:
        """This year's growth of base transfers from the scenario's ``[campaign] transfer_income`` (its ratio to
        the year before), or None where it does not give both years (transfers then follow the line)."""
        series = self.spec.campaign.transfer_income
        now, before = series.get(self.year), series.get(self.year - 1)
        return now / before if now and before else None

    def household(self, i: int) -> HouseholdAgent:
        """Household ``i`` as a Mesa agent (made once, then kept in ``self.agents``)."""
        if i not in self._household_agents:
            self.villages  # (the villages first: every agent's id as if made with the model)
            self._household_agents[i] = HouseholdAgent(self, int(i))
        return self._household_agents[i]

    # ---- benefits and medical costs --------------------------------------------------------
    def benefit_eligible(self) -> np.ndarray:
        """Registered poor, and exited households still within their transition years (脱贫不脱政策).
        Status changes only at the assessment, so the mask is kept until then (read-only)."""
        if self._eligible is None:
            self._eligible = eligibility.benefit_eligible(self.hh, self.year, self.p.after_exit.transition_years,
                                                          also=self.monitored)
        return self._eligible

    def lever_active(self, lever: str) -> bool:
        return any(pol.lever == lever and pol.active(self.year, self.month) for pol in self.policies)

    def medical_oop(self) -> np.ndarray:
        """The year's out-of-pocket medical cost of every household: what the medical lever left
        (``shared.medical_oop``) while it is in force, else the chain without the poor rules."""
        if self.lever_active("medical"):
            return self.shared.medical_oop
        ys, chronic = self.ys, dynamics.chronic_cost(self.hh, self.p, self.month)
        return cost_sharing(ys.inpatient, chronic, ys.noncompliant, poor=np.zeros(self.hh.n, bool),
                            insured=self.hh.insured, p=MedicalParams.in_force(self.p.medical, self.year, self.month)).oop

    # ---- the assessment --------------------------------------------------------------------
    def net_income_pc(self, stable: bool = False) -> np.ndarray:
        """Per-capita net income for the year, annualised from the months so far: the official concept,
        gross income less the costs of earning it (unpaid loan interest) and compulsory contributions
        (pension and 新农合 premiums), not medical, school or housing spending. ``stable``: without the year's
        transitory gains and losses (家庭人均稳定收入)."""
        ys, hh = self.ys, self.hh
        months = self.t % 12 + 1
        # ((income - ys.transient(months) if stable else income) - expense) * (12 / months) / size, in one pass
        out = np.empty(hh.n)
        kernels.net_pc(ys.income, ys.expense, ys.market, ys.persistent, float(months), 12 / months, stable, hh.size, out)
        return out

    def _assess(self) -> None:
        hh, p = self.hh, self.p.assessment
        oop = self.medical_oop()
        pc_income = self.net_income_pc()
        pc_true = self.net_income_pc(stable=True)
        k = 12 / (self.t % 12 + 1)
        # assessment.expenditure_poor(pc_income * hh.size, oop * k, hh.size, line, share), in one pass
        spend_poor = np.empty(hh.n, bool)
        kernels.spend_poor(pc_income, oop, k, hh.size, self.line, p.expenditure_share, spend_poor)
        share = p.verification_persistent_share
        # noise = exp(sigma * (sqrt(share) * bias + sqrt(1 - share) * z)), pc_measured = pc_true * noise * report
        # factor: the same operations in place (a product or a sum of two is the same either way round)
        z = kernels.normals(self.rng, hh.n, np.sqrt(1 - share))  # rng.standard_normal(n) * sqrt(1 - share)
        pc_measured = np.sqrt(share) * self.verification_bias
        pc_measured += z
        pc_measured *= p.verification_sigma
        np.exp(pc_measured, out=pc_measured)
        pc_measured *= pc_true
        pc_measured *= self.shared.report_factor
        quota = self._pressure_quota()
        people = partial(kernels.people_in, hh.size)  # the people of a mask: an exact integer count in one pass
        exited_start = int(round(people(hh.status == EXITED) * self.weight))
        r = assessment.assess(hh, pc_true, pc_measured, self.line, self.year, p, self.rng, quota=quota,
                              spend_poor=spend_poor, month=self.month,
                              deadline=self.year == self.spec.campaign.deadline_year, watched=self.monitored,
                              quota_net=self.p.pressure.net)
        self._monitor(pc_measured, spend_poor)
        self._set_eligible()
        self.people = hh.people_by_status() * self.weight
        self.last_assessment = dict(r, pc_true=pc_true, pc_measured=pc_measured, pc_income=pc_income, oop=oop,
                                    spend_poor=spend_poor)
        self.ctx.priority = pc_measured
        newly, incidence = self._village_exits()  # (the incidence after the assessment: status changes no more)
        w = self.weight
        row = {"year": self.year, "poverty_line": self.line,
               "target_exits": self.spec.targets.people.get(self.year),
               "target_exits_households": self.spec.targets.households.get(self.year)}
        for key, mask in (("exits_declared", r["exit_declared"]), ("exits_true", r["exit_true"]),
                          ("exits_paper", r["exit_paper"]),
                          ("relapses", r["relapse"]), ("new_poor", r["new_poor"]),
                          ("poor_end", hh.status == POOR), ("exited_end", hh.status == EXITED),
                          ("truly_poor", r["truly_poor"]), ("hidden_poor", r["hidden_poor"])):
            row[key] = int(round(people(mask) * w))
            row[key + "_households"] = int(round(np.count_nonzero(mask) * w))
        for key in self.totals:
            self.totals[key] += row[key]
        self._record_events(self.last_assessment)
        row["exited_start"] = exited_start
        row["exits_sustained_true"] = self._sustained_true()
        registered = hh.category > 0
        registered_people = people(registered)
        row["registered_people"] = int(round(registered_people * w))
        row["doudi_people"] = int(round(people(self._doudi()) * w))
        # 建档立卡户人均纯收入: the administrative income series (exited included): (pc_income[registered] ×
        # hh.size[registered]).sum() over their people, the products in one pass (assess_kernels.registered_income)
        reg = np.empty(np.count_nonzero(registered))
        assess_kernels.registered_income(pc_income, hh.size, registered, reg)
        row["registered_income_pc"] = float(reg.sum() / max(registered_people, 1))
        row["villages_exited"] = int(round(newly * self.village_weight))
        still = self.poor_village & (self.village_exit_year < 0)
        row["poor_villages_remaining"] = int(round(still.sum() * self.village_weight))
        deep = still & (incidence >= self.p.village.deep_incidence)
        row["poor_villages_deep"] = int(round(deep.sum() * self.village_weight))
        row["spend_yuan"] = self.ledger.spent(self.year) * w
        for policy in self.policies:
            row.update(policy.record())
        row["funds_yuan"], row["poor_households_start"] = self.ledger.funds(self.year)
        row["intensity"] = self.ctx.intensity
        row["monitored_people"] = int(round(people(self.monitored) * w))
        row["monitored_exited_people"] = int(round(people(self.monitored & (hh.status == EXITED)) * w))
        # exited people the monitoring guidance's income range covers (under about 1.5 times the line), true status
        at_risk = (hh.status == EXITED) & (pc_true < self.p.campaign.monitoring_line * self.line)
        row["exited_at_risk_people"] = int(round(people(at_risk) * w))
        self.annual.append(row)

    def _record_events(self, r: dict) -> None:
        """Keep the exit and relapse events of this assessment, and the risk drivers of exited
        households at the next-to-last assessment (the at-risk list's origin)."""
        # open exits (relapsed now or not) truly poor at this assessment: not truly sustained
        open_ = self._open_exit >= 0
        income_poor = np.rint(r["pc_true"]) < self.line
        fell, fell_income = self._open_exit[r["truly_poor"] & open_], self._open_exit[income_poor & open_]
        relapsed = np.flatnonzero(r["relapse"])
        ids = self._open_exit[relapsed]
        self._relapse_events.append((ids[ids >= 0], self.year))
        self._open_exit[relapsed] = -1
        exited = np.flatnonzero(r["exit_declared"])
        self._exit_events.append((exited, self.year))
        self._open_exit[exited] = np.arange(self._n_events, self._n_events + exited.size)
        self._n_events += exited.size
        # and exits declared now that do not truly meet the standard (paper exits), or the line by income
        self._fall_events["fall_year"].append((np.concatenate([fell, self._open_exit[r["exit_paper"]]]), self.year))
        self._fall_events["income_fall_year"].append(
            (np.concatenate([fell_income, self._open_exit[r["exit_declared"] & income_poor]]), self.year))
        if self.year == self.spec.last_year - 1:
            hh = self.hh
            idx = np.flatnonzero(hh.status == EXITED)
            self.origin = {"household": idx, "margin": (r["pc_true"][idx] / self.line - 1).astype(np.float32),
                           "chronic": hh.chronic[idx] > 0, "dropout": hh.dropout[idx] > 0,
                           "unsafe_housing": hh.housing[idx] != 0}
        if self.year == self.spec.last_year and self.origin:
            self.origin["relapsed"] = r["relapse"][self.origin["household"]]

    def _monitor(self, pc_measured: np.ndarray, spend_poor: np.ndarray) -> None:
        """防止返贫监测 from its year: who is monitored (and supported) until the next assessment."""
        hh = self.hh
        if self.year < self.p.assessment.monitoring_from_year:
            self.monitored = np.zeros(hh.n, bool)
        else:
            capacity = self.p.campaign.monitoring_capacity * kernels.people_in(hh.size, hh.category > 0)
            self.monitored = monitored(hh.status, pc_measured, spend_poor, hh.size, self.line, self.p.campaign, capacity)
        self.ctx.monitored = self.monitored

    def _doudi(self) -> np.ndarray:
        """Households 兜底 pays this month: 低保 or 五保 top-ups (渐退 included), registered ever."""
        dibao = next(pol for pol in self.policies if pol.lever == "dibao")
        if not dibao.active(self.year, self.month):
            return np.zeros(self.hh.n, bool)
        return ((dibao.monthly > 0) | (dibao.phase_left > 0)) & (self.hh.category > 0)

    def _sustained_true(self) -> int:
        """People of every exit declared so far who were truly out of poverty at their exit's
        assessment and every one since (true status): the truly sustained exits to date."""
        if not self._n_events:
            return 0
        who = np.concatenate([e for e, _ in self._exit_events])
        return int(round(self.hh.size[who[self._first_year("fall_year") < 0]].sum() * self.weight))

    def _first_year(self, key: str) -> np.ndarray:
        """Per exit event, the first assessment of ``self._fall_events[key]`` that names it (-1: none)."""
        first = np.full(self._n_events, -1, np.int16)
        for ids, y in reversed(self._fall_events[key]):  # the earliest year written last
            first[ids] = y
        return first

    def exit_events(self) -> dict[str, np.ndarray]:
        """Every exit so far: household, year, cause, people, the year it relapsed (-1: not yet), the
        first assessment at which it was truly poor (true status; its exit year for a paper exit; -1:
        never) and the first at which its true income was under the line (a survey's poverty)."""
        hh = self.hh
        who = np.concatenate([e for e, _ in self._exit_events]) if self._exit_events else np.zeros(0, np.int64)
        year = np.concatenate([np.full(e.size, y, np.int16) for e, y in self._exit_events]) if self._exit_events else np.zeros(0, np.int16)
        relapse = np.full(who.size, -1, np.int16)
        for ids, y in self._relapse_events:
            relapse[ids] = y
        return {"household": who, "exit_year": year, "relapse_year": relapse,
                **{key: self._first_year(key) for key in self._fall_events},
                "cause": hh.cause[who].copy(), "people": hh.size[who].copy()}

    def _pressure_quota(self) -> int | None:
        """Under target pressure (被脱贫, the precise-exit briefing §一(三)3), the exits (people) the
        assessment must declare (with ``pressure.net``, the fall in the registered poor it must reach)."""
        pr = self.p.pressure
        target = self.spec.targets.people.get(self.year)
        if not pr.enabled or target is None:
            return None
        return int(round(target * pr.strength / self.weight))

    # ---- villages --------------------------------------------------------------------------
    def village_incidence(self) -> np.ndarray:
        hh = self.hh
        poor_people = np.empty(self.village_people.size)  # np.bincount(village, weights=size * poor), in integers
        kernels.people_by(hh.village, hh.size, hh.status, POOR, poor_people)
        return poor_people / self.village_people

    def village_focus(self) -> np.ndarray:
        """Each household's allocation weight, which ``targeting.choose`` adds to its key: the work
        teams and the village funds are in the registered poor villages, so their households are
        served first (``village.focus``, the Jingzhou decision §三(二)); and the villages are brought
        out in batches (批次推进, the Shanxi village plan §三(二)): each year the open poor villages
        nearest the exit standard (lowest incidence), an equal share of those left until the plan
        year, come first of all (``village.batch_focus``). The batch is a priority, not a quota:
        a village still exits only by the rule (the precise-exit briefing §一(三)4)."""
        v, hh = self.p.village, self.hh
        open_village = self.poor_village & (self.village_exit_year < 0)
        focus = np.where(open_village, v.focus, 0.0)
        left = np.flatnonzero(open_village)
        years_left = self.village_plan_year() - self.year + 1
        if left.size and years_left > 0 and v.batch_focus > 0:
            size = -(-left.size // years_left)  # ceil: all open villages by the plan year
            batch = left[np.argsort(self.village_incidence()[left], kind="stable")[:size]]
            focus[batch] = v.batch_focus
        return year_kernels.focus_of(hh.status, POOR, hh.village, focus)  # 未脱贫户 first (exited ones keep their measures)

    def village_plan_year(self) -> int:
        """The year by which every poor village is planned out: the campaign's deadline if the
        scenario sets one, else its last year (Jingzhou: 2018, the decision §一(三))."""
        deadline = self.spec.campaign.deadline_year
        return int(deadline) if deadline else int(self.spec.last_year)

    def _village_exits(self) -> tuple[int, np.ndarray]:
        """Poor villages exit when incidence (declared: registered poor not yet out, over the village's 户籍
        rural people) is below 2 % (3 % in the west) and their collective income reaches
        ``village.collective_income_min`` (九有, the Jingzhou decision §二(四); the Shanxi plan's 5万; 0: none).
        Returns how many exit, and the incidence."""
        v = self.p.village
        limit = (self.p.assessment.village_incidence_west if self.spec.west else self.p.assessment.village_incidence)
        ok = (incidence := self.village_incidence()) < limit
        ok &= self.village_collective >= v.collective_income_min
        newly = self.poor_village & (self.village_exit_year < 0) & ok
        self.village_exit_year[newly] = self.year
        return int(newly.sum()), incidence
