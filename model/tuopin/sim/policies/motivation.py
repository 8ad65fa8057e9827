"""内生动力: how households respond to benefits, and 扶志, the work that restores their effort.

**Mechanism.** 等靠要: a household that lived on benefits last year works less this year: its wage
effort is 1 - ``effort_elasticity`` × its benefit share of income at the last assessment (the
Hebei 2019 guidance, published with it: 关于激发脱贫内生动力的三点建议, §2; the precise-exit briefing
§一(二)14). 隐瞒: a share ``hiding_share`` of households receiving benefits hide a part
``hiding_fraction`` of their income from verification to keep them (为了"不摘帽",不惜隐瞒扶贫成果).
扶志, the guidance's remedy (§2, 二: 宣讲 "扶勤不扶懒", 表彰 and material rewards for those who work
their way out, "早干多支持,主动干多支持"): each year 扶志 work reaches new benefit-eligible
households, and a reached household loses only 1 - ``fuzhi_effect`` of the effort 等靠要 would take
(for good: the guidance asks for the attitude to change, not a payment to last). The size is a stated
assumption (half; the guidance itself warns against overstating 扶志: 警惕将扶志作用夸大化).

**Eligibility and 因户施策.** 扶志 goes to benefit-eligible households not yet reached; with
``targeting.by_cause`` those living most on benefits (the largest benefit share at the last
assessment) come first, at random otherwise.

**Capacity per year.** ``fuzhi_reach`` × the eligible not yet reached × funding intensity
(binomial). **Cost**: ``fuzhi_cost`` per household reached (rewards and the work teams' 宣讲), once.
The 等靠要 and 隐瞒 responses cost nothing; switched off, households do not respond
(``shared.effort`` and ``shared.report_factor`` stay 1).

**Left out.** The guidance's sanctions (暂停特惠政策 for those who refuse to work), effort above
its level without benefits, and any effect of 扶志 on hiding income.
"""

from __future__ import annotations

import numpy as np

from ...parameters.typed import MotivationSection
from .. import assess_kernels, year_kernels
from ..targeting import choose, how_many
from .base import Policy


class Motivation(Policy):
    lever = "motivation"
    p: MotivationSection
    owns = ("hides", "benefit_share", "reached")
    reads = ("ys.benefits", "ys.income", "params.targeting")
    writes = ("shared.effort", "shared.report_factor")

    def __init__(self, ctx, seed):
        super().__init__(ctx, seed)
        self.hides = self.rng.random(ctx.hh.n) < self.p.hiding_share  # would hide income to keep benefits
        self.benefit_share = np.zeros(ctx.hh.n)  # benefits over income at the last assessment
        self.reached = np.zeros(ctx.hh.n, bool)  # reached by 扶志 work

    def year_start(self) -> None:
        c, p = self.ctx, self.p
        if p.fuzhi_reach > 0:
            free = self.eligible() & ~self.reached
            k = how_many(free, p.fuzhi_reach, self.rng, c.intensity)
            new = choose(free, k, self.benefit_share, self.rng, c.params.targeting.by_cause, self.ctx.focus)
            if p.fuzhi_cost > 0:
                new = self.pay_each(new, p.fuzhi_cost)  # under a cap, only those paid for (rows)
            self.reached[new] = True
        # loss = elasticity × benefit share; effort = 1 - where(reached, (1 - fuzhi_effect) × loss, loss): one pass
        year_kernels.effort(self.reached, self.benefit_share, float(p.effort_elasticity), 1.0 - p.fuzhi_effect,
                            c.shared.effort)

    def assessment(self) -> None:
        c = self.ctx
        ys = c.ys
        # benefit_share = clip(benefits / max(income, 1), 0, 1); receiving = (benefits > 0) & eligible;
        # report_factor[:] = where(receiving & hides, 1 - hiding_fraction, 1): one pass
        self.benefit_share = np.empty(c.hh.n)
        assess_kernels.benefit_response(ys.benefits, ys.income, self.eligible(), self.hides, 1.0 - self.p.hiding_fraction,
                                        self.benefit_share, c.shared.report_factor)
