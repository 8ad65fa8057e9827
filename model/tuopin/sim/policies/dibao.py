"""兜底: 低保 top-up to its line, 五保 support, with targeting errors.

**Mechanism.** The 低保 line is a share of the poverty line; ``aligned`` (两线合一), or the year
reaching ``aligned_from_year``, raises it to the poverty line. Cover is decided each January:
eligible households are missed with the exclusion error; registered households with labour outside
the 兜底 categories are covered with the inclusion error. Cover, once given, lasts while the household
is eligible (the means test ends it, with 渐退, not a draw): the exclusion error is the chance a
year's review misses an eligible household not yet covered, so a missed household is usually found a
year or two later; the inclusion error is the household's own (one draw, kept: the same households
are let in every year). A fresh draw for every household each January would instead drop a random
15 % of covered households a year, who fall back under the line and relapse. The means test counts all income: the
persistent market income and what the other levers paid last year (posts, dividends, project and
loan returns), less the year's compulsory contributions (新农合 and pension premiums no lever pays):
the same net income the assessment tests, so a household topped up to a line at the poverty line is
not pushed under it by a premium. The top-up is the gap between the line and that income, paid monthly; 五保 support is
raised to its own standard. A household whose income rises above the line keeps its top-up
``phaseout_months`` more months (低保渐退). A general registered household 低保 tops up because it
qualifies becomes a 扶贫低保 household: 兜底 is then its stable income source at the exit assessment
(一有); one covered by the inclusion error does not (it has labour and is not poor by the 兜底 rules: its
cover ends with its benefit eligibility, and the error alone does not make it 兜底 for good).

**Expansion.** 社会保障兜底一批 as the policy expanded: a scenario may give the 低保 standard by
year (``[campaign] dibao_line``; nationally the Ministry of Civil Affairs' average rural standard, which rose 8-15 % a year
against the line's 2-3 %); from ``campaign.doudi_partial_labour_from_year`` (2018, the 2018 兜底 opinion)
registered households not yet out whose labourers are all chronically ill count as without labour capacity; and
under 防止返贫监测 monitored households without labour are covered too, registered or not (the
monitoring guidance: 综合保障 for those without labour).

**Eligibility.** The 兜底 categories (低保, 扶贫低保, 五保) and registered households with no
labourer, while benefit-eligible; 兜底 is an entitlement of civil affairs, not a registry benefit:
with ``entitlement`` it continues after exit while the household qualifies (应保尽保).

**Capacity per year.** Everyone eligible and not missed (an entitlement), limited only by a budget
cap.

**Effect size and source.** The top-up closes the gap to the line by construction. The Jingzhou
decision, 2015, §一(三) (低保五保…应保尽保; 保障性收入超过同期国家确定的扶贫标准); the precise-exit
briefing §一(一)2 (低保标准和兜底标准衔接不够); the Shanxi poor-village plan §二(二)9 (农村低保标准要逐步
达到扶贫标准). Targeting errors: household surveys found large exclusion and inclusion errors
before 两线衔接 (Golan, Sicular and Umapathi 2017, World Development; Kakwani, Li, Wang and Zhu 2019,
China Economic Review); among households the registry already classes as 兜底 the model's rates are
lower (see the catalog).

**Cost.** The top-ups and 五保 support paid, through the ledger.

**Left out.** 临时救助 (one-off assistance), the care of 五保 people in homes (集中供养), classes of
低保 paying more to some households (分类施保), and the months a newly poor household waits before
its cover starts.
"""

from __future__ import annotations

import numpy as np

from ...parameters.typed import DibaoSection
from ..population import CATEGORY_CODES, DOUBAO_CODES, EXITED, POOR, in_codes
from .. import assess_kernels, kernels, pay_kernels, year_kernels
from .base import Policy


