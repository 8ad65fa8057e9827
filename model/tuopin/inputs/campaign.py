"""A scenario's campaign inputs (``[campaign]``): the money by year, the 低保 standard by year, the deadline, and the
published series that move the registered households' incomes (transfer income, labourers in wage work away).

These are policy inputs known when a forecast is made (a budget plan, a published standard, a
deadline), not fitted values. The funds set each year's funding intensity (``sim/campaign.py``):
the levers' take-up follows the money per remaining poor household relative to the reference year.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .problems import FieldProblem


class Campaign(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    funds: dict[int, float] = Field(default_factory=dict, description="campaign money available in the year, "
                                    "yuan, whole region (e.g. the central special fund); years left out run at intensity 1")
    local_match: float = Field(default=0.0, ge=0, le=100, description="local yuan added per yuan of `funds` "
                               "(reported; a constant match leaves the intensity unchanged)")
    reference_year: int | None = Field(default=None, description="the year whose money per remaining poor household "
                                       "gives intensity 1 (default: the first year with funds)")
    dibao_line: dict[int, float] = Field(default_factory=dict, description="the rural 低保 standard by year, yuan per "
                                         "person; years left out use the catalog's dibao.line_ratio")
    transfer_income: dict[int, float] = Field(default_factory=dict, description="per-capita transfer income by year "
                                              "(an index, yuan per person): the households' base transfers grow by its "
                                              "ratio to the year before; years without it (or the year before) follow the line")
    migrant_workers: dict[int, float] = Field(default_factory=dict, description="registered poor labourers in wage "
                                              "work away from home (转移就业) in the year, people, whole region: the "
                                              "employment lever places labourers until the registered's wage income "
                                              "reaches this many at `migrant_earnings` (policies/employment.py)")
    migrant_earnings: dict[int, float] = Field(default_factory=dict, description="yearly earnings of one registered "
                                               "labourer in wage work away (yuan), for the years of `migrant_workers`")
    deadline_year: int | None = Field(default=None, description="the year by which every registered poor household "
                                      "must be declared out: that year's assessment declares all that remain (paper "
                                      "exits where they do not truly meet the standard)")

    # series that record what happened (observations), not plans known before their year: a backtest must not see
    # them after its cut-off (:meth:`known_until`)
    OBSERVED: ClassVar[tuple[str, ...]] = ("transfer_income", "migrant_workers", "migrant_earnings")

    @model_validator(mode="after")
    def _check(self):
        for y, v in self.funds.items():
            if not 0 <= v < 1e14:
                raise FieldProblem(f"funds.{y}", f"must be yuan a year between 0 and 1e14, got {v}")
        for y, v in self.dibao_line.items():
            if not 0 < v < 1e6:
                raise FieldProblem(f"dibao_line.{y}", f"must be yuan per person per year, above 0, got {v}")
        for name in self.OBSERVED:
            for y, v in getattr(self, name).items():
                if not 0 < v < 1e10:
                    raise FieldProblem(f"{name}.{y}", f"must be above 0 and below 1e10, got {v}")
        if set(self.migrant_workers) != set(self.migrant_earnings):
            raise FieldProblem("migrant_earnings", f"must give the same years as migrant_workers "
                                                   f"({sorted(self.migrant_workers)}), got {sorted(self.migrant_earnings)}")
        if self.reference_year is not None and self.funds.get(self.reference_year, 0) <= 0:
            raise FieldProblem("reference_year", f"needs funds above 0 in {self.reference_year} (funds are given for "
                                                 f"{sorted(self.funds) or 'no year'})")
        return self

    def known_until(self, year: int, rng=None) -> "Campaign":
        """The campaign as known at the end of ``year``: each observed series (:attr:`OBSERVED`) keeps its years up
        to ``year`` and goes on from its last known value at the mean yearly growth of those years (flat from a
        single year; nothing where no year is known). Plans (funds, the 低保 standard, the deadline) stay as given.

        With ``rng`` (a numpy Generator), each later year's growth is drawn instead: its log from a normal with the
        mean of the known yearly log-growths and their spread, widened for the mean's own uncertainty (the predictive
        spread of one more year, ``sd * sqrt(1 + 1/n)`` from ``n`` known growths; none from fewer than two), so that
        a forecast's band holds what a forecaster did not know of the series' future as well as the parameters."""
        update = {}
        for name in self.OBSERVED:
            series = getattr(self, name)
            known = {y: v for y, v in series.items() if y <= year}
            if known:
                years = np.array(sorted(known))
                steps = np.diff(np.log([known[y] for y in years])) / np.diff(years)  # yearly log-growths
                mean = math.log(known[years[-1]] / known[years[0]]) / (years[-1] - years[0]) if steps.size else 0.0
                sd = float(steps.std(ddof=1) * np.sqrt(1 + 1 / steps.size)) if steps.size > 1 else 0.0
                later = sorted(y for y in series if y > year)
                last, value = max(known), known[max(known)]
                growth = (rng.normal(mean, sd, len(later)) if rng is not None and sd > 0
                          else np.full(len(later), mean))
                for y, g in zip(later, growth):  # a gap of several years grows each of them
                    value *= math.exp(g * (y - last))
                    known[y], last = value, y
            update[name] = known
        return self.model_copy(update=update)

    def reference(self) -> int | None:
        """The reference year: the stated one, else the first year with funds above 0."""
        if self.reference_year is not None:
            return self.reference_year
        return min((y for y, v in self.funds.items() if v > 0), default=None)

    def check_years(self, years: list[int]) -> None:
        """Every year given lies in the scenario's ``years``."""
        for name in ("funds", "dibao_line") + self.OBSERVED:
            for y in getattr(self, name):
                if y not in years:
                    raise FieldProblem(f"campaign.{name}.{y}", f"is outside the scenario years {years[0]}-{years[-1]}")
        for name in ("reference_year", "deadline_year"):
            y = getattr(self, name)
            if y is not None and y not in years:
                raise FieldProblem(f"campaign.{name}", f"must be one of the scenario years {years[0]}-{years[-1]}, got {y}")
