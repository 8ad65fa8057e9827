"""Where the relapse pool comes from: exited households that were truly out of poverty at one assessment
and are under the line by their true stable income at the next, with what changed in their income.

Detected relapse (``relapse_causes.py``) is the registry's view; this is the flow behind it, on true status,
each year: how many of the exited stock fall, how close to the line the exited sit (the share under 1.2 and
1.5 times the line: the monitoring guidance watches households under about 1.5 times), and, for the
households that fell, their per-capita income by part at the two assessments (persistent wages, farm
income, 低保 paid, other lever benefits, base transfers) and the events behind the fall (a migrant wage
halved, a placed job ended, a labourer fewer).

    PYTHONPATH=model python benchmarks/exited_falls.py [scenario] [--sample K] [--seed S] [--set section.key=value ...]
"""

from __future__ import annotations

import numpy as np

from one_run import scenario_from_args
from tuopin.sim.model import PovertyModel
from tuopin.sim.population import EXITED

PARTS = ("wages", "farm", "dibao", "benefits", "transfers")


class Traced(PovertyModel):
    """The model, keeping the exited households' income parts at every assessment."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.lines: list[str] = []
        self._prev = None

    def _assess(self):
        hh, ys = self.hh, self.ys
        dibao = next(p for p in self.policies if p.lever == "dibao")
        emp = next(p for p in self.policies if p.lever == "employment")
        size = hh.size.astype(float)
        now = {"wages": (hh.wage_local + hh.wage_migrant) / size, "farm": hh.farm / size, "dibao": dibao.paid / size,
               "benefits": (ys.benefits - dibao.paid) / size, "transfers": hh.transfer / size,
               "migrant": hh.wage_migrant.copy(), "placed": emp.placed.copy(), "labour": hh.labour.copy()}
        super()._assess()
        r = self.last_assessment
        people = size * self.weight
        exited = hh.status == EXITED
        ratio = r["pc_true"] / self.line
        stock = float(people[exited].sum())
        near = ", ".join(f"under {k}x {100 * people[exited & (ratio < k)].sum() / max(stock, 1):.1f} %" for k in (1.2, 1.5))
        if self._prev is not None:
            out, before = self._prev
            fell = out & (r["pc_true"] < self.line)
            w = people[fell]
            n = float(w.sum())
            line = f"{self.year}: {n / 1e4:,.0f}万 of {float(people[out].sum()) / 1e4:,.0f}万 exited and truly out a year before fell under the line ({near} of the exited stock now)"
            if n:
                avg = {k: (np.average(before[k][fell], weights=w), np.average(now[k][fell], weights=w)) for k in PARTS}
                line += "\n    fallers, yuan a person: " + ", ".join(f"{k} {a:,.0f} -> {b:,.0f}" for k, (a, b) in avg.items())
                events = {"migrant wage halved": (before["migrant"] > 0) & (now["migrant"] < 0.5 * before["migrant"]),
                          "placed job ended": before["placed"] & ~now["placed"],
                          "a labourer fewer": now["labour"] < before["labour"],
                          "低保 stopped": (before["dibao"] > 0) & (now["dibao"] == 0)}
                line += "\n    events (万 people): " + ", ".join(f"{k} {people[fell & m].sum() / 1e4:,.1f}" for k, m in events.items())
            self.lines.append(line)
        self._prev = (exited & ~r["truly_poor"], now)


def main():
    sc, seed = scenario_from_args(__doc__, "national_2014_2020_calibrated", 2000, 1)
    m = Traced(scenario=sc, rng=seed).run()
    print("\n".join(m.lines))


if __name__ == "__main__":
    main()
