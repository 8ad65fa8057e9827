"""教育扶贫: free high school, 雨露计划, college grants and bringing dropouts back to school.

Seed 000 §一(三) (免费高中教育; 资助上大学) and §二(三)1 (雨露计划: ≥3000 yuan per vocational
student a year); seed 001 §一(二)9 (辍学的…动员其返校, and benefits kept after exit). Subsidies
lower what the household pays for school this year; graduates earn more years later (dynamics).
"""

from __future__ import annotations

import numpy as np

from ..dynamics import binom
from .base import Policy


class Education(Policy):
    lever = "education"

    def year_start(self, year: int) -> None:
        m, p = self.model, self.p
        hh, e = m.hh, m.p.education
        eligible = m.benefit_eligible()
        per_student = (
            hh.highschool * (min(p.highschool_subsidy, e.cost_highschool) if p.free_highschool else 0.0)
            + hh.vocational * min(p.yulu_subsidy, e.cost_vocational)
            + hh.college * min(p.college_grant, e.cost_college)
            + (hh.compulsory - hh.dropout) * min(p.compulsory_subsidy, e.cost_compulsory)
        )
        paid = self.pay(np.where(eligible, per_student, 0.0))
        m.ys.education_cost -= paid
        # 控辍保学: dropouts of eligible households are brought back
        back = binom(np.where(eligible, hh.dropout, 0).astype(np.int16), p.dropout_recall_rate, self.rng)
        hh.dropout -= back
