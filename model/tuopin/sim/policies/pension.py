"""养老保障: the county pays the lowest pension premium of registered poor members (seed 000 §二(三)3;
seed 003 §三9). The household no longer pays it itself."""

from __future__ import annotations

import numpy as np

from ..dynamics import pension_premiums
from .base import Policy


class Pension(Policy):
    lever = "pension"

    def year_start(self, year: int) -> None:
        m = self.model
        premium = np.where(m.benefit_eligible(), pension_premiums(m.hh, m.p), 0.0)
        paid = self.pay(premium)
        m.ys.expense -= paid
