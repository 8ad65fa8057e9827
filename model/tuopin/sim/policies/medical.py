"""健康扶贫: the medical lever (the Jingzhou decision, 2015, §一(三) 医疗救助扶持一批; the precise-exit
briefing §一(二)5; the Shanxi poor-village plan §二(二)9).

**Mechanism.** While in force, eligible households get the poor rules of the cost-sharing chain
(+5 pp inpatient reimbursement, the lower 大病 deductible, 医疗救助, the out-of-pocket cap), are
enrolled in 新农合 at ``enrolment_poor`` and have ``premium_subsidy_share`` of their individual
contribution paid. Every insured household pays the contribution (``health.premium_per_person``
and its yearly step: 120 yuan a person in 2015, 150 in 2016, …; 医疗救助 pays all of it for 五保
and ``health.premium_assist_dibao`` of it for 低保 households, campaign or not) as a compulsory
contribution that net income deducts; the lever's subsidy takes the rest off again, so without the
subsidy the poor pay it themselves and some fall below the line.

**Eligibility.** Benefit-eligible households (registered poor and exited ones in their transition
years).

**Capacity.** An entitlement: every eligible household, no yearly limit.

**Effect size.** The documents' own rules (catalog: ``medical.*``); contributions from the yearly
national notices.

**Cost.** Assistance, the cap top-up and the subsidised contributions, through the ledger; what a
budget cap leaves unpaid stays with the household (``shared.medical_oop``, which the assessment
reads; an unpaid contribution stays in its expenses).

**Left out.** Enrolment does not respond to the contribution (unsubsidised households renew at
``health.insurance_enrolment`` whatever it costs); outpatient care other than chronic illness.
"""

from __future__ import annotations

import numpy as np

from ...parameters.typed import MedicalSection
from ..cost_sharing import MedicalParams, cost_sharing
from .. import year_kernels
from ..dynamics import chronic_cost, own_contribution
from .base import Policy


class MedicalHelp(Policy):
    """健康扶贫: the poor-specific cost-sharing rules, premium subsidy and full enrolment.

    While in force, eligible households get the poor rules of the chain (+5 pp, lower 大病
    deductible, 医疗救助, the out-of-pocket cap), their premiums are paid, and each not enrolled
    joins with chance ``enrolment_poor`` (enrolment persists: the enrolled stay, their premium
    paid). In the lever's first year, if it starts after January, it pays its share of the costs of
    the months in force (``year_share``). The government's shares (assistance, the cap top-up, premiums) are spent
    through the ledger; what a cap leaves unpaid stays with the household (``shared.medical_oop``,
    which the assessment reads).
    """

    lever = "medical"
    p: MedicalSection
    reads = ("hh.insured", "hh.size", "hh.category", "ys.inpatient", "hh.chronic", "ys.noncompliant",
             "params.health")
    writes = ("hh.insured", "shared.medical_oop", "ys.expense")

    def year_start(self) -> None:
        c, p = self.ctx, self.p
        hh, eligible = c.hh, self.eligible()
        was = hh.insured.copy()
        # hh.insured[eligible] |= u < enrolment_poor, one draw per eligible household (in one pass)
        year_kernels.enrol(eligible, self.rng.random(np.count_nonzero(eligible)), p.enrolment_poor, hh.insured)
        # the contribution follows enrolment: charge those the lever enrols (enrolment persists)
        premium = own_contribution(hh, c.params, c.year)
        # expense += premium * (insured - was); the subsidy asked where(eligible & insured, premium * share, 0): one pass
        amounts = np.empty(hh.n)
        year_kernels.premiums_charged(premium, hh.insured, was, eligible, float(p.premium_subsidy_share), c.ys.expense,
                                      amounts)
        paid = self.pay(amounts)
        c.ys.expense -= paid

    def assessment(self) -> None:
        c = self.ctx
        ys = c.ys
        s = cost_sharing(ys.inpatient, chronic_cost(c.hh, c.params, c.month), ys.noncompliant, poor=self.eligible(),
                         insured=c.hh.insured, p=MedicalParams.in_force(self.p, c.year, c.month))
        public = (s.assistance + s.oop_cap_fund) * self.year_share()
        paid = self.pay(public)
        c.shared.medical_oop = s.oop + (public - paid)
