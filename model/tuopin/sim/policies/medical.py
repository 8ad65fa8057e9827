"""健康扶贫: the medical lever (the Jingzhou decision, 2015, §一(三) 医疗救助扶持一批; the precise-exit
briefing §一(二)5; the Shanxi poor-village plan §二(二)9)."""

from __future__ import annotations

import numpy as np

from ...parameters.typed import MedicalSection
from ..cost_sharing import MedicalParams, cost_sharing
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
    reads = ("hh.insured", "hh.size", "ys.inpatient", "ys.chronic_cost", "ys.noncompliant")
    writes = ("hh.insured", "shared.medical_oop")

    def year_start(self) -> None:
        hh, eligible, p = self.ctx.hh, self.eligible(), self.p
        hh.insured[eligible] |= self.rng.random(int(eligible.sum())) < p.enrolment_poor
        self.pay(np.where(eligible & hh.insured, p.premium_per_person * p.premium_subsidy_share * hh.size, 0.0))

    def assessment(self) -> None:
        c = self.ctx
        ys = c.ys
        s = cost_sharing(ys.inpatient, ys.chronic_cost, ys.noncompliant, poor=self.eligible(), insured=c.hh.insured,
                         p=MedicalParams.in_force(self.p, c.year, c.month))
        public = (s.assistance + s.oop_cap_fund) * self.year_share()
        paid = self.pay(public)
        c.shared.medical_oop = s.oop + (public - paid)
