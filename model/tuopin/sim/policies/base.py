"""The interface every policy lever implements.

A lever is a small class named for its catalog section (``lever``). The model calls its hooks in
the fixed order of ``LEVERS``: ``year_start`` each January, ``month`` each month before income
accrues, ``assessment`` just before the annual assessment. Outside the years its section gives
(``enabled``, ``start_year``, ``end_year``) its hooks are not called. A lever reads its parameters
from ``self.p``, keeps any per-household state of its own as numpy arrays, and spends only through
:meth:`pay` (costs) and :meth:`transfer` (income paid to households), both of which go through the
model's ledger and so respect the budget caps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np


if TYPE_CHECKING:
    from ..model import PovertyModel


class Policy:
    lever: ClassVar[str] = ""

    def __init__(self, model: "PovertyModel", seed: int):
        self.model = model
        self.p = getattr(model.p, self.lever)
        # a stream of its own (seeded from the model's generator), so that switching a lever on or
        # off leaves every other random draw as it was: common random numbers across scenarios
        self.rng = np.random.default_rng(seed)

    def active(self, year: int) -> bool:
        return self.p.enabled and self.p.start_year <= year <= self.p.end_year

    def pay(self, amounts: np.ndarray) -> np.ndarray:
        """Spend per-household ``amounts`` (yuan) on this lever now; returns what was paid."""
        m = self.model
        return m.ledger.pay(self.lever, m.year, m.month, amounts, m.priority)

    def transfer(self, amounts: np.ndarray) -> np.ndarray:
        """Pay ``amounts`` to households as income this month (counted as benefits received)."""
        paid = self.pay(amounts)
        self.model.ys.income += paid
        self.model.ys.benefits += paid
        return paid

    def year_start(self, year: int) -> None:
        """Called each January while the lever is in force."""

    def month(self, year: int, month: int) -> None:
        """Called each month while the lever is in force, before income accrues."""

    def assessment(self, year: int) -> None:
        """Called in the assessment month, just before the assessment."""