class Dibao(Policy):
    lever = "dibao"
    p: DibaoSection
    owns = ("covered", "monthly", "paid", "other_income", "phase", "phase_left", "inclusion_draw")
    reads = ("hh.category", "hh.labour", "hh.chronic", "hh.elderly", "hh.disabled", "params.campaign", "hh.size", "hh.status", "hh.wage_local", "hh.wage_migrant", "hh.farm",
             "hh.transfer", "hh.property", "ys.income", "ys.market", "ys.persistent", "ys.expense", "shared.effort")
    writes = ("hh.category", "ys.income", "ys.benefits")

    def __init__(self, ctx, seed):
        super().__init__(ctx, seed)
        n = ctx.hh.n
        self.covered = np.zeros(n, bool)  # covered by 低保 this year
        self.monthly = np.zeros(n)        # the monthly top-up, yuan per household
        self.paid = np.zeros(n)           # paid this year so far
        self.other_income = np.zeros(n)   # income from other levers at the last assessment, yuan a year
        self.phase = np.zeros(n)          # the monthly top-up kept while phasing out (渐退)
        self.phase_left = np.zeros(n, np.int16)  # months of it left
        self.inclusion_draw = self.rng.random(n)  # the household's own draw for the inclusion error, kept
        self._paying = (-1,)  # (year, the rows paid that year, their monthly, phase and phase_left): see month

    def entitled(self) -> np.ndarray:
        """Benefit-eligible households, and (``entitlement``) exited ones: 兜底 does not end at exit."""
        c = self.ctx
        return c.eligible | (self.p.entitlement & (c.hh.status == EXITED))

    def eligible(self, entitled: np.ndarray | None = None) -> np.ndarray:
        """Entitled households of the 兜底 categories, or without labour capacity and registered or
        monitored (防止返贫监测: 综合保障 for monitored households without labour). Without labour capacity:
        no labourer, and from ``campaign.doudi_partial_labour_from_year`` (the 2018 兜底 opinion) also
        registered, not yet out, and every labourer chronically ill (partly lost). ``entitled``: the
        :meth:`entitled` mask, where the caller has it already."""
        c = self.ctx
        hh = c.hh
        no_labour = hh.labour == 0
        if c.year >= c.params.campaign.doudi_partial_labour_from_year:
            no_labour = no_labour | self.partly_lost_labour()
        return (self.entitled() if entitled is None else entitled) & (in_codes(hh.category, DOUBAO_CODES) | (no_labour & ((hh.category > 0) | (c.monitored if c.monitored.size else False))))

    def partly_lost_labour(self) -> np.ndarray:
        """Registered households not yet out (未脱贫, as the 2018 兜底 opinion says) whose every labourer is
        chronically ill. Members' illness is counted, not whose it is: the chronically ill are counted
        against the elderly and the disabled first (where chronic illness is commonest), the rest against
        the labourers."""
        hh = self.ctx.hh
        ill_labourers = hh.chronic.astype(np.int32) - hh.elderly - hh.disabled
        return (hh.status == POOR) & (hh.labour > 0) & (ill_labourers >= hh.labour)

    def line(self) -> float:
        """The 低保 line this year, yuan per person: the scenario's standard for the year where it gives
        one (``[campaign] dibao_line``), else ``line_ratio`` of the poverty line; aligned, at least the line."""
        c = self.ctx
        aligned = self.p.aligned or c.year >= self.p.aligned_from_year
        standard = c.dibao_line if c.dibao_line > 0 else self.p.line_ratio * c.line
        return max(standard, c.line) if aligned else standard

    def _market(self) -> np.ndarray:
        """Persistent market income and regular transfers, yuan a year."""
        hh, out = self.ctx.hh, np.empty(self.ctx.hh.n)
        # (wage_local + wage_migrant) * effort + farm + transfer + property, in one pass
        kernels.means(hh.wage_local, hh.wage_migrant, self.ctx.shared.effort, hh.farm, hh.transfer, hh.property, out)
        return out

    def year_start(self) -> None:
        c, p, hh = self.ctx, self.p, self.ctx.hh
        found = self.rng.random(hh.n) >= p.exclusion_error  # this year's review finds an eligible household
        entitled = self.entitled()
        eligible = self.eligible(entitled)
        # an eligible household once covered stays covered (the means test, not a draw, ends it); one not yet
        # covered is found by a year's review but for the exclusion error; the inclusion error is the household's own
        # (covered = where(eligible, covered | found, c.eligible & (inclusion_draw < inclusion_error)), in one pass)
        covered = np.empty(hh.n, bool)
        year_kernels.cover(eligible, self.covered, found, c.eligible, self.inclusion_draw, p.inclusion_error, covered)
        self.covered = covered
        # the monthly top-up, fixed for the year: incomes change in January (this lever comes after
        # those that raise them); the means test counts all income, lever income included, net of the
        # year's compulsory contributions (premiums the levers did not pay), as the assessment counts it
        means = self._market() + self.other_income - c.ys.expense
        # need = max(standard × size − means, 0), the standard 五保's (wubao_ratio × line) or the 低保 line; topup =
        # need where covered (or 五保 and entitled), else 0: one pass (pay_kernels.dibao_need)
        need, topup = np.empty(hh.n), np.empty(hh.n)
        pay_kernels.dibao_need(hh.category, CATEGORY_CODES["wubao"], float(p.wubao_ratio * c.line), float(self.line()),
                               hh.size, means, self.covered, entitled, need, topup)
        # 渐退: topped up last year, income above the line now, still entitled: keep last year's top-up a while
        start = (self.monthly > 0) & (need == 0) & entitled
        # (in one pass: phase = monthly where start, 0 where topped up; phase_left likewise; monthly = topup / 12)
        pay_kernels.phase_out(start, topup, self.monthly, self.phase, self.phase_left, p.phaseout_months)
        self.paid[:] = 0.0
        # a general registered household that 低保 tops up becomes a 扶贫低保 household: 兜底 is then its
        # stable source at the exit assessment (一有: a working member, or 兜底 cover). Not one covered by the
        # inclusion error: the error does not make the household 兜底 for good
        # (category[(topup > 0) & eligible & (category == fupin)] = fupin_dibao, in one pass)
        year_kernels.relabel(topup, eligible, CATEGORY_CODES["fupin"], CATEGORY_CODES["fupin_dibao"], hh.category)

    def month(self) -> None:
        c = self.ctx
        if c.month > c.assessment_month:  # cover ends with the entitlement
            keep = self.entitled()
            self.monthly = self.monthly * keep
            self.phase_left = self.phase_left * keep
            self._paying = (-1,)  # (gathered again below)
        # the households paid: a top-up or 渐退 left (both set in January), a minority, so the month works on their
        # rows only, their top-up, kept top-up and months of it left by position (gathered once a year); the rest
        # ask nothing (the same yuan and incomes as the full arrays)
        if self._paying[0] != c.year:
            rows = np.flatnonzero((self.monthly > 0) | (self.phase_left > 0))
            self._paying = (c.year, rows, self.monthly[rows], self.phase[rows], self.phase_left[rows])
        _, rows, monthly, phase, left = self._paying
        # the month's top-up, and the kept one where 渐退 runs (a month off it): one pass
        amounts = np.empty(rows.size)
        if self.uncapped():  # paid in full whatever it asks: paid in the same pass, then booked
            ys = c.ys
            pay_kernels.phase_month_paid(rows, monthly, phase, left, self.phase_left, amounts, ys.income, ys.benefits,
                                         self.paid)
            self.pay(amounts, rows=rows)
        else:
            pay_kernels.phase_month(rows, monthly, phase, left, self.phase_left, amounts)
            self.transfer(amounts, tally=self.paid, rows=rows)

    def assessment(self) -> None:
        """Income from other levers this year (annualised), for next year's means test."""
        c = self.ctx
        months = c.t % 12 + 1
        # transient = market - months × persistent (the year's shocks, YearState.transient); stable = (income -
        # transient - paid) × (12 / months); other_income = max(stable - self._market(), 0): one pass
        self.other_income = np.empty(c.hh.n)
        assess_kernels.lever_income(c.ys.income, c.ys.market, c.ys.persistent, self.paid, float(months), 12 / months,
                                    self._market(), self.other_income)
