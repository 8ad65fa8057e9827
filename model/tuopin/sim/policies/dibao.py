"""兜底: 低保 top-up to its line, 五保 support, with targeting errors.

The Jingzhou decision, 2015, §一(三) (低保五保…应保尽保; 保障性收入超过同期国家确定的扶贫标准); the
precise-exit briefing §一(一)2 (低保标准和兜底标准衔接不够); the Shanxi poor-village plan §二(二)9 (农村低保
标准要逐步达到扶贫标准). The 低保 line is a share of the poverty line; ``aligned`` (两线合一), or the
year reaching ``aligned_from_year``, raises it to the poverty line. Cover is decided each January:
eligible households (the 兜底 categories, and registered households with no labourer) are missed with
the exclusion error; others are covered with the inclusion error. The top-up is the gap between the
line and the household's expected income; 五保 support is raised to its own standard.
"""

from __future__ import annotations

import numpy as np

from ...parameters.typed import DibaoSection
from ..population import CATEGORY_CODES
from .base import Policy

DOUBAO = (CATEGORY_CODES["dibao"], CATEGORY_CODES["fupin_dibao"], CATEGORY_CODES["wubao"])


class Dibao(Policy):
    lever = "dibao"
    p: DibaoSection
    owns = ("covered", "monthly")
    reads = ("hh.category", "hh.labour", "hh.size", "hh.wage_local", "hh.wage_migrant", "hh.farm", "hh.transfer",
             "hh.property")
    writes = ("hh.category", "ys.income", "ys.benefits")

    def __init__(self, ctx, seed):
        super().__init__(ctx, seed)
        self.covered = np.zeros(ctx.hh.n, bool)  # covered by 低保 this year
        self.monthly = np.zeros(ctx.hh.n)        # the monthly top-up, yuan per household

    def eligible(self) -> np.ndarray:
        """Benefit-eligible households of the 兜底 categories, or with no labourer."""
        hh = self.ctx.hh
        return self.ctx.eligible & (np.isin(hh.category, DOUBAO) | (hh.labour == 0))

    def line(self) -> float:
        """The 低保 line this year, yuan per person."""
        aligned = self.p.aligned or self.ctx.year >= self.p.aligned_from_year
        ratio = max(self.p.line_ratio, 1.0) if aligned else self.p.line_ratio
        return ratio * self.ctx.line

    def year_start(self) -> None:
        c, p, hh = self.ctx, self.p, self.ctx.hh
        registered = c.eligible
        u = self.rng.random(hh.n)
        self.covered = np.where(self.eligible(), u >= p.exclusion_error, registered & (u < p.inclusion_error))
        # the monthly top-up, fixed for the year: incomes change in January (this lever comes after
        # those that raise them) and cover changes only at the assessment
        expected = hh.wage_local + hh.wage_migrant + hh.farm + hh.transfer + hh.property
        wubao = hh.category == CATEGORY_CODES["wubao"]
        standard = np.where(wubao, p.wubao_ratio * c.line, self.line()) * hh.size
        topup = np.where(self.covered | (wubao & registered), np.maximum(standard - expected, 0.0), 0.0)
        self.monthly = topup / 12
        # a general registered household that 低保 tops up becomes a 扶贫低保 household: 兜底 is then its
        # stable source at the exit assessment (一有: a working member, or 兜底 cover)
        hh.category[(topup > 0) & (hh.category == CATEGORY_CODES["fupin"])] = CATEGORY_CODES["fupin_dibao"]

    def month(self) -> None:
        if self.ctx.month > self.ctx.assessment_month:  # cover ends with the assessment
            self.monthly = self.monthly * self.ctx.eligible
        self.transfer(self.monthly)
