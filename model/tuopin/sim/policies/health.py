"""健康扶贫: the medical lever (seed 000 §一(三); seed 001 §一(二)5; seed 003 §三9)."""

from __future__ import annotations

import numpy as np

from .base import Policy


class MedicalHelp(Policy):
    """健康扶贫: the poor-specific cost-sharing rules, premium subsidy and full enrolment.

    While in force, eligible households get the poor rules of the chain (+5 pp, lower 大病
    deductible, 医疗救助, the out-of-pocket cap), their premiums are paid and they are enrolled at
    ``enrolment_poor``. The government's shares (assistance, the cap top-up, premiums) are spent
    through the ledger; what a cap leaves unpaid stays with the household.
    """

    lever = "medical"

    def year_start(self, year: int) -> None:
        m, p, hh = self.model, self.p, self.model.hh
        eligible = m.benefit_eligible()
        hh.insured[eligible] = self.rng.random(int(eligible.sum())) < p.enrolment_poor
        self.pay(np.where(eligible & hh.insured, p.premium_per_person * p.premium_subsidy_share * hh.size, 0.0))

    def assessment(self, year: int) -> None:
        m = self.model
        s = m.medical_shares()
        public = s.assistance + s.oop_cap_fund
        paid = self.pay(public)
        m.medical_oop = s.oop + (public - paid)
