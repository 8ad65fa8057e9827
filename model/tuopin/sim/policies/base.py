"""The lever contract: what a policy lever declares, what it is given, and how it pays.

A lever is a small class named for its catalog section (``lever``); its typed parameters are
``self.p`` (e.g. :class:`~tuopin.parameters.typed.DibaoSection`). It declares

- ``owns``: the per-household (or per-village) arrays it creates in ``__init__`` and alone changes;
- ``reads`` and ``writes``: the shared state it uses, by name: ``hh.<field>`` (the household table),
  ``ys.<field>`` (the year's accumulators), ``shared.<field>`` (:class:`SharedState`),
  ``villages.<field>`` (:class:`VillageArrays`), ``params.<section>`` (another catalog section);
- ``eligible()``: the households it may serve now.

It is given a :class:`StepContext`, never the model: the clock, the households, the year's state,
the poverty line, the benefit-eligible mask (its own: each 特惠 measure has its own rule after exit,
:mod:`~tuopin.sim.eligibility`), the payment priority and a way to convert catalog counts; and a
random stream of its own (``self.rng``). The model calls its hooks in the order of ``LEVERS`` (see
``policies/__init__.py``, where every dependency between levers is stated): ``year_start`` each
January, ``month`` each month before income accrues, ``assessment`` just before the annual
assessment; outside the time its section gives (``enabled``, ``start_year``, ``start_month``,
``end_year``) they are not called. A lever that starts after January (its document dated mid-year)
runs its monthly and assessment hooks from that month and its yearly work from the next January;
in its first year :meth:`Policy.year_share` is the part of the year so far it was in force. A lever spends only through :meth:`Policy.pay` (costs),
:meth:`Policy.transfer` (income paid to households) and :meth:`Policy.pay_villages`; all three go
through the ledger and so respect the budget caps. ``tests/test_lever_contract.py`` checks the
declarations against the code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from .. import pay_kernels

_NONE = np.zeros(0)  # no tally

if TYPE_CHECKING:
    from ...parameters.typed import Params
    from ..budget import Ledger
    from ..dynamics import YearState
    from ..population import Households


@dataclass(slots=True, eq=False)
class SharedState:
    """Per-household state that levers write and the model reads, created with the model."""

    effort: np.ndarray         # scales wage work (1 = full); motivation lowers it (等靠要)
    report_factor: np.ndarray  # share of income a household reports at verification; motivation (隐瞒)
    medical_oop: np.ndarray    # the year's out-of-pocket medical cost at the assessment; medical
    # schooling choices next January, set by education from the support a household gets (used while it is in force)
    to_highschool: np.ndarray  # chance a compulsory-school leaver goes on to high school
    to_vocational: np.ndarray  # chance a leaver not going to high school goes to vocational school
    dropout_factor: np.ndarray  # factor on the catalog's yearly dropout rate of a compulsory-school pupil

    @classmethod
    def start(cls, n: int) -> "SharedState":
        return cls(np.ones(n), np.ones(n), np.zeros(n), np.zeros(n), np.zeros(n), np.ones(n))


@dataclass(slots=True, eq=False)
class VillageArrays:
    """Per-village state levers may see: the model's own arrays (the same objects)."""

    poor: np.ndarray        # a registered poor village
    exit_year: np.ndarray   # year the village exited, -1 not yet
    collective: np.ndarray  # collective income, yuan a year (industry raises it)
    market: np.ndarray      # local market access, mean one: a project's return in the village scales by it (sim/village.py)


@dataclass(slots=True, eq=False)
class StepContext:
    """What a lever is given. The model updates the clock fields before calling the hooks."""

    hh: Households
    params: Params
    shared: SharedState
    villages: VillageArrays
    ledger: Ledger
    weight: float            # households (people, yuan) each simulated household stands for
    assessment_month: int
    priority: np.ndarray     # payment order under a cap: lower first (per-capita income, poorest first)
    year: int = 0
    month: int = 0           # 1-12
    t: int = 0               # months simulated before this one
    line: float = 0.0        # poverty line this year, yuan per person
    ys: YearState | None = None
    eligible: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))  # benefit-eligible for the lever called (read-only)
    by_lever: dict = field(default_factory=dict)  # lever -> its own mask where its rule after exit differs (read-only)
    intensity: float = 1.0   # the year's funding intensity: levers scale their yearly take-up by it (1 = catalog)
    dibao_line: float = 0.0  # the scenario's 低保 standard this year, yuan per person (0: the catalog's ratio)
    migrant_workers: float = 0.0   # registered labourers in wage work away this year, whole region (0: not given)
    migrant_earnings: float = 0.0  # yearly earnings of one of them, yuan
    monitored: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))  # 防止返贫监测 (sim/campaign.py)
    village_weight: float = 1.0  # poor villages each simulated poor village stands for (1 in a full run)
    focus: np.ndarray = field(default_factory=lambda: np.zeros(0))  # allocation weight of poor-village households (targeting.choose)

    def count(self, n: float) -> int:
        """A number of households in the whole region (a catalog count such as relocations a year)
        in simulated households: the same in a full run, 1/k of it in sampled mode."""
        return int(round(n / self.weight))


