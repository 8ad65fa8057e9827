"""The year's inpatient episodes and migrant job losses, drawn at once in its first month.

A household has an inpatient episode in a month at its monthly rate ``h`` (``ys.ill_rate``, set in
January: a chance ``1 - exp(-h)`` of one, at most one counted a month), and a migrant in work loses
the job in a month with the chance ``job_loss_rate / 12``, independently month after month. The
months without an event before the next one are then geometric: ``floor(E / h)`` for one standard
exponential draw ``E`` (``P(gap ≥ k) = exp(-k h)``, the chance of none in each of ``k`` months). So
the year's events are drawn as gaps, for every household at once, then for those whose event still
falls in the year, and so on: the law of a draw for every household every month, with about one draw
a household a year instead of twelve, and a month that touches only the households with an event.

A migrant who loses work is out of it for 1 to ``job_loss_max_months`` months (uniform) and at risk
again in the month after; the January reset ends what is left of a spell at the year's end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import kernels

NONE = 13  # a month after the year: no event in it


@dataclass(slots=True, eq=False)
class Calendar:
    """The year's events by month: the rows and what each event brings (a month's rows in any order:
    a household has at most one event of a kind a month)."""

    ill_rows: np.ndarray     # households with an inpatient episode
    ill_cost: np.ndarray     # its cost, yuan
    ill_at: np.ndarray       # the episodes of month m are [ill_at[m], ill_at[m + 1])
    loss_rows: np.ndarray    # migrant households losing work
    loss_months: np.ndarray  # months out of work
    loss_at: np.ndarray

    def ill(self, month: int) -> tuple[np.ndarray, np.ndarray]:
        a, b = self.ill_at[month], self.ill_at[month + 1]
        return self.ill_rows[a:b], self.ill_cost[a:b]

    def losses(self, month: int) -> tuple[np.ndarray, np.ndarray]:
        a, b = self.loss_at[month], self.loss_at[month + 1]
        return self.loss_rows[a:b], self.loss_months[a:b]


def _by_month(rows: list, months: list, *values: list) -> tuple[np.ndarray, ...]:
    """The events of the rounds of draws in month order, and the month boundaries (``at[m]``: the
    first event of month ``m``) second; then each of ``values`` in the same order."""
    def cat(parts):
        return np.concatenate(parts) if parts else np.zeros(0, np.int8)
    months = cat(months)
    order = np.argsort(months, kind="stable")  # one-byte keys: a radix sort
    at = np.zeros(NONE + 2, np.int64)
    np.cumsum(np.bincount(months, minlength=NONE + 1), out=at[1:])
    return (cat(rows)[order], at) + tuple(cat(v)[order] for v in values)


def events(rows: np.ndarray, hazard: np.ndarray | float, first: int, rng: np.random.Generator,
           most: int = 0) -> tuple[list, list, list]:
    """The months ``first``..12 of the events of ``rows`` (household rows) at the monthly ``hazard`` (one a
    row, or one for all), a household at risk again the month after an event, or with ``most`` after a
    spell of 1..``most`` months (drawn with the event): rows, months and spells (none without ``most``),
    an array of each for each round of draws (every household, then those with another event still in the
    year, ...)."""
    rows, month, hazard = _round(rows, hazard, np.array([first], np.int8), rng)
    out_rows, out_months, out_spells = [], [], []
    while rows.size:
        out_rows.append(rows)
        out_months.append(month)
        spell = 1
        if most:
            spell = rng.integers(1, most + 1, rows.size, dtype=np.int8)
            out_spells.append(spell)
        rows, month, hazard = _round(rows, hazard, month + spell, rng)  # at risk again after the event (or spell)
    return out_rows, out_months, out_spells


def _round(rows: np.ndarray, hazard: np.ndarray | float, start: np.ndarray, rng: np.random.Generator):
    """The rows whose next event, at risk from the month ``start`` (one a row, or one for all), falls in the
    year, their months and hazards: ``month = start + gap``, the gap ``floor(E / hazard)`` cut at ``NONE`` for
    a standard exponential ``E`` (numpy's, one a row, in row order), and the rows with ``month <= 12``, in one
    pass over the rows (:func:`.kernels.next_events`)."""
    scalar = np.ndim(hazard) == 0
    h = np.asarray(hazard).reshape(-1)
    out_rows, out_months = np.empty(rows.size, rows.dtype), np.empty(rows.size, np.int8)
    out_hazard = np.empty(0 if scalar else rows.size, h.dtype)
    k = kernels.next_events(rng, rows, h, start, NONE, out_rows, out_months, out_hazard)
    # copies of the kept rows (about a third), so the row-long buffers are freed now, not held by views
    return out_rows[:k].copy(), out_months[:k].copy(), hazard if scalar else out_hazard[:k].copy()


def draw(ill_rate: np.ndarray, migrants: np.ndarray, job_loss_chance: float, job_loss_most: int,
         cost_median: float, cost_sigma: float, first: int, rng: np.random.Generator) -> Calendar:
    """The calendar of the months ``first``..12: episodes (each costing ``cost_median × exp(cost_sigma
    z)``, log-normal) and job losses."""
    ill_rows, ill_at = _by_month(*events(np.arange(ill_rate.size), ill_rate, first, rng)[:2])
    cost = kernels.normals(rng, ill_rows.size, cost_sigma)  # rng.standard_normal(size) * cost_sigma
    cost = cost_median * np.exp(cost, out=cost)
    hazard = -float(np.log1p(-job_loss_chance)) if job_loss_chance < 1 else np.inf  # the chance a month as a rate
    rows, at, spells = _by_month(*events(migrants, hazard, first, rng, job_loss_most))
    return Calendar(ill_rows, cost, ill_at, rows, spells, at)
