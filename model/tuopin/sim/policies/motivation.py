"""内生动力: how households respond to benefits (the Hebei 2019 guidance §2; the precise-exit
briefing §一(二)14).

等靠要: a household that lived on benefits last year works less this year (wage effort falls by
``effort_elasticity`` times its benefit share of income). 隐瞒: a share of households receiving
benefits hide part of their income from verification to keep them ("为了不摘帽,不惜隐瞒扶贫成果").
The lever spends nothing; switched off, households do not respond (``shared.effort`` and
``shared.report_factor`` stay 1).
"""

from __future__ import annotations

import numpy as np

from ...parameters.typed import MotivationSection
from .base import Policy


class Motivation(Policy):
    lever = "motivation"
    p: MotivationSection
    owns = ("hides", "benefit_share")
    reads = ("ys.benefits", "ys.income")
    writes = ("shared.effort", "shared.report_factor")

    def __init__(self, ctx, seed):
        super().__init__(ctx, seed)
        self.hides = self.rng.random(ctx.hh.n) < self.p.hiding_share  # would hide income to keep benefits
        self.benefit_share = np.zeros(ctx.hh.n)  # benefits over income at the last assessment

    def year_start(self) -> None:
        self.ctx.shared.effort[:] = 1.0 - self.p.effort_elasticity * self.benefit_share

    def assessment(self) -> None:
        c = self.ctx
        ys = c.ys
        self.benefit_share = np.clip(ys.benefits / np.maximum(ys.income, 1.0), 0.0, 1.0)
        receiving = (ys.benefits > 0) & self.eligible()
        c.shared.report_factor[:] = np.where(receiving & self.hides, 1.0 - self.p.hiding_fraction, 1.0)
