"""Who may receive a measure after exit (脱贫不脱政策): one rule per 特惠 measure.

The texts do not end every measure at the same time: the precise-exit briefing keeps health support
(§一(二)5) and education support (§一(二)9) for the 2014-2017 exits until 2020, whatever the year of
exit, while 兜底 follows its own means test (``dibao.entitlement``, ``dibao.phaseout_months``). So each
特惠 lever has its own years after exit (``after_exit.<lever>_years``, -1 = the general
``after_exit.transition_years``) and an optional calendar end (``after_exit.<lever>_until``, 0 = none):
an exited household keeps the measure in year Y while ``Y - exit_year <= years`` or ``Y <= until``.
The registered poor are always eligible. The masks are built when the status changes (January, after
the assessment), not in the monthly hooks.
"""

from __future__ import annotations

import numpy as np

from ..parameters.typed import AfterExitSection
from . import year_kernels
from .population import EXITED, POOR, Households

_NO_ONE = np.zeros(0, bool)  # no ``also``

# the levers with a rule of their own after exit (兜底 and motivation follow the general mask)
SPECIAL: tuple[str, ...] = ("medical", "education", "pension", "housing", "relocation", "industry", "employment",
                            "credit")


def rule(ae: AfterExitSection, lever: str) -> tuple[int, int]:
    """(years after exit, calendar end) of ``lever``; the general rule for a lever without its own."""
    if lever not in SPECIAL:
        return ae.transition_years, 0
    years = getattr(ae, f"{lever}_years")
    return (ae.transition_years if years < 0 else years), getattr(ae, f"{lever}_until")


def benefit_eligible(hh: Households, year: int, years: int, until: int = 0,
                     also: np.ndarray | None = None) -> np.ndarray:
    """Registered poor, and exited households within ``years`` of their exit or up to the
    calendar year ``until``, and ``also`` (the monitored: 防止返贫监测) (read-only)."""
    # (status == POOR) | ((status == EXITED) & ((year - exit_year <= years) | (year <= until))) | also: one pass
    # (year_kernels.benefit_eligible)
    out = np.empty(hh.status.size, bool)
    year_kernels.benefit_eligible(hh.status, hh.exit_year, POOR, EXITED, year, years, until,
                                  _NO_ONE if also is None else also, out)
    out.flags.writeable = False
    return out


def by_lever(hh: Households, year: int, ae: AfterExitSection, general: np.ndarray,
             also: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Each special lever's mask, where its rule differs from the general one (the others read
    ``general``); levers with the same rule share one array."""
    out: dict[str, np.ndarray] = {}
    made: dict[tuple[int, int], np.ndarray] = {(ae.transition_years, 0): general}
    for lever in SPECIAL:
        r = rule(ae, lever)
        if r not in made:
            made[r] = benefit_eligible(hh, year, *r, also=also)
        if made[r] is not general:
            out[lever] = made[r]
    return out
