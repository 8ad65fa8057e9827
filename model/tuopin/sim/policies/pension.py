"""养老保障: the county pays the lowest pension premium of registered poor members.

**Mechanism.** Each January the lever pays the premiums the household's working-age and disabled
members would pay to the rural residents' pension scheme (``income.pension_premium`` per enrolled
member, ``income.pension_enrolment`` of them enrolled, :func:`~tuopin.sim.dynamics.pension_premiums`).
Premiums are deducted from net income, so the household's net income rises by what the county pays.
The household no longer pays it itself, so an eligible household not enrolled joins with chance
``enrolment_poor`` a year (its working-age members then count as 养老有保障 under the Jingzhou
四保障, ``assessment.require_pension``).

**Eligibility.** Benefit-eligible households (registered, or within ``after_exit.transition_years``
of exit).

**Capacity per year.** Every eligible household: an entitlement, limited only by a budget cap.

**Effect size and source.** The Jingzhou decision, 2015, §二(三)3 (县级财政为其代缴全部最低标准的养老
保险费); the Shanxi poor-village plan §二(二)9. The lowest tier is 100 yuan a year (State Council,
国发〔2014〕8号: twelve tiers of 100 to 2,000 yuan): small, but it counts for a household just below
the line.

**Cost.** The premiums paid, through the ledger.

The basic pension (基础养老金) a member draws from 60 is not this lever's: the scheme pays it to every
enrolled household's retiring labourer (:func:`~tuopin.sim.dynamics.age_and_school`, ``income.basic_pension``).

**Left out.** The individual-account pension today's premiums buy later (after the model's years);
the scheme's own matching subsidy on premiums (缴费补贴).
"""

from __future__ import annotations

import numpy as np

from ...parameters.typed import PensionSection
from .. import year_kernels
from ..dynamics import pension_premiums
from .base import Policy


class Pension(Policy):
    lever = "pension"
    p: PensionSection
    reads = ("hh.labour", "hh.disabled", "hh.pension", "params.income")
    writes = ("hh.pension", "ys.expense")

    def year_start(self) -> None:
        c = self.ctx
        hh, eligible = c.hh, self.eligible()
        premium = np.where(eligible, pension_premiums(hh, c.params), 0.0)
        paid = self.pay(premium)
        c.ys.expense -= paid
        # an eligible household not enrolled joins (its premium is paid for it, it was never charged):
        # join = eligible & ~pension; join[join] = u < enrolment_poor; pension |= join, in one pass
        join = np.empty(hh.n, bool)
        year_kernels.join(eligible, hh.pension, self.rng.random(int(np.count_nonzero(eligible & ~hh.pension))),
                          self.p.enrolment_poor, join)
        self.pay(np.where(join, pension_premiums(hh, c.params), 0.0))