class Policy:
    lever: ClassVar[str] = ""
    owns: ClassVar[tuple[str, ...]] = ()
    reads: ClassVar[tuple[str, ...]] = ()
    writes: ClassVar[tuple[str, ...]] = ()

    def __init__(self, ctx: StepContext, seed: int):
        self.ctx = ctx
        self.p = getattr(ctx.params, self.lever)
        # a stream of its own (seeded from the model's generator), so that switching a lever on or
        # off leaves every other random draw as it was: common random numbers across scenarios
        self.rng = np.random.default_rng(seed)

    def active(self, year: int, month: int = 12) -> bool:
        """In force in ``month`` of ``year`` (from ``start_month`` of ``start_year`` to the end of ``end_year``)."""
        p = self.p
        return p.enabled and (p.start_year, p.start_month) <= (year, month) and year <= p.end_year

    def year_share(self) -> float:
        """The share of this year's months so far that the lever was in force: below 1 only in its
        start year when it starts after January (a measure dated mid-year covers only its months)."""
        c, p = self.ctx, self.p
        if c.year != p.start_year or p.start_month <= 1:
            return 1.0
        return max(c.month - p.start_month + 1, 0) / c.month

    def eligible(self) -> np.ndarray:
        """The households this lever may serve now (default: the benefit-eligible under this lever's
        own rule after exit, ``after_exit.<lever>_years`` and ``_until``)."""
        return self.ctx.by_lever.get(self.lever, self.ctx.eligible)

    def pay(self, amounts: np.ndarray, priority: np.ndarray | None = None, at: np.ndarray | None = None,
            rows: np.ndarray | None = None) -> np.ndarray:
        """Spend per-household ``amounts`` (yuan) on this lever now; returns what was paid. Under a
        cap, households are paid in ascending ``priority`` (default: the context's). ``at``: the
        households ``amounts`` are for (an index array), when only a few get anything. ``rows``
        (ascending) likewise, booked as the full-length array zero off ``rows`` would be (the same yuan)."""
        c = self.ctx
        priority = c.priority if priority is None else priority
        if rows is not None:
            return c.ledger.pay(self.lever, c.year, c.month, amounts, priority, rows, c.hh.n)
        return c.ledger.pay(self.lever, c.year, c.month, amounts, priority, at)

    def pay_each(self, chosen: np.ndarray, amount: float, priority: np.ndarray | None = None) -> np.ndarray:
        """Pay ``amount`` to each household of the mask ``chosen``; returns the rows paid (ascending). The
        same yuan booked, and under a cap the same households cut, as ``pay(np.where(chosen, amount, 0.0))``
        (:meth:`pay` with ``rows``), without a full-length amounts array."""
        rows = np.flatnonzero(chosen)
        c = self.ctx
        paid = c.ledger.pay(self.lever, c.year, c.month, np.full(rows.size, float(amount)),
                            c.priority if priority is None else priority, rows, c.hh.n)
        return rows[paid > 0]

    def uncapped(self) -> bool:
        """No budget cap can cut this lever's payments (none on it, none on the total): :meth:`pay`
        pays any request in full, so a lever may add a payment to incomes in the pass that makes it."""
        return self.ctx.ledger.uncapped(self.lever)

    def pay_villages(self, amounts: np.ndarray) -> np.ndarray:
        """Spend per-village ``amounts`` (yuan) now, villages in index order under a cap."""
        c = self.ctx
        return c.ledger.pay(self.lever, c.year, c.month, amounts)

    def transfer(self, amounts: np.ndarray, tally: np.ndarray | None = None, rows: np.ndarray | None = None) -> np.ndarray:
        """Pay ``amounts`` to households as income this month (counted as benefits received):
        writes ``ys.income`` and ``ys.benefits``, and adds what was paid to ``tally`` if given.
        ``rows`` (ascending): ``amounts`` is for these households only, the rest get nothing (the
        same yuan and the same incomes as the full-length array, with work on the few rows only)."""
        ys, also = self.ctx.ys, _NONE if tally is None else tally
        paid = self.pay(amounts, rows=rows)
        if rows is None:
            pay_kernels.receive(paid, ys.income, ys.benefits, also)  # one pass
        else:
            pay_kernels.receive_rows(rows, paid, ys.income, ys.benefits, also)
        return paid

    def year_start(self) -> None:
        """Called each January while the lever is in force."""

    def month(self) -> None:
        """Called each month while the lever is in force, before income accrues."""

    def assessment(self) -> None:
        """Called in the assessment month, just before the assessment."""

    def record(self) -> dict[str, float]:
        """Columns this lever adds to the year's row of the annual table (region units, weighted),
        asked at every assessment whether or not the lever is in force. Default: none."""
        return {}
