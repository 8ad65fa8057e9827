"""内生动力: how households respond to benefits (seed 004 §2, seed 001 §一(二)14).

等靠要: a household that lived on benefits last year works less this year (wage effort falls by
``effort_elasticity`` times its benefit share of income). 隐瞒: a share of households receiving
benefits hide part of their income from verification to keep them ("为了不摘帽,不惜隐瞒扶贫成果").
The lever spends nothing; switched off, households do not respond.
"""

from __future__ import annotations

import numpy as np

from .base import Policy


class Motivation(Policy):
    lever = "motivation"

    def __init__(self, model, seed):
        super().__init__(model, seed)
        self.hides = self.rng.random(model.hh.n) < self.p.hiding_share

    def year_start(self, year: int) -> None:
        m = self.model
        share = getattr(self, "_benefit_share", None)
        m.effort[:] = 1.0 if share is None else 1.0 - self.p.effort_elasticity * share

    def assessment(self, year: int) -> None:
        m = self.model
        ys = m.ys
        self._benefit_share = np.clip(ys.benefits / np.maximum(ys.income, 1.0), 0.0, 1.0)
        receiving = (ys.benefits > 0) & m.benefit_eligible()
        m.report_factor[:] = np.where(receiving & self.hides, 1.0 - self.p.hiding_fraction, 1.0)
