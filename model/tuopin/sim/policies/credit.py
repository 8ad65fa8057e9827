"""扶贫小额信贷: up to 5万 yuan, three years, no collateral, full interest subsidy (the Jingzhou
decision, 2015, §二(五)3).

A borrowing household invests the loan and earns a return on it while the project lasts; the
government pays the interest. A project can fail: the household then owes the principal, repaid
over the rest of the term out of its income (debt burden), less what the risk fund covers.
"""

from __future__ import annotations

import numpy as np

from ...parameters.typed import CreditSection
from .base import Policy


class Credit(Policy):
    lever = "credit"
    p: CreditSection
    owns = ("loan", "months_left", "failed")
    reads = ("hh.labour", "hh.category", "ys.disaster_loss")
    writes = ("ys.income", "ys.expense", "ys.outlay")

    def __init__(self, ctx, seed):
        super().__init__(ctx, seed)
        n = ctx.hh.n
        self.loan = np.zeros(n)           # outstanding principal
        self.months_left = np.zeros(n, np.int16)
        self.failed = np.zeros(n, bool)   # the investment failed: principal repaid from income

    def eligible(self) -> np.ndarray:
        """Registered, benefit-eligible households with labour and no loan outstanding."""
        hh = self.ctx.hh
        return self.ctx.eligible & (hh.labour > 0) & ~(self.loan > 0) & (hh.category > 0)

    def year_start(self) -> None:
        p, n = self.p, self.ctx.hh.n
        active = self.loan > 0
        newly_failed = active & ~self.failed & (self.rng.random(n) < p.default_rate)
        self.failed |= newly_failed
        # the risk compensation fund covers part of a failed loan
        self.pay(np.where(newly_failed, self.loan * p.risk_fund_share, 0.0))
        take = self.eligible() & (self.rng.random(n) < p.take_up)
        self.loan[take] = p.loan
        self.months_left[take] = 12 * p.term_years
        self.failed[take] = False

    def month(self) -> None:
        c, p = self.ctx, self.p
        a = np.flatnonzero(self.loan > 0)  # the borrowers: a minority, so work on their rows only
        if a.size == 0:
            return
        loan, failed, ys = self.loan[a], self.failed[a], c.ys
        # the government pays the interest (全贴息); unpaid interest falls on the household
        interest = loan * p.interest_rate / 12
        wanted = np.zeros(c.hh.n)
        wanted[a] = interest * p.interest_subsidy_share
        paid = self.pay(wanted)[a]
        ys.expense[a] += interest - paid
        ys.income[a] += np.where(failed, 0.0, loan * p.return_rate / 12 * (1 - ys.disaster_loss[a]))
        # repaying the principal of a failed loan is a financing flow: net income does not deduct it
        ys.outlay[a] += np.where(failed, loan * (1 - p.risk_fund_share) / (12 * p.term_years), 0.0)
        self.months_left[a] -= 1
        done = a[self.months_left[a] <= 0]
        self.loan[done] = 0.0
        self.failed[done] = False
