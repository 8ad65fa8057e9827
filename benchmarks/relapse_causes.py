"""Why exited households relapse: the detected relapses of one run, by cause and exit cohort.

Each assessment, every detected relapse is put under the first cause that explains it:
  verification   truly not poor: only the measured income (verification error) is below the line
  spend_poor     支出型贫困: out-of-pocket medical cost over its share of income
  guarantee:*    a failing 保障 (uninsured, no pension, dropout, unsafe house) with income under the threshold
  premiums       below the line only because of compulsory contributions (premiums, unpaid interest)
  dibao_edge     covered by 低保 (topped up to its line) and still below the line
  job_loss       a placed job ended since the last assessment and its gain would have kept it above
  support_ended  lever income (not 低保) fell since the last assessment by more than the gap
  market_fall    persistent wage and farm income fell since the last assessment
  other          none of these (e.g. a line rise, a new household member)

    PYTHONPATH=model python benchmarks/relapse_causes.py [scenario] [--sample K] [--seed S] [--set section.key=value ...]

``--set`` overrides a catalog parameter (e.g. ``--set assessment.monitoring_from_year=9999``), so a
mechanism's contribution is the difference of two runs on the same seed.
"""

from __future__ import annotations

import collections

import numpy as np

from one_run import scenario_from_args
from tuopin.sim import assessment
from tuopin.sim.model import PovertyModel
from tuopin.sim.population import EXITED, HOUSING_SAFE


class Traced(PovertyModel):
    """The model, keeping each household's income parts at every assessment."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.cause_people = collections.defaultdict(collections.Counter)  # year -> cause -> people
        self.cohort = collections.defaultdict(collections.Counter)        # year -> exit year -> people
        self.stock: dict[int, float] = {}                                 # year -> exited people at the start

    def _assess(self):
        hh, ys = self.hh, self.ys
        dibao = next(p for p in self.policies if p.lever == "dibao")
        emp = next(p for p in self.policies if p.lever == "employment")
        exited_before = hh.status == EXITED
        exit_year = hh.exit_year.copy()
        parts = {
            "market": ys.persistent * 12, "regular": ys.regular * 12,
            "dibao": dibao.paid.copy(), "benefits": ys.benefits - dibao.paid, "expense": ys.expense.copy(),
            "placed": emp.placed.copy(), "gain": emp.gain.copy(), "dibao_on": dibao.monthly > 0,
        }
        super()._assess()
        r = self.last_assessment
        prev = getattr(self, "_prev", None)
        self._prev = parts
        if prev is None:
            return
        rel = r["relapse"] & exited_before
        p = self.p.assessment
        line, size = self.line, hh.size
        pc = r["pc_true"]
        cause = np.full(hh.n, "other", object)
        left = rel.copy()

        def put(mask, name):
            nonlocal left
            m = left & mask
            cause[m] = name
            left &= ~m

        three_ok = assessment.three_guarantees(hh, p.require_pension)
        thr = assessment.income_threshold(p, self.year, self.month)
        truly = (pc < line) | (~three_ok & (pc < thr)) | r["spend_poor"]
        put(~truly, "verification")
        put(r["spend_poor"], "spend_poor")
        g = ~three_ok & (pc < thr) & (pc >= line)
        put(g & ~hh.insured, "guarantee:insurance")
        put(g & ~(hh.pension | ((hh.labour + hh.disabled) == 0)), "guarantee:pension")
        put(g & (hh.dropout > 0), "guarantee:dropout")
        put(g & (hh.housing != HOUSING_SAFE), "guarantee:housing")
        gap = (line - pc) * size
        put(pc + parts["expense"] / size >= line, "premiums")
        put(parts["dibao_on"], "dibao_edge")
        put(prev["placed"] & ~parts["placed"] & (prev["gain"] >= gap), "job_loss")
        put(prev["benefits"] - parts["benefits"] >= gap, "support_ended")
        put(parts["market"] < prev["market"], "market_fall")
        people = size[rel] * self.weight
        w = collections.Counter()
        for c, s in zip(cause[rel], people):
            w[c] += s
        self.cause_people[self.year].update(w)
        for y, s in zip(exit_year[rel], people):
            self.cohort[self.year][int(y)] += s
        self.stock[self.year] = float(size[exited_before].sum() * self.weight)


def main():
    sc, seed = scenario_from_args(__doc__, "jingzhou_2015_2018", 1, None)
    m = Traced(scenario=sc, rng=seed).run()
    for y in sorted(m.cause_people):
        tot = sum(m.cause_people[y].values())
        stock = m.stock[y]
        print(f"{y}: relapse {tot:,.0f} people = {100 * tot / stock:.2f} % of the exited stock {stock:,.0f}")
        for c, v in m.cause_people[y].most_common():
            print(f"    {c:22s} {v:10,.0f}  {100 * v / stock:5.2f} %  ({100 * v / tot:4.1f} % of relapses)")
        print("    by exit year: " + ", ".join(f"{k}: {v:,.0f}" for k, v in sorted(m.cohort[y].items())))


if __name__ == "__main__":
    main()
