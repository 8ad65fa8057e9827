"""扶贫小额信贷: loans of up to 5万 yuan for three years, without collateral, interest fully subsidised
(the Jingzhou decision, 2015, §二(五)3).

**Mechanism.** A borrowing household invests the loan in a project whose yearly return is drawn for
that loan from a normal distribution (``return_rate`` mean, ``return_sd`` spread): some projects
lose money, and a loss lowers the household's income. Each year a running project fails with
chance ``default_rate``: it earns nothing more and the household owes the principal, repaid over
the rest of the term out of its income, less the share the county risk fund (风险补偿金, the
decision's 担保资金) covers; the fund's payment is the lever's spending, with the interest the
government pays (全贴息). Unpaid interest (a subsidy share below one) is a cost of earning and
lowers net income.

**Eligibility.** Registered, benefit-eligible households with a labourer and no loan outstanding.

**Capacity per year.** Households ask for a loan at ``take_up`` (scaled by the year's funding
intensity); the banks lend at most the county volumes: ``counties`` × ``county_volume`` in
``volume_base_year``, growing by ``volume_growth_1``, ``_2``, ``_3`` in the next three years
(Jingzhou: ≥1000万 per county in 2015, then +50 %, +20 %, +10 %) and held at the last level after;
``counties = 0`` sets no volume (demand alone decides, as for regions without stated volumes).

**因户施策.** Among the eligible, loans go first to households whose main cause is lack of funds
(suits 1), then disaster (0.5: rebuilding), lack of skills or other causes (0.25), and last to
illness, disability, schooling or lack of labour (0); within a cause, households with two or more
labourers come before those with one (a quarter of the score is capacity: min(labour, 2) / 2).

**Effect size.** Mean return 8 % a year with a 10 % spread and 3 % failures a year, stated
assumptions (see the catalog): Cai, Park and Wang's randomised trial of village credit funds in poor
Chinese villages finds the loans raise household income, and credit-constrained opportunities as
one reason; 户贷企用 dividends paid to borrowers commonly ran at 6-10 % of the loan a year. The mean
is full for households short of funds and ``return_unsuited`` of it (half) for those whose cause
credit does not address, linearly in the cause score: so targeting by cause can buy something, and
``return_unsuited = 1`` measures targeting when it buys nothing.

**Cost.** Interest (``interest_rate`` × outstanding principal × ``interest_subsidy_share``) and the
risk fund's share of failed principal.

**Left out.** Loan sizes below the maximum (every loan is ``loan``), renewals and extensions (展期),
borrowing outside the programme, loans handed to firms for a fixed dividend (户贷企用) as a kind of
its own, and the banks' own losses.
"""

from __future__ import annotations

import numpy as np

from ...parameters.typed import CreditSection
from .. import pay_kernels
from ..targeting import choose, how_many
from .base import Policy
from .suits import cause_score, effect_scale, fit_with_labour

# how well credit suits a household's main cause of poverty (因户施策), 0-1
SUITS_BY_CAUSE = {"lack_funds": 1.0, "disaster": 0.5, "lack_skills": 0.25, "other": 0.25}


def volume(p: CreditSection, year: int) -> float:
    """The region's loan volume for ``year`` (yuan); infinite when no county volume is set."""
    if p.counties == 0:
        return np.inf
    growth = (p.volume_growth_1, p.volume_growth_2, p.volume_growth_3)
    k = min(max(year - p.volume_base_year, 0), len(growth))
    return p.counties * p.county_volume * float(np.prod([1 + g for g in growth[:k]]))


