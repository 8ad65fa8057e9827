"""The household table (struct of arrays) and the synthetic population.

Every household attribute is one numpy array indexed by household, so each rule in the model is
a vectorised step over all households. :class:`HouseholdView` shows one row as an agent for
notebooks and tests. :func:`synthesize` builds a population whose registered households, people
and category counts match the scenario exactly.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from ..inputs.scenario import CATEGORIES, CAUSES, Scenario, allocate
from ..parameters import section
from ..parameters.typed import PopulationSection
from . import kernels

# status codes: a household is always in exactly one
NONPOOR, POOR, EXITED = 0, 1, 2
STATUS_NAMES = ("nonpoor", "poor", "exited")
# category codes: 0 = not registered (near-poor 边缘户), then the registry's four kinds
CATEGORY_CODES = {name: i + 1 for i, name in enumerate(CATEGORIES)}
CAUSE_CODES = {name: i for i, name in enumerate(CAUSES)}
DIBAO_CODES = (CATEGORY_CODES["dibao"], CATEGORY_CODES["fupin_dibao"])  # 低保 households in the registry
DOUBAO_CODES = DIBAO_CODES + (CATEGORY_CODES["wubao"],)  # 兜底: 低保 or 五保 (特困)
# member roles, counted per household; they sum to the household size
ROLES = ("labour", "disabled", "elderly", "preschool", "compulsory", "highschool", "vocational", "college")
STUDENT_ROLES = ("highschool", "vocational", "college")
HOUSING_SAFE, HOUSING_C, HOUSING_D = 0, 1, 2
INCOME_SOURCES = ("wage_local", "wage_migrant", "farm", "transfer", "property")


@dataclass
class Households:
    """Columnar household state. All arrays have one entry per household."""

    village: np.ndarray
    size: np.ndarray
    labour: np.ndarray
    disabled: np.ndarray
    elderly: np.ndarray
    preschool: np.ndarray
    compulsory: np.ndarray
    highschool: np.ndarray
    vocational: np.ndarray
    college: np.ndarray
    chronic: np.ndarray          # members with a chronic illness (overlaps the roles)
    dropout: np.ndarray          # compulsory-age children out of school
    category: np.ndarray         # 0 not registered, else CATEGORY_CODES
    cause: np.ndarray            # main cause of poverty (CAUSE_CODES); near-poor get one too
    housing: np.ndarray          # HOUSING_SAFE / _C / _D
    insured: np.ndarray          # enrolled in 新农合 this year
    pension: np.ndarray          # working-age members enrolled in the residents' pension (养老保险) this year
    wage_local: np.ndarray       # annual income rates, yuan per household per year
    wage_migrant: np.ndarray
    farm: np.ndarray
    transfer: np.ndarray
    property: np.ndarray
    status: np.ndarray           # NONPOOR / POOR / EXITED
    registered_year: np.ndarray  # year first registered, -1 never
    exit_year: np.ndarray        # year of the latest declared exit, -1 never
    relapses: np.ndarray         # times re-enrolled after an exit

    @property
    def n(self) -> int:
        return self.size.shape[0]

    def people_by_status(self) -> np.ndarray:
        """People in each status (NONPOOR, POOR, EXITED)."""
        out = np.empty(3)  # np.bincount(status, weights=size, minlength=3), counted in integers (the same numbers)
        kernels.people_by(self.status, self.size, self.status, -1, out)
        return out

    def view(self, i: int) -> "HouseholdView":
        return HouseholdView(self, int(i))

    def nbytes(self) -> int:
        return sum(getattr(self, f.name).nbytes for f in fields(self))

    def villages(self) -> int:
        """Number of village ids (one more than the largest)."""
        return self._by_village()[1].size - 1

    def in_villages(self, villages: np.ndarray) -> np.ndarray:
        """The households of ``villages`` (ids), in household order: a monthly disaster hits a few
        villages, so this reads their rows of the village index instead of every household."""
        order, start = self._by_village()
        first, count = start[villages], start[villages + 1] - start[villages]
        offset = np.repeat(first - (np.cumsum(count) - count), count)
        return np.sort(order[offset + np.arange(offset.size)])

    def village_index(self) -> tuple[np.ndarray, np.ndarray]:
        """Households sorted by village (``order``) and where each village starts in it (``start``)."""
        return self._by_village()

    def _by_village(self) -> tuple[np.ndarray, np.ndarray]:
        """Households sorted by village and where each village starts (made once: villages never change)."""
        cached = self.__dict__.get("_village_index")
        if cached is None or cached[0] is not self.village:
            order = np.argsort(self.village, kind="stable").astype(np.int32)
            start = np.concatenate(([0], np.cumsum(np.bincount(self.village))))
            cached = self._village_index = (self.village, order, start)
        return cached[1], cached[2]


class HouseholdView:
    """One household seen as an agent: attribute reads go to its row of the columnar table."""

    __slots__ = ("_table", "index")

    def __init__(self, table: Households, index: int):
        self._table, self.index = table, index

    def __getattr__(self, name):
        value = getattr(self._table, name)[self.index]
        return value.item() if hasattr(value, "item") else value

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[self.status]

    @property
    def category_name(self) -> str:
        return "not_registered" if self.category == 0 else CATEGORIES[self.category - 1]

    @property
    def cause_name(self) -> str:
        return CAUSES[self.cause]

    @property
    def income(self) -> float:
        """Gross annual income rate, yuan per household."""
        return float(sum(getattr(self, s) for s in INCOME_SOURCES))

    def as_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in fields(Households)}
        d.update(status=self.status_name, category=self.category_name, cause=self.cause_name, income=self.income)
        return d

    def __repr__(self) -> str:
        return (f"<Household {self.index}: {self.size} people, {self.category_name}, {self.status_name}, "
                f"income {self.income:,.0f} yuan/yr>")


def in_codes(codes: np.ndarray, wanted: tuple[int, ...]) -> np.ndarray:
    """Where ``codes`` is any of ``wanted``: one comparison per code (np.isin sorts, about 100x slower
    on the few codes of a category)."""
    out = codes == wanted[0]
    for code in wanted[1:]:
        out |= codes == code
    return out


def _sizes(cat: np.ndarray, target_people: int | None, p: PopulationSection, rng: np.random.Generator) -> np.ndarray:
    """Household sizes: 五保 1-2 people, others 1 + Poisson; then nudged to hit ``target_people`` exactly."""
    n = cat.shape[0]
    wubao = cat == CATEGORY_CODES["wubao"]
    size = np.where(wubao, 1 + (rng.random(n) < p.wubao_two_person_share), 0).astype(np.int64)
    others = ~wubao
    if target_people is None:
        mean_other = p.near_poor_mean_size
    else:
        mean_other = (target_people - size[wubao].sum()) / max(others.sum(), 1)
    size[others] = 1 + rng.poisson(max(mean_other - 1, 0.0), others.sum())
    size[others] = np.clip(size[others], 1, p.max_household_size)
    if target_people is not None:
        # nudge random non-五保 households by one person until the total is exact
        for _ in range(100):
            diff = target_people - size.sum()
            if diff == 0:
                break
            ok = others & ((size < p.max_household_size) if diff > 0 else (size > 1))
            idx = rng.choice(np.flatnonzero(ok), size=min(abs(diff), ok.sum()), replace=False)
            size[idx] += np.sign(diff)
        if size.sum() != target_people:
            raise ValueError(f"cannot place {target_people} people in {n} households of 1-{p.max_household_size} people")
    return size


def _roles(size, cat, cause, p: PopulationSection, rng) -> tuple[np.ndarray, np.ndarray]:
    """Member counts by role (households x roles) and chronic-ill members, drawn person by person.

    The draws, in order: a uniform per person (the role), a student role for the second member of each
    因学 household, a uniform per person (chronic illness); the rest is one pass (:func:`.kernels.roles`)."""
    n = size.shape[0]
    # role probabilities per household type: general, no-labour (五保 or lack of labour)
    general = np.array([p.role_share_labour, p.role_share_disabled, p.role_share_elderly, p.role_share_preschool,
                        p.role_share_compulsory, p.role_share_highschool, p.role_share_vocational, p.role_share_college])
    general /= general.sum()
    nolabour = np.array([0, p.role_share_nolabour_disabled, p.role_share_nolabour_elderly, 0, 0, 0, 0, 0])
    no_lab_hh = (cat == CATEGORY_CODES["wubao"]) | (cause == CAUSE_CODES["lack_labour"])
    # the first member is the household head: labour, unless the household's cause says otherwise
    head = np.full(n, ROLES.index("labour"), np.int8)
    head[no_lab_hh] = ROLES.index("elderly")
    head[cause == CAUSE_CODES["disability"]] = ROLES.index("disabled")
    # a member's role: the first whose cumulative probability reaches the member's uniform draw
    u = rng.random(int(size.sum()))
    # 因学 households have a student as their second member
    school = (size > 1) & (cause == CAUSE_CODES["schooling"])
    student = rng.choice([ROLES.index(r) for r in STUDENT_ROLES], size=int(school.sum()),
                         p=[p.student_share_highschool, p.student_share_vocational, p.student_share_college])
    chronic_u = rng.random(u.size)
    counts, chronic = np.zeros((n, len(ROLES)), np.int16), np.zeros(n, np.int16)
    kernels.roles(size, no_lab_hh, head, school, cause == CAUSE_CODES["illness"], u, np.cumsum(general)[:-1],
                  np.cumsum(nolabour)[:-1], student, chronic_u, p.chronic_share, p.chronic_share_elderly_extra,
                  ROLES.index("elderly"), counts, chronic)
    return counts, chronic


def _registry(path: str) -> "pd.DataFrame":
    return pd.read_parquet(path)


# the last population built in this process, kept when it has at most this many households: every
# replicate of a scenario starts from the same synthetic registry, so a worker running many builds it once
CACHE_HOUSEHOLDS = 500_000
_cache: dict = {}
_cache_lock = threading.Lock()


def synthesize(spec: Scenario, params: dict, rng: np.random.Generator) -> tuple[Households, np.ndarray, np.ndarray]:
    """A synthetic population for ``spec``: the households, each village's rural people, and which villages are poor.

    Registered households, their people and their category counts match the scenario exactly;
    cause counts match exactly too. Near-poor households (边缘户) are added outside the registry.
    The same inputs (scenario population, first line, catalog section, registry file, generator
    state) give the same population, so the last one is kept and copied (``CACHE_HOUSEHOLDS``);
    ``rng`` is left as building it would leave it.
    """
    pop = spec.population
    stat = os.stat(pop.registry) if pop.registry else None
    key = (pop.model_dump_json(), spec.first_year, spec.poverty_line[spec.first_year],
           json.dumps(section(params, "population"), sort_keys=True, default=str),
           stat and (stat.st_mtime_ns, stat.st_size), json.dumps(rng.bit_generator.state, sort_keys=True))
    with _cache_lock:
        hit = _cache.get(key)
    if hit is None:
        _cache.clear()  # one population at a time: memory stays bounded by the largest
        built = _synthesize(spec, params, rng)
        if built[0].n <= CACHE_HOUSEHOLDS:
            with _cache_lock:
                _cache.clear()
                _cache[key] = (built, rng.bit_generator.state)
            return _copy(built)
        return built
    built, state = hit
    rng.bit_generator.state = state
    return _copy(built)


def _copy(built: tuple[Households, np.ndarray, np.ndarray]) -> tuple[Households, np.ndarray, np.ndarray]:
    hh, village_people, poor_village = built
    new = Households(**{f.name: getattr(hh, f.name).copy() for f in fields(hh)})
    order, start = hh._by_village()
    new._village_index = (new.village, order, start)  # the same villages: share the (read-only) index
    return new, village_people.copy(), poor_village.copy()


def _synthesize(spec: Scenario, params: dict, rng: np.random.Generator) -> tuple[Households, np.ndarray, np.ndarray]:
    pop = spec.population
    p = PopulationSection(**section(params, "population"))
    n_reg = pop.households
    n_near = int(round(n_reg * pop.near_poor_per_registered))
    n = n_reg + n_near

    reg = _registry(pop.registry) if pop.registry else None
    cat = np.zeros(n, np.int8)
    cause = np.empty(n, np.int8)
    cause_shares = [pop.cause.get(c, 0.0) for c in CAUSES]
    if reg is None:
        cat[:n_reg] = rng.permutation(np.repeat(np.arange(1, 5, dtype=np.int8), allocate(n_reg, [pop.category.get(c, 0.0) for c in CATEGORIES])))
        cause[:n_reg] = rng.permutation(np.repeat(np.arange(len(CAUSES), dtype=np.int8), allocate(n_reg, cause_shares)))
    else:  # the registry's own households
        cat[:n_reg] = reg["category"].map(CATEGORY_CODES).to_numpy(np.int8)
        cause[:n_reg] = reg["cause"].map(CAUSE_CODES).to_numpy(np.int8)
    cause[n_reg:] = rng.choice(len(CAUSES), size=n_near, p=np.array(cause_shares) / sum(cause_shares))

    size_reg = reg["people"].to_numpy(np.int64) if reg is not None else _sizes(cat[:n_reg], pop.people, p, rng)
    size = np.concatenate([size_reg, _sizes(cat[n_reg:], None, p, rng)])
    roles, chronic = _roles(size, cat, cause, p, rng)
    registered = cat > 0

    # income: per-capita gross income relative to the first year's line, lognormal
    line0 = spec.poverty_line[spec.first_year]
    median = np.where(registered, p.income_ratio_median, p.near_poor_income_ratio_median)
    sigma = np.where(registered, p.income_ratio_sigma, p.near_poor_income_ratio_sigma)
    gross = line0 * size * median * np.exp(sigma * kernels.normals(rng, n))
    transfer_share = np.select(
        [cat == CATEGORY_CODES["dibao"], cat == CATEGORY_CODES["fupin_dibao"], cat == CATEGORY_CODES["fupin"]],
        [p.transfer_share_dibao, p.transfer_share_fupin_dibao, p.transfer_share_fupin],
        p.transfer_share_near_poor,
    )
    transfer = gross * transfer_share
    wubao = cat == CATEGORY_CODES["wubao"]
    transfer[wubao] = p.wubao_support_ratio * line0 * size[wubao]
    gross[wubao] = transfer[wubao] * (1 + p.wubao_other_income_share)
    if reg is not None:  # registered incomes as the registry recorded them (年人均纯收入 x people)
        gross[:n_reg] = reg["income_per_capita"].to_numpy(float) * size[:n_reg]
        transfer[:n_reg] = np.minimum(transfer[:n_reg], gross[:n_reg] * np.where(wubao[:n_reg], p.registry_wubao_transfer_cap, transfer_share[:n_reg]))
    earned = gross - transfer
    has_lab = roles[:, 0] > 0
    wage = np.where(has_lab, earned * p.wage_share_of_earned, 0.0)
    prop = earned * p.property_share_of_earned
    farm = earned - wage - prop
    migrant = wage * p.migrant_share_of_wage * (roles[:, 0] > 0)

    # housing, insurance, school dropout
    u = rng.random(n)
    c_share = np.where(registered, p.housing_c_share, p.housing_c_share_near_poor)
    d_share = np.where(registered, p.housing_d_share, p.housing_d_share_near_poor)
    housing = np.where(u < d_share, HOUSING_D, np.where(u < d_share + c_share, HOUSING_C, HOUSING_SAFE)).astype(np.int8)
    insured = rng.random(n) < p.insurance_enrolment
    dropout = rng.binomial(roles[:, ROLES.index("compulsory")], p.dropout_share).astype(np.int16)
    if reg is not None:
        if "housing" in reg:
            housing[:n_reg] = reg["housing"].to_numpy(np.int8)
        if "insured" in reg:
            insured[:n_reg] = reg["insured"].to_numpy(bool)

    # villages: poor villages are ids 0..poor_villages-1
    n_v, n_pv = pop.villages, pop.poor_villages
    in_poor = rng.random(n) < pop.share_in_poor_villages
    if n_pv > 0 and p.poor_village_concentration > 0:
        # the registered poor are spread unevenly over the poor villages, so their incidence varies
        share = rng.gamma(p.poor_village_concentration, size=n_pv)
        in_village = np.minimum(np.searchsorted(np.cumsum(share / share.sum()), rng.random(n)), n_pv - 1)
    else:
        in_village = rng.integers(0, max(n_pv, 1), n)
    village = np.where(in_poor, in_village, rng.integers(n_pv, n_v, n) if n_v > n_pv else 0)
    if reg is not None and "village" in reg:
        # registry villages, most registered people first: the first poor_villages of them are the
        # poor villages (assumption: the registry does not say which villages are poor)
        people_by_code = reg.groupby("village")["people"].sum().sort_values(ascending=False, kind="stable")
        if len(people_by_code) > n_v:
            raise ValueError(f"the registry has {len(people_by_code)} villages but the scenario only {n_v}")
        ids = pd.Series(np.arange(len(people_by_code)), index=people_by_code.index)
        village[:n_reg] = ids[reg["village"]].to_numpy()
    modelled = np.bincount(village, weights=size, minlength=n_v)
    spread = p.unmodelled_village_spread
    unmodelled = allocate(max(pop.rural_people - int(size.sum()), 0), rng.uniform(1 - spread, 1 + spread, n_v))
    village_people = modelled + unmodelled
    poor_village = np.arange(n_v) < n_pv

    pension = rng.random(n) < section(params, "income")["pension_enrolment"]  # drawn last: earlier draws unchanged
    hh = Households(
        village=village.astype(np.int32),
        size=size.astype(np.int16),
        **{r: roles[:, i].copy() for i, r in enumerate(ROLES)},
        chronic=np.minimum(chronic, size).astype(np.int16),
        dropout=dropout,
        category=cat,
        cause=cause,
        housing=housing,
        insured=insured,
        pension=pension,
        wage_local=wage - migrant,
        wage_migrant=migrant,
        farm=farm,
        transfer=transfer,
        property=prop,
        status=np.where(registered, POOR, NONPOOR).astype(np.int8),
        registered_year=np.where(registered, spec.first_year - 1, -1).astype(np.int16),
        exit_year=np.full(n, -1, np.int16),
        relapses=np.zeros(n, np.int16),
    )
    return hh, village_people, poor_village
