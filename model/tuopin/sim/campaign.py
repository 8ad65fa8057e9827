"""The campaign's money and later policies as the model applies them: funding intensity and monitoring.

**Funding intensity.** A scenario states the money available each year (``[campaign] funds``; the
national scenario: the central special fund). The levers' yearly take-up is their catalog rate times
the year's intensity (``tuopin.sim.targeting.how_many``)::

    intensity = min(cap, ((funds_y / poor_y) / (funds_ref / poor_ref)) ** elasticity)

where ``poor_y`` is the registered poor households remaining at the start of year ``y`` and ``ref``
the reference year. Allocation: money goes where the remaining poor are (the central fund is
allocated by the factor method, chiefly on the size and depth of poverty); a sharded scenario
splits the funds over its shards as it splits the registry, and within a region every remaining
poor household counts the same. Years without funds, and years before the reference year, run at
intensity 1 (the catalog take-up).

What the money moves, measured (national scenario, 1 in 2000, its backtest's posterior medians):
little. Without it (``intensity_cap`` 1) about 150万 more are poor at the end of 2019 (10 %); a cap
of 20 instead of 3 changes nothing, as the scaled take-up already reaches every eligible household
from 2017. The levers it scales (industry, credit and employment within their volumes, 扶志,
以工代赈) add few true exits: exits come from income growth, 兜底 (the 低保 standard against the
line) and the 三保障 (housing), which the fund does not pay here, and from the yearly goals and
the deadline. A budget path therefore buys little in this model.

**Monitoring (防止返贫监测).** From ``assessment.monitoring_from_year`` exited and non-registered
households whose measured stable income is under ``campaign.monitoring_line`` times the line, or
who are expenditure-poor, are monitored, the closest to falling first, up to
``campaign.monitoring_capacity`` of the registered people. A monitored household is supported the
next year before it falls (事前预防): it is benefit-eligible for every lever (开发式帮扶) and, without
labour capacity, 兜底-eligible (综合保障), as the monitoring guidance sets out.
"""

from __future__ import annotations

import numpy as np

from ..inputs.campaign import Campaign
from ..parameters.typed import CampaignSection
from .population import EXITED, NONPOOR


def intensity(funds: float, poor: float, ref_funds: float, ref_poor: float, elasticity: float, cap: float) -> float:
    """The funding intensity: money per remaining poor household over the reference year's, raised
    to ``elasticity``, capped at ``cap`` (and 1 when there is nothing to compare)."""
    if funds <= 0 or ref_funds <= 0 or poor <= 0 or ref_poor <= 0:
        return 1.0
    return float(min(cap, ((funds / poor) / (ref_funds / ref_poor)) ** elasticity))


class Funding:
    """The scenario's funds turned into each year's intensity (call :meth:`year` once a year, in order)."""

    def __init__(self, campaign: Campaign, p: CampaignSection):
        self.funds, self.p = campaign.funds, p
        self.ref_year = campaign.reference()
        self.ref: tuple[float, float] | None = None  # (funds, poor households) of the reference year

    def year(self, year: int, poor_households: float) -> float:
        f = self.funds.get(year, 0.0)
        if self.ref_year is None or f <= 0 or year < self.ref_year:
            return 1.0
        if year == self.ref_year:
            self.ref = (f, poor_households)
        if self.ref is None:
            return 1.0
        return intensity(f, poor_households, *self.ref, self.p.funding_elasticity, self.p.intensity_cap)


def monitored(status: np.ndarray, pc_measured: np.ndarray, spend_poor: np.ndarray, size: np.ndarray,
              line: float, p: CampaignSection, capacity_people: float) -> np.ndarray:
    """The households monitored after this assessment: exited or not registered, under the monitoring
    line or expenditure-poor, lowest measured income over the line first, until ``capacity_people``."""
    at_risk = ((status == EXITED) | (status == NONPOOR)) & ((pc_measured < p.monitoring_line * line) | spend_poor)
    idx = np.flatnonzero(at_risk)
    out = np.zeros(status.shape, bool)
    if idx.size == 0 or capacity_people <= 0:
        return out
    order = idx[np.argsort(np.where(spend_poor[idx], -np.inf, pc_measured[idx]), kind="stable")]
    k = int(np.searchsorted(np.cumsum(size[order]), capacity_people, side="right"))
    out[order[:k]] = True
    return out
