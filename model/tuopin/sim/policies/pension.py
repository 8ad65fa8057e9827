"""养老保障: the county pays the lowest pension premium of registered poor members (the Jingzhou
decision, 2015, §二(三)3; the Shanxi poor-village plan §二(二)9). The household no longer pays it itself,
so an eligible household not enrolled joins with chance ``enrolment_poor`` a year (its working-age
members then count as 养老有保障 under the Jingzhou 四保障, ``assessment.require_pension``)."""

from __future__ import annotations

import numpy as np

from ...parameters.typed import PensionSection
from ..dynamics import pension_premiums
from .base import Policy


class Pension(Policy):
    lever = "pension"
    p: PensionSection
    reads = ("hh.labour", "hh.disabled", "hh.pension", "params.income")
    writes = ("hh.pension", "ys.expense")

    def year_start(self) -> None:
        c = self.ctx
        eligible = self.eligible()
        premium = np.where(eligible, pension_premiums(c.hh, c.params), 0.0)
        paid = self.pay(premium)
        c.ys.expense -= paid
        # an eligible household not enrolled joins (its premium is paid for it, it was never charged)
        join = eligible & ~c.hh.pension
        join[join] = self.rng.random(int(join.sum())) < self.p.enrolment_poor
        c.hh.pension |= join
        self.pay(np.where(join, pension_premiums(c.hh, c.params), 0.0))