class Credit(Policy):
    lever = "credit"
    p: CreditSection
    owns = ("loan", "months_left", "failed", "ret", "borrowers_at")
    reads = ("hh.labour", "hh.category", "hh.cause", "ys.disaster_loss", "params.targeting")
    writes = ("ys.income", "ys.expense", "ys.outlay")

    def __init__(self, ctx, seed):
        super().__init__(ctx, seed)
        n = ctx.hh.n
        self.loan = np.zeros(n)           # outstanding principal
        self.months_left = np.zeros(n, np.int16)
        self.failed = np.zeros(n, bool)   # the investment failed: principal repaid from income
        self.ret = np.zeros(n)            # the project's yearly return per yuan, drawn at issue
        self.issued = 0                   # loans issued this year (simulated households)
        self.borrowers_at = np.zeros(n, np.int64)  # households with a loan by index (the first borrowers), for speed
        self.borrowers = 0
        self._terms = (-1,) + (np.zeros(0),) * 4  # (year, the borrowers' loan, ret, failed, months_left): see month

    def eligible(self) -> np.ndarray:
        """Registered, benefit-eligible households with labour and no loan outstanding."""
        hh = self.ctx.hh
        return self.ctx.eligible & (hh.labour > 0) & ~(self.loan > 0) & (hh.category > 0)

    def year_start(self) -> None:
        c, p, n = self.ctx, self.p, self.ctx.hh.n
        # newly failed = (loan > 0) & ~failed & (u < default_rate), on the rows with a loan (the borrowers, ascending)
        active, u = self.borrowers_at[:self.borrowers], self.rng.random(n)
        failing = active[~self.failed[active] & (u[active] < p.default_rate)]
        self.failed[failing] = True
        # the risk compensation fund covers part of a failed loan (where(newly failed, loan × share, 0), on its rows)
        self.pay(self.loan[failing] * p.risk_fund_share, rows=failing)
        pool = self.eligible()
        supply = volume(p, c.year) / p.loan / c.weight if p.loan > 0 else 0.0
        k = min(how_many(pool, p.take_up, self.rng, c.intensity), int(min(supply, n)))
        hh = c.hh
        fit = cause_score(hh.cause, SUITS_BY_CAUSE)
        take = np.flatnonzero(choose(pool, k, fit_with_labour(fit, hh.labour), self.rng, c.params.targeting.by_cause,
                                     self.ctx.focus))  # rows
        self.issued = take.size
        self.loan[take] = p.loan
        self.months_left[take] = 12 * p.term_years
        self.failed[take] = False
        mean = p.return_rate * effect_scale(fit[take], p.return_unsuited)
        self.ret[take] = mean + p.return_sd * self.rng.standard_normal(self.issued)
        self._keep(np.flatnonzero(self.loan > 0))

    def _keep(self, a: np.ndarray) -> None:
        self.borrowers = a.size
        self.borrowers_at[:a.size] = a

    def month(self) -> None:
        c, p = self.ctx, self.p
        a = self.borrowers_at[:self.borrowers]  # the borrowers: a minority, so work on their rows only
        if a.size == 0:
            return
        if self._terms[0] != c.year:  # their loans, returns, failures and terms, set in January: gathered once a year
            self._terms = (c.year, self.loan[a], self.ret[a], self.failed[a], self.months_left[a])
        _, loan, ret, failed, left = self._terms  # (by position in ``a``; months left kept in both)
        ys = c.ys
        # the government pays the interest (全贴息): the month's interest (loan × rate / 12) times the subsidised share
        wanted = np.empty(a.size)  # by position in ``a`` (ascending), booked as the full-length request
        pay_kernels.interest_due(loan, p.interest_rate, p.interest_subsidy_share, wanted)
        paid = self.pay(wanted, rows=a)
        # unpaid interest falls on the household (expense); a working project's return is income (loan × ret / 12
        # × (1 − disaster loss)); repaying the principal of a failed loan is a financing flow, which net income
        # does not deduct: outlay; a month off the term
        if pay_kernels.repay(a, loan, ret, failed, left, self.months_left, p.interest_rate, paid, ys.expense,
                             ys.disaster_loss, ys.income, ys.outlay, 1 - p.risk_fund_share, 12 * p.term_years):
            ended = left <= 0
            self.loan[a[ended]] = 0.0
            self.failed[a[ended]] = False
            self._keep(a[~ended])
            self._terms = (c.year, loan[~ended], ret[~ended], failed[~ended], left[~ended])

    def record(self) -> dict[str, float]:
        """Loans issued this year and outstanding at the assessment, in yuan (and issued in loans)."""
        w = self.ctx.weight
        issued = self.issued if self.active(self.ctx.year) else 0
        return {"credit_loans_issued": issued * w, "credit_issued_yuan": issued * self.p.loan * w,
                "credit_outstanding_yuan": float(self.loan.sum()) * w}
