"""The spending ledger: every yuan by lever, year, month and funding source, within caps.

A scenario may cap each lever's yearly spend and the total (``[budget.cap]``). When a payment
would break a cap, the planner pays whole households in priority order (poorest per-capita
income first, as measured at the last assessment) until the money runs out; the rest is recorded
as shortfall. So spend never exceeds a cap. ``[budget.sources.<lever>]`` splits each lever's
spend over the funding sources (default: all county).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .month_kernels import pairwise_plan, sparse_total

SOURCES = ("central", "provincial", "city", "county", "work_team")


class Ledger:
    def __init__(self, years: list[int], levers: list[str], caps: dict[str, float] | None = None,
                 sources: dict[str, dict[str, float]] | None = None, weight: float = 1.0):
        """``weight``: in sampled mode each simulated household stands for ``weight`` households, so
        caps (whole-region yuan) are divided by it and :meth:`frame` multiplies spend back."""
        self.years, self.levers = list(years), list(levers)
        self.weight = weight
        self._li = {name: i for i, name in enumerate(self.levers)}
        caps = {k: v / weight for k, v in (caps or {}).items()}
        self.cap = np.array([caps.get(name, np.inf) for name in self.levers], float)
        self.total_cap = float(caps.get("total", np.inf))
        self._uncapped = [bool(c == np.inf and self.total_cap == np.inf) for c in self.cap]  # by lever
        self.shares = np.zeros((len(self.levers), len(SOURCES)))
        for name, i in self._li.items():
            split = (sources or {}).get(name, {"county": 1.0})
            self.shares[i] = [split.get(s, 0.0) for s in SOURCES]
        self.spend = np.zeros((len(self.years), 12, len(self.levers), len(SOURCES)))
        self.requested = np.zeros((len(self.years), len(self.levers)))
        self.available = np.zeros((len(self.years), 2))  # campaign funds (yuan) and poor households at the year's start

    def _y(self, year: int) -> int:
        return year - self.years[0]

    def spent(self, year: int, lever: str | None = None) -> float:
        s = self.spend[self._y(year)]
        return float(s.sum() if lever is None else s[:, self._li[lever]].sum())

    def fund(self, year: int, yuan: float, poor_households: float) -> None:
        """Record the campaign money available in ``year`` (whole region) and the poor households it is for."""
        self.available[self._y(year)] = (yuan, poor_households)

    def funds(self, year: int) -> tuple[float, float]:
        """The campaign money available in ``year`` (yuan, whole region) and the poor households at its start."""
        f, n = self.available[self._y(year)]
        return float(f), float(n)

    def uncapped(self, lever: str) -> bool:
        """No cap on ``lever`` nor on the total: every payment it asks is paid in full."""
        return self._uncapped[self._li[lever]]

    def room(self, year: int, lever: str) -> float:
        """What ``lever`` may still spend in ``year`` under its cap and the total cap."""
        return max(0.0, min(self.cap[self._li[lever]] - self.spent(year, lever), self.total_cap - self.spent(year)))

    def pay(self, lever: str, year: int, month: int, amounts: np.ndarray, priority: np.ndarray | None = None,
            at: np.ndarray | None = None, size: int | None = None) -> np.ndarray:
        """Pay per-household ``amounts`` (yuan); return what was paid to each household.

        Within the caps every household is paid in full; past them, whole households are paid in
        ascending ``priority`` (default: in index order) while the money lasts. ``at``: the households
        ``amounts`` are for, when it is not every one (``priority`` is then read at ``at``, only under a cap).
        ``size`` (with ``at`` ascending): ``amounts`` stands for the ``size``-long array that is zero off
        ``at``, and is summed as numpy sums that array (:func:`.month_kernels.sparse_total`): the same yuan booked.
        """
        li, y = self._li[lever], self._y(year)
        amounts = np.asarray(amounts, float)
        plan = None if size is None else pairwise_plan(size)  # numpy's summation tree of a size-long array
        total_of = (lambda a: float(a.sum())) if plan is None else (lambda a: float(sparse_total(at, a, *plan)))
        request = total_of(amounts)
        if request <= 0:
            return np.zeros_like(amounts)
        self.requested[y, li] += request
        # (no cap on the lever nor the total: the room is infinite, so it is not summed)
        if self.uncapped(lever) or request <= (room := self.room(year, lever)):
            paid, total = amounts, request  # paid in full: the same array, so the same sum
        else:
            ask = np.flatnonzero(amounts > 0)
            order = ask if priority is None else ask[np.argsort(priority[ask if at is None else at[ask]], kind="stable")]
            k = int(np.searchsorted(np.cumsum(amounts[order]), room, side="right"))
            paid = np.zeros_like(amounts)
            paid[order[:k]] = amounts[order[:k]]
            total = total_of(paid)
        self.spend[y, month - 1, li] += total * self.shares[li]
        return paid

    def frame(self) -> pd.DataFrame:
        """Long table: year, lever, source, spend_yuan (rows with spend only), and shortfall by lever."""
        rows = []
        yearly = self.spend.sum(axis=1) * self.weight  # year x lever x source, whole region
        short = self.requested * self.weight - yearly.sum(axis=2)
        short[short < 1e-6 * np.maximum(self.requested * self.weight, 1.0)] = 0.0  # float dust when nothing was cut
        for y, year in enumerate(self.years):
            for li, lever in enumerate(self.levers):
                for si, source in enumerate(SOURCES):
                    if self.shares[li, si] > 0:
                        rows.append({"year": year, "lever": lever, "source": source, "spend_yuan": yearly[y, li, si],
                                     "shortfall_yuan": short[y, li] * self.shares[li, si]})
        return pd.DataFrame(rows, columns=["year", "lever", "source", "spend_yuan", "shortfall_yuan"])
