"""教育扶贫: free high school, 雨露计划 paid to the household, college grants, school allowances and
bringing dropouts back; support keeps children in school.

**Mechanism.** Free high school (the Jingzhou decision, 2015, §一(三)), college grants and the
compulsory-school living allowance (两免一补) lower what the household pays for school this year
(``ys.education_cost``, up to the cost). 雨露计划 is paid *to the household* (§二(三)1: 直补到户, at
least 3000 yuan per vocational student a year): a transfer of ``yulu_subsidy`` per vocational
student, in monthly parts, counted as income, whatever the school costs, so a larger payment is more
income. The support a household gets also changes its children's choices next January: with
*s* the share of a level's cost the support covers (雨露计划 counts in full even above the cost),

- a compulsory-school leaver goes on to high school with chance ``highschool_continuation +
  highschool_support_response`` × *s*, the rise taken from vocational school and work in their
  proportions (tuition relief raised academic high-school matriculation by 21 points: Bai et al.,
  China Economic Review 2017);
- of the leavers who would go to work, a share ``vocational_support_response`` × *s* (at most all)
  go to vocational school instead (a stated 0.3, between a conditional transfer's 60 % cut in
  dropout, Mo et al., JDS 2013, and no effect of a promised one on matriculation, Li et al., REAP
  2015);
- a pupil drops out at the catalog rate times 1 - ``dropout_support_response`` × *s* (Mo et al.
  2013: -60 %);

and dropouts of eligible households are brought back to school (控辍保学, the precise-exit briefing
§一(二)9) with chance ``dropout_recall_rate``. Graduates earn more when they start work, by
schooling (``education.*_wage_premium``: 11.8 % a year of post-junior-high schooling, China & World
Economy 2008), in :func:`~tuopin.sim.dynamics.age_and_school`.

**Eligibility.** Students of benefit-eligible households (registered poor, and exited ones within
their transition years); the others keep the catalog's continuation and dropout rates.

**Capacity per year.** An entitlement: every eligible student (应补尽补), no quota. **Cost**: the
payments and rebates above, per student and year; nothing for recall.

**Left out.** School quality and places (every leaver who wants a place gets one), exam results,
the student's own earnings foregone beyond the household's labour, and what 雨露计划 short
training courses for adults do (employment's training covers those). 因户施策 needs no choice here:
the entitlement already goes to the households whose cause is schooling (因学) and to every other
eligible student.
"""

from __future__ import annotations

import numpy as np

from ...parameters.typed import EducationSection
from .. import pay_kernels, year_kernels
from ..dynamics import binom
from .base import Policy

_NO_TALLY = np.zeros(0)  # pay_kernels.receive_rows: no tally of its own


class Education(Policy):
    lever = "education"
    p: EducationSection
    reads = ("hh.highschool", "hh.vocational", "hh.college", "hh.compulsory", "hh.dropout", "hh.category")
    writes = ("hh.dropout", "ys.education_cost", "ys.income", "ys.benefits", "shared.to_highschool",
              "shared.to_vocational", "shared.dropout_factor")

    owns = ("yulu_monthly", "yulu_to")

    def __init__(self, ctx, seed):
        super().__init__(ctx, seed)
        self.yulu_monthly = np.zeros(ctx.hh.n)  # this year's 雨露计划 payment a month, yuan
        self.yulu_to = np.zeros(ctx.hh.n, np.int64)  # the households paid, by index (the first yulu_count)
        self.yulu_count = 0
        self._yulu = (-1, np.zeros(0))  # (year, yulu_monthly[yulu_to[:yulu_count]] that year): see month
        self._choices(np.zeros(ctx.hh.n, bool))  # the catalog's rates until the first January

    def support(self) -> tuple[float, float, float]:
        """The share of the high-school, vocational and compulsory-school cost an eligible
        household's support covers (雨露计划 in full, even above the cost)."""
        p = self.p
        hs = min(p.highschool_subsidy, p.cost_highschool) / p.cost_highschool if p.free_highschool and p.cost_highschool > 0 else 0.0
        voc = p.yulu_subsidy / p.cost_vocational if p.cost_vocational > 0 else float(p.yulu_subsidy > 0)
        comp = min(p.compulsory_subsidy, p.cost_compulsory) / p.cost_compulsory if p.cost_compulsory > 0 else 0.0
        return hs, voc, comp

    def _choices(self, eligible: np.ndarray) -> None:
        """Next January's continuation and dropout chances: the catalog's, raised by the support of
        eligible households."""
        p, sh, hh = self.p, self.ctx.shared, self.ctx.hh
        s_hs, s_voc, s_comp = self.support()
        h0 = p.highschool_continuation
        v0 = p.vocational_continuation / max(1 - h0, 1e-9)       # of the leavers not going to high school
        h1 = min(1.0, h0 + p.highschool_support_response * s_hs)
        v1 = v0 + (1 - v0) * min(1.0, p.vocational_support_response * s_voc)
        # where(eligible, supported, catalog) for the three chances, in one pass; the dropout factor is on the
        # catalog's dropout rate, which the model takes by the household's category then
        year_kernels.choices(eligible, float(h0), float(h1), float(v0), float(v1), 1.0,
                             float(max(0.0, 1 - p.dropout_support_response * s_comp)),
                             sh.to_highschool, sh.to_vocational, sh.dropout_factor)

    def year_start(self) -> None:
        hh, p = self.ctx.hh, self.p
        eligible = self.eligible()
        # where(eligible, highschool × its rebate + college × the grant + (compulsory - dropout) × the allowance, 0)
        per_student = np.empty(hh.n)
        year_kernels.school_support(eligible, hh.highschool, hh.college, hh.compulsory, hh.dropout,
                                    float(min(p.highschool_subsidy, p.cost_highschool) if p.free_highschool else 0.0),
                                    float(min(p.college_grant, p.cost_college)),
                                    float(min(p.compulsory_subsidy, p.cost_compulsory)), per_student)
        paid = self.pay(per_student)
        self.ctx.ys.education_cost -= paid
        # 控辍保学: dropouts of eligible households are brought back
        back = binom(np.where(eligible, hh.dropout, 0).astype(np.int16), p.dropout_recall_rate, self.rng)
        hh.dropout -= back
        self._choices(eligible)
        # 雨露计划, 直补到户: a twelfth of the year's payment per vocational student, each month
        # (yulu_monthly = where(eligible, vocational × subsidy / 12, 0); yulu_to its rows above 0: one pass)
        self.yulu_count = year_kernels.yulu(eligible, hh.vocational, p.yulu_subsidy / 12, self.yulu_monthly, self.yulu_to)

    def month(self) -> None:
        c, to = self.ctx, self.yulu_to[:self.yulu_count]  # few households: paid by index, for speed
        if to.size:  # a transfer (income and a benefit) to the households with vocational students
            if self._yulu[0] != c.year:  # their payments, fixed for the year (January): gathered once
                self._yulu = (c.year, self.yulu_monthly[to])
            paid = self.pay(self._yulu[1], at=to)
            pay_kernels.receive_rows(to, paid, c.ys.income, c.ys.benefits, _NO_TALLY)  # income[to] += paid, benefits too
