"""Constraints on a budget split: the constraints file (per lever: yuan a year or budget shares,
fixed amounts, exclusions; the 兜底 coverage rule) and the box of splits it allows at one budget."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ...inputs.problems import explain
from ...inputs.scenario import FieldProblem, ScenarioError, read_toml
from ...parameters import suggest

DOUDI = "dibao"          # the 兜底 lever: 低保 and 五保 transfers


class ConstraintsError(ScenarioError):
    """One problem with a constraints file (same message shape and exit status as a scenario)."""


class LeverRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    min: float | None = Field(default=None, ge=0, lt=1e13, description="yuan a year, at least")
    max: float | None = Field(default=None, ge=0, lt=1e13, description="yuan a year, at most")
    min_share: float | None = Field(default=None, ge=0, le=1, description="share of the budget, at least")
    max_share: float | None = Field(default=None, ge=0, le=1, description="share of the budget, at most")
    fixed: float | None = Field(default=None, ge=0, lt=1e13, description="yuan a year, exactly")
    exclude: bool = Field(default=False, description="no money (cap 0)")

    @model_validator(mode="after")
    def _check(self):
        bounded = [k for k in ("min", "max", "min_share", "max_share") if getattr(self, k) is not None]
        if (self.fixed is not None or self.exclude) and bounded:
            raise FieldProblem(bounded[0], "cannot be combined with fixed or exclude")
        if self.fixed is not None and self.exclude:
            raise FieldProblem("exclude", "cannot be combined with fixed")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise FieldProblem("min", f"must not exceed max ({self.max:,.0f}), got {self.min:,.0f}")
        if self.min_share is not None and self.max_share is not None and self.min_share > self.max_share:
            raise FieldProblem("min_share", f"must not exceed max_share ({self.max_share}), got {self.min_share}")
        return self


class Constraints(BaseModel):
    """A constraints file: ``doudi_coverage`` (the 兜底 lever's cap at least this share of its
    largest uncapped yearly need, and the lever paid at least this share of what it asks on every
    search replicate; 1 = full cover) and ``[levers.<name>]`` rules (yuan a year or budget shares)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    doudi_coverage: float | None = Field(default=None, ge=0, le=2, description="dibao cap >= this x its uncapped need")
    levers: dict[str, LeverRule] = Field(default_factory=dict)


def load_constraints(path: str | Path | None, levers: list[str]) -> Constraints:
    """Read and validate a constraints file; every problem is one :class:`ConstraintsError` naming
    the file, the field and what is allowed (as scenarios do)."""
    if path is None:
        return Constraints()
    path = Path(path)
    if not path.is_file():
        raise ConstraintsError(path, "(file)", "no such constraints file")
    raw = read_toml(path, ConstraintsError)
    for name in (raw.get("levers") or {}) if isinstance(raw.get("levers"), dict) else ():
        if name not in levers:
            raise ConstraintsError(path, f"levers.{name}", f"is not a lever{suggest(name, levers)}; allowed: "
                                   f"{', '.join(sorted(levers))}")
    try:
        return Constraints.model_validate(raw)
    except ValidationError as e:
        fields = lambda loc: LeverRule.model_fields if len(loc) == 3 else Constraints.model_fields  # noqa: E731
        raise ConstraintsError(path, *explain(e, fields)) from None


@dataclass(frozen=True)
class Bounds:
    """Where a split may lie at one budget: ``free`` levers in [lo, hi] sharing ``remaining``
    yuan, plus ``fixed`` amounts (excluded levers and levers with no spend in the scenario: 0)."""

    budget: float
    free: tuple[str, ...]
    lo: np.ndarray
    hi: np.ndarray
    fixed: dict[str, float]

    @property
    def remaining(self) -> float:
        return self.budget - sum(self.fixed.values())

    def caps(self, c: np.ndarray) -> dict[str, float]:
        return {**self.fixed, **{k: float(v) for k, v in zip(self.free, c)}}


def bounds_for(constraints: Constraints, budget: float, active: list[str], need: dict[str, float],
               source: str = "constraints") -> Bounds:
    """The box and fixed amounts at ``budget``; a :class:`ConstraintsError` when no split fits.

    ``active``: levers that spend anything in the uncapped scenario (money given to the others
    would buy nothing, so they get 0 unless a rule says otherwise); ``need``: uncapped yearly need
    by lever (the 兜底 coverage rule)."""
    rules = constraints.levers
    fixed, free, lo, hi = {}, [], [], []
    for lever in sorted(set(active) | set(rules)):
        r = rules.get(lever, LeverRule())
        if r.exclude or (lever not in active and r.fixed is None and not (r.min or r.min_share)):
            fixed[lever] = 0.0
        elif r.fixed is not None:
            fixed[lever] = r.fixed
        else:
            free.append(lever)
            lo.append(max(r.min or 0.0, (r.min_share or 0.0) * budget))
            hi.append(min(r.max if r.max is not None else np.inf, (r.max_share if r.max_share is not None else 1) * budget))
    for lever, a, b in zip(free, lo, hi):
        if a > b:
            raise ConstraintsError(source, f"levers.{lever}", f"its minimum ({a:,.0f} yuan) is above its maximum "
                                                              f"({b:,.0f}) at a budget of {budget:,.0f}")
    if constraints.doudi_coverage is not None and DOUDI in free:
        i = free.index(DOUDI)
        lo[i] = max(lo[i], constraints.doudi_coverage * need.get(DOUDI, 0.0))
        if lo[i] > hi[i]:
            raise ConstraintsError(source, "doudi_coverage", f"needs {lo[i]:,.0f} yuan a year for {DOUDI}, above its "
                                                             f"maximum ({hi[i]:,.0f})")
    b = Bounds(budget, tuple(free), np.array(lo, float), np.array(hi, float), fixed)
    if b.remaining < -1e-6 * budget:
        raise ConstraintsError(source, "levers", f"fixed amounts ({sum(fixed.values()):,.0f} yuan) exceed the budget "
                                                 f"({budget:,.0f})")
    if b.lo.sum() > b.remaining * (1 + 1e-9):
        what = "minimums (with doudi_coverage)" if constraints.doudi_coverage else "minimums"
        raise ConstraintsError(source, "levers", f"the {what} add up to {b.lo.sum() + sum(fixed.values()):,.0f} yuan, "
                                                 f"more than the budget ({budget:,.0f})")
    if not free and abs(b.remaining) > 1e-6 * budget or free and np.minimum(b.hi, b.remaining).sum() < b.remaining * (1 - 1e-9):
        raise ConstraintsError(source, "levers", f"the maximums (and fixed amounts) add up to less than the budget "
                                                 f"({budget:,.0f}); raise a maximum or lower --budget")
    return b
