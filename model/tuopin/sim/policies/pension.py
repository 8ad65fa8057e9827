"""养老保障: the county pays the lowest pension premium of registered poor members (the Jingzhou
decision, 2015, §二(三)3; the Shanxi poor-village plan §二(二)9). The household no longer pays it itself."""

from __future__ import annotations

import numpy as np

from ...parameters.typed import PensionSection
from ..dynamics import pension_premiums
from .base import Policy


class Pension(Policy):
    lever = "pension"
    p: PensionSection
    reads = ("hh.labour", "hh.disabled", "params.income")
    writes = ("ys.expense",)

    def year_start(self) -> None:
        c = self.ctx
        premium = np.where(self.eligible(), pension_premiums(c.hh, c.params), 0.0)
        paid = self.pay(premium)
        c.ys.expense -= paid
