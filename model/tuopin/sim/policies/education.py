"""教育扶贫: free high school, 雨露计划, college grants and bringing dropouts back to school.

The Jingzhou decision, 2015, §一(三) (免费高中教育; 资助上大学) and §二(三)1 (雨露计划: ≥3000 yuan per
vocational student a year); the precise-exit briefing §一(二)9 (辍学的…动员其返校, and benefits kept
after exit). Subsidies lower what the household pays for school this year; graduates earn more
years later (dynamics).
"""

from __future__ import annotations

import numpy as np

from ...parameters.typed import EducationSection
from ..dynamics import binom
from .base import Policy


class Education(Policy):
    lever = "education"
    p: EducationSection
    reads = ("hh.highschool", "hh.vocational", "hh.college", "hh.compulsory", "hh.dropout")
    writes = ("hh.dropout", "ys.education_cost")

    def year_start(self) -> None:
        hh, p = self.ctx.hh, self.p
        eligible = self.eligible()
        per_student = (
            hh.highschool * (min(p.highschool_subsidy, p.cost_highschool) if p.free_highschool else 0.0)
            + hh.vocational * min(p.yulu_subsidy, p.cost_vocational)
            + hh.college * min(p.college_grant, p.cost_college)
            + (hh.compulsory - hh.dropout) * min(p.compulsory_subsidy, p.cost_compulsory)
        )
        paid = self.pay(np.where(eligible, per_student, 0.0))
        self.ctx.ys.education_cost -= paid
        # 控辍保学: dropouts of eligible households are brought back
        back = binom(np.where(eligible, hh.dropout, 0).astype(np.int16), p.dropout_recall_rate, self.rng)
        hh.dropout -= back
