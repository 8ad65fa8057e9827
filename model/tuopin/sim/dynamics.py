"""Baseline household dynamics with no campaign policy: the year's turn and each month's shocks.

Each function is one vectorised rule over all households. Per-household random draws come from
the model's generator only. ``p`` is the typed catalog (:class:`~tuopin.parameters.typed.Params`);
the rules read its sections ``income``, ``health``, ``shocks``, ``education``, ``demography``,
``housing`` and ``medical`` (the non-compliant share of a hospital bill).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from ..parameters.typed import Params
from . import kernels, shock_calendar, year_kernels
from .population import CATEGORY_CODES, DIBAO_CODES, DOUBAO_CODES, HOUSING_C, HOUSING_D, HOUSING_SAFE, Households, in_codes


@dataclass
class YearState:
    """What accumulates over a calendar year, reset each January (in place: the arrays are reused)."""

    income: np.ndarray          # gross income received so far, yuan
    inpatient: np.ndarray       # compliant inpatient cost so far
    noncompliant: np.ndarray    # cost outside the insurance catalogue so far
    education_cost: np.ndarray  # school costs borne by the household so far
    disaster_loss: np.ndarray   # share of farm income lost for the rest of the year
    jobless_months: np.ndarray  # months left without migrant work
    ill_months: np.ndarray      # months left with one labourer off work
    episodes: np.ndarray        # inpatient episodes this year (at most one a month)
    benefits: np.ndarray        # income paid by policy levers so far (also counted in income)
    expense: np.ndarray         # costs net income deducts so far: pension premiums, unpaid loan interest
    ill_rate: np.ndarray        # monthly rate of inpatient episodes (float32, set in January; :func:`illness_rate`)
    market: np.ndarray          # wage and farm income received so far (after the year's shocks)
    outlay: np.ndarray          # spending net income does not deduct: loan principal, the owner's share of a renovation
    wage_shock: np.ndarray      # the year's transitory wage factor (set in January)
    farm_shock: np.ndarray      # the year's transitory farm factor (set in January)
    persistent: np.ndarray      # persistent monthly wage and farm income this year (set in January, :func:`persistent_income`)
    wage_factor: np.ndarray     # effort (等靠要) times the transitory wage factor, for the year
    regular: np.ndarray         # monthly transfers and property income this year
    rate: np.ndarray            # this month's wage and farm income, kept current row by row (:func:`accrue_income`)
    dirty: np.ndarray           # rows whose shocks changed since ``rate`` was computed (1: compute again)
    migrants: np.ndarray | None = None  # households with a migrant wage this year (set in its first month)
    calendar: shock_calendar.Calendar | None = None  # the year's episodes and job losses (drawn in its first month)

    # each array's type and its value in January
    START = {"jobless_months": (np.int8, 0), "ill_months": (np.int8, 0), "episodes": (np.int8, 0),
             "ill_rate": (np.float32, 0), "wage_shock": (float, 1), "farm_shock": (float, 1), "wage_factor": (float, 1),
             "dirty": (np.uint8, 0)}
    # set in full each January before anything reads them (the model's year start, :func:`transitory_shocks`,
    # :func:`persistent_income`), so a reset leaves them as they are
    NOT_ARRAYS = ("migrants", "calendar")  # the year's, found in its first month
    SET_EACH_JANUARY = ("ill_rate", "wage_shock", "farm_shock", "persistent", "wage_factor", "regular", "rate")

    def transient(self, months: int) -> np.ndarray:
        """Income above (below) its persistent level over the first ``months`` months: the year's
        transitory shocks, illness, disaster and job loss. Stable income leaves it out."""
        return self.market - months * self.persistent

    @classmethod
    def zeros(cls, n: int) -> "YearState":
        return cls(**{f.name: np.full(n, *cls.START.get(f.name, (float, 0))[::-1]) for f in fields(cls)
                      if f.name not in cls.NOT_ARRAYS})

    def reset(self) -> "YearState":
        """Start a new year in the same arrays (no second set alive while the year turns)."""
        for f in fields(self):
            if f.name not in self.NOT_ARRAYS + self.SET_EACH_JANUARY:
                getattr(self, f.name).fill(self.START.get(f.name, (float, 0))[1])
        self.migrants, self.calendar = None, None
        return self


def binom(counts: np.ndarray, p, rng: np.random.Generator) -> np.ndarray:
    """Binomial draws, made only where ``counts`` > 0 (most households have none of a role): the same
    draws as ``rng.binomial(counts[rows], p[rows])``, by :func:`.kernels.binomial` where it applies."""
    out = np.zeros_like(counts)
    pp = np.asarray(p, float).reshape(-1)
    if kernels.binomial(rng, counts, pp, pp.size == 1, out):
        return out
    idx = np.flatnonzero(counts > 0)
    if idx.size:
        pp = p[idx] if isinstance(p, np.ndarray) else p
        out[idx] = rng.binomial(counts[idx], pp)
    return out


def _move(hh: Households, src: str, dst: str, k: np.ndarray) -> None:
    np.subtract(getattr(hh, src), k, out=getattr(hh, src), casting="unsafe")
    np.add(getattr(hh, dst), k, out=getattr(hh, dst), casting="unsafe")


def _lose_labour(hh: Households, k: np.ndarray) -> None:
    """``k`` labourers stop working: the household loses their share of wage income (only the
    households losing one change: the others keep a factor of one): both wages times
    ``(labour - k) / max(labour, 1)`` where ``k`` is not 0 and there is a labourer, in one pass."""
    year_kernels.lose_labour(k, hh.labour, hh.wage_local, hh.wage_migrant)


def basic_pension(p: Params, year: int) -> float:
    """The residents' scheme's basic pension a year (yuan): the national minimum in force in ``year``."""
    inc = p.income
    return 12 * (inc.basic_pension_raised if year >= inc.basic_pension_raised_from_year else inc.basic_pension)


def age_and_school(hh: Households, p: Params, line: float, rng: np.random.Generator, school=None, *,
                   year: int) -> None:
    """One year of ageing and schooling: retirement, disability, school progression, dropouts, the
    wages of new labourers by schooling, chronic illness onset. A labourer who retires takes the
    household's wage share with him and, in an enrolled household, draws the basic pension of ``year``
    from then on (:func:`basic_pension`; the elderly at the start have theirs in their transfers).
    ``school`` (the levers' shared state, while education is in force) gives each household's
    continuation and dropout chances; without it the catalog's rates hold for everyone."""
    e, d = p.education, p.demography
    drop_p = np.where(hh.category > 0, e.dropout_rate_registered, e.dropout_rate_other)
    if school is None:
        to_hs_p, to_voc_p = e.highschool_continuation, e.vocational_continuation / max(1 - e.highschool_continuation, 1e-9)
    else:
        to_hs_p, to_voc_p, drop_p = school.to_highschool, school.to_vocational, drop_p * school.dropout_factor
    # retirement and disability take labourers out of work first
    retire = binom(hh.labour, d.labour_to_elderly_rate, rng)
    _lose_labour(hh, retire)
    _move(hh, "labour", "elderly", retire)
    kernels.add_per(hh.transfer, basic_pension(p, year), retire * hh.pension)  # transfer += pension * retired, enrolled
    disab = binom(hh.labour, d.disability_onset_rate, rng)
    _lose_labour(hh, disab)
    _move(hh, "labour", "disabled", disab)
    # school progression
    start = binom(hh.preschool, 1 / e.years_preschool, rng)
    _move(hh, "preschool", "compulsory", start)
    drop_age_out = binom(hh.dropout, 1 / e.years_compulsory, rng)             # dropouts reaching 16 go to work
    hh.dropout -= drop_age_out
    _move(hh, "compulsory", "labour", drop_age_out)
    finish = binom(hh.compulsory - hh.dropout, 1 / e.years_compulsory, rng)
    to_hs = binom(finish, to_hs_p, rng)
    to_voc = binom(finish - to_hs, to_voc_p, rng)
    to_work = finish - to_hs - to_voc
    _move(hh, "compulsory", "highschool", to_hs)
    _move(hh, "compulsory", "vocational", to_voc)
    _move(hh, "compulsory", "labour", to_work)
    hs_done = binom(hh.highschool, 1 / e.years_highschool, rng)
    hs_college = binom(hs_done, e.college_continuation, rng)
    _move(hh, "highschool", "college", hs_college)
    _move(hh, "highschool", "labour", hs_done - hs_college)
    voc_done = binom(hh.vocational, 1 / e.years_vocational, rng)
    _move(hh, "vocational", "labour", voc_done)
    col_done = binom(hh.college, 1 / e.years_college, rng)
    _move(hh, "college", "labour", col_done)
    # new dropouts and returns among those still in compulsory school
    in_school = hh.compulsory - hh.dropout
    hh.dropout += binom(in_school, drop_p, rng) - binom(hh.dropout, e.dropout_return_rate, rng)
    # graduates earn more, years later: wage of a new labourer by schooling
    base = e.new_labour_wage_ratio * line
    for wage, wage_base, new in ((hh.wage_local, base, to_work + drop_age_out),
                                 (hh.wage_local, base * (1 + e.highschool_wage_premium), hs_done - hs_college),
                                 (hh.wage_local, base * (1 + e.vocational_wage_premium), voc_done),
                                 (hh.wage_migrant, base * (1 + e.college_wage_premium), col_done)):
        kernels.add_per(wage, wage_base, new)  # wage += wage_base * new, on the few households with a new labourer
    # chronic illness onset
    hh.chronic += binom(hh.size - hh.chronic, p.health.chronic_onset_rate, rng).astype(np.int16)


def mean_one_lognormal(rng: np.random.Generator, n: int, sigma: float, out: np.ndarray | None = None) -> np.ndarray:
    """``exp(sigma * z - sigma² / 2)`` for ``n`` standard normal draws ``z`` (a factor of mean one), written to
    ``out`` (or returned): the draws and their exponent in one pass (:func:`.kernels.normals`), the
    exponential in numpy's."""
    z = kernels.normals(rng, n, sigma, sigma ** 2 / 2, out)
    return np.exp(z, out=z)


def grow_incomes(hh: Households, p: Params, line_ratio: float, rng: np.random.Generator,
                 transfer_ratio: float | None = None) -> None:
    """The January change of persistent income: trend growth, permanent household shocks (a random
    walk in logs), village prices, business failure. Transitory shocks are :func:`transitory_shocks`.
    Base transfers (pensions, subsidies, ecological compensation) grow by ``transfer_ratio`` where the scenario
    gives a transfer-income series (nationally the poor areas' transfer income, 12-17 % a year), else with the
    line; those of 兜底 (低保, 五保) households follow the line, since the 低保 lever pays their assistance by its
    own standard (counting the series' 低保 growth in both would pay it twice)."""
    inc, sh = p.income, p.shocks
    n = hh.n
    wage_noise = mean_one_lognormal(rng, n, inc.wage_sigma)
    wage_noise *= 1 + inc.wage_growth  # (1 + growth) * noise, once for both wages
    hh.wage_local *= wage_noise
    hh.wage_migrant *= wage_noise
    n_v = hh.villages()
    price = np.exp(sh.price_sigma * rng.standard_normal(n_v) - sh.price_sigma ** 2 / 2)
    farm_noise = mean_one_lognormal(rng, n, inc.farm_sigma)
    # farm *= (1 + growth) * price[village] * noise; then farm *= 1 - loss where farm > 0 and u < the failure
    # rate (a business failure): one pass (year_kernels.grow_farm)
    year_kernels.grow_farm(hh.farm, 1 + inc.farm_growth, price, hh.village, farm_noise, rng.random(n),
                           float(sh.business_failure_rate), 1 - sh.business_failure_loss)
    hh.property *= 1 + inc.wage_growth
    if transfer_ratio is None:
        hh.transfer *= line_ratio
    else:  # 兜底 households' base transfers stand for the assistance the 低保 lever pays by its own standard
        hh.transfer *= np.where(in_codes(hh.category, DOUBAO_CODES), line_ratio, transfer_ratio)


def transitory_shocks(ys: YearState, p: Params, rng: np.random.Generator) -> None:
    """The year's transitory factors on wages and farm income (mean one, log-normal): they move
    this year's income and are gone the next (the permanent/transitory decomposition)."""
    inc, n = p.income, ys.income.size
    for out, sigma in ((ys.wage_shock, inc.wage_transitory_sigma), (ys.farm_shock, inc.farm_transitory_sigma)):
        mean_one_lognormal(rng, n, sigma, out)  # drawn at any sigma: common random numbers


def renew(enrolled: np.ndarray, share: float, renewal: float, u: np.ndarray) -> np.ndarray:
    """A year's enrolment that persists: the enrolled renew with chance ``renewal``, the others join
    with the chance that keeps the share enrolled at ``share`` (s (1 - r) / (1 - s), at most 1), so
    the same households stay out year after year instead of a fresh draw each year."""
    join = min(1.0, share * (1 - renewal) / (1 - share)) if share < 1 else 1.0
    enrolled, u = np.asarray(enrolled, bool), np.asarray(u, float)
    out = np.empty(u.shape, bool)
    kernels.renew_each(enrolled.reshape(-1), u.reshape(-1), float(renewal), float(join), out.reshape(-1))
    return out  # np.where(enrolled, u < renewal, u < join), in one pass


def housing_and_insurance(hh: Households, p: Params, rng: np.random.Generator) -> None:
    """Houses decay or are repaired by their owners; insurance (新农合) and the residents' pension
    are renewed for the year (:func:`renew`)."""
    h = p.housing
    u = rng.random(hh.n)
    # safe -> C where u < decay_rate_safe, C -> D where u < decay_rate_c, unsafe -> safe where u > 1 - the owner's
    # repair rate (registered or not), which wins: one pass (kernels.housing_year; codes as population.HOUSING_*)
    assert (HOUSING_SAFE, HOUSING_C, HOUSING_D) == (0, 1, 2)
    new = np.empty_like(hh.housing)
    kernels.housing_year(hh.housing, u, hh.category, float(h.self_repair_rate_registered), float(h.self_repair_rate_other),
                         float(h.decay_rate_safe), float(h.decay_rate_c), new)
    hh.housing = new
    hh.insured = renew(hh.insured, p.health.insurance_enrolment, p.health.insurance_renewal, rng.random(hh.n))
    hh.pension = renew(hh.pension, p.income.pension_enrolment, p.income.pension_renewal, rng.random(hh.n))


def illness_rate(hh: Households, p: Params) -> np.ndarray:
    """Monthly rate of inpatient episodes, from the household's members (rates per person-year): a
    chance ``1 - exp(-rate)`` of an episode in a month (at most one counted a month, :mod:`.shock_calendar`)."""
    hl = p.health
    # rate = (inpatient_rate * size + elderly_extra * elderly + chronic_extra * chronic) / 12, in one pass
    rate = np.empty(hh.n)
    kernels.monthly_rate(hh.size, hh.elderly, hh.chronic, float(hl.inpatient_rate),
                         float(hl.inpatient_rate_elderly_extra), float(hl.inpatient_rate_chronic_extra), rate)
    return rate.astype(np.float32)


def education_costs(hh: Households, p: Params) -> np.ndarray:
    """School costs a household bears this year, before any subsidy (yuan)."""
    e = p.education
    # (compulsory - dropout) * cost_compulsory + highschool * cost_highschool + vocational * ... + college * ...
    out = np.empty(hh.n)
    kernels.school_costs(hh.compulsory, hh.dropout, hh.highschool, hh.vocational, hh.college, float(e.cost_compulsory),
                         float(e.cost_highschool), float(e.cost_vocational), float(e.cost_college), out)
    return out


def monthly_shocks(hh: Households, ys: YearState, p: Params, month: int, rng: np.random.Generator) -> None:
    """Illness, disaster (correlated within a village) and job loss for one month. The year's episodes
    and job losses are drawn in its first month (:mod:`.shock_calendar`: the same law as a draw each
    month); a month applies its own."""
    hl, sh = p.health, p.shocks
    if ys.calendar is None:  # wages change only in January: the year's migrants are found once
        ys.migrants = np.flatnonzero(hh.wage_migrant > 0)
        ys.calendar = shock_calendar.draw(ys.ill_rate, ys.migrants, sh.job_loss_rate / 12, sh.job_loss_max_months,
                                          hl.episode_cost_median, hl.episode_cost_sigma, month, rng)
    # inpatient episodes (the chronic outpatient cost is worked out where it is read, :func:`chronic_cost`)
    ill, cost = ys.calendar.ill(month)
    if ill.size:
        nc = p.medical.noncompliant_share
        # (only the rows whose off-work state flips are marked dirty: their income changes)
        kernels.fall_ill(ill, cost, 1 - nc, nc, ys.inpatient, ys.noncompliant, ys.episodes, ys.ill_months,
                         hh.labour, int(hl.work_months_lost), ys.dirty)
    # disaster strikes whole villages; each household loses a share of the rest of its farm year
    n_v = hh.villages()
    hit = rng.random(n_v) < sh.disaster_rate / 12
    if hit.any():
        sev = np.where(hit, rng.beta(sh.disaster_severity_a, sh.disaster_severity_b, n_v), 0.0)
        villages = np.flatnonzero(hit)
        order, start = hh.village_index()
        spread = sh.disaster_household_spread
        u = rng.uniform(1 - spread, 1 + spread, int((start[villages + 1] - start[villages]).sum()))
        # the hit villages' households (hh.in_villages), in household order, lose clip(sev × u, 0, 1) of the
        # rest of their farm year where that is more than a loss already this year: one pass (kernels.strike)
        kernels.strike(order, start, villages, hh.village, sev, u, ys.disaster_loss, ys.dirty)
    # migrant job loss: each at risk only in work (the calendar's spells), so out of work from now on
    lose, spell = ys.calendar.losses(month)
    ys.jobless_months[lose] = spell
    ys.dirty[lose] = 1


def pension_premiums(hh: Households, p: Params) -> np.ndarray:
    """Premiums working-age members of enrolled households pay to the rural pension scheme this year (yuan)."""
    return (hh.labour + hh.disabled) * (p.income.pension_premium * hh.pension)


def insurance_premium(p: Params, year: int) -> float:
    """The individual 新农合 contribution per person in ``year`` (yuan): the base year's, moved by the
    yearly step, not below zero."""
    h = p.health
    return max(h.premium_per_person + h.premium_step * (year - h.premium_base_year), 0.0)


def own_contribution(hh: Households, p: Params, year: int) -> np.ndarray:
    """The 新农合 contribution each household owes if insured this year (yuan): its members at the
    year's rate, less what 医疗救助 pays for 五保 and 低保 households (outside the campaign)."""
    h = p.health
    # size * premium * (1 - assist), assist 五保's, 低保's (DIBAO_CODES) or none: one pass
    out = np.empty(hh.n)
    kernels.contribution(hh.category, hh.size, float(insurance_premium(p, year)), CATEGORY_CODES["wubao"],
                         *DIBAO_CODES, float(h.premium_assist_wubao), float(h.premium_assist_dibao), out)
    return out


def insurance_premiums(hh: Households, p: Params, year: int) -> np.ndarray:
    """新农合 contributions insured households pay this year (yuan): a compulsory contribution, which
    net income deducts like the pension premium. The medical lever pays them for the poor it covers."""
    return hh.insured * own_contribution(hh, p, year)


def persistent_income(hh: Households, ys: YearState, effort: np.ndarray | float = 1.0) -> None:
    """The year's persistent monthly income, once the January changes are made (growth, ageing, the
    levers' January hooks, effort): what :func:`accrue_income` measures the shocks against. Wages,
    farm income, transfers, labour and effort change only in January."""
    ys.wage_factor[:] = effort * ys.wage_shock
    effort = np.broadcast_to(np.asarray(effort, float), ys.rate.shape)
    # persistent = ((wage_local + wage_migrant) * effort + farm) / 12, regular = (transfer + property) / 12,
    # rate = market_income(hh, ys, every row), dirty = 0: one pass (kernels.persistent)
    kernels.persistent(hh.wage_local, hh.wage_migrant, hh.farm, hh.transfer, hh.property, effort, ys.wage_factor,
                       ys.ill_months, ys.jobless_months, hh.labour, ys.disaster_loss, ys.farm_shock, ys.persistent,
                       ys.regular, ys.rate, ys.dirty)


def market_income(hh: Households, ys: YearState, rows) -> np.ndarray:
    """This month's wage and farm income of ``rows`` (an index array, or ``slice(None)`` for all),
    after the shocks in force: illness keeps one labourer off work, job loss stops migrant wages,
    disaster takes a share of farm income. Effort (等靠要) scales wage work through ``ys.wage_factor``."""
    working = (1.0 - (ys.ill_months[rows] > 0) * (1.0 / np.maximum(hh.labour[rows], 1))) * ys.wage_factor[rows]
    return ((hh.wage_local[rows] + hh.wage_migrant[rows] * (ys.jobless_months[rows] == 0)) * working
            + hh.farm[rows] * ((1.0 - ys.disaster_loss[rows]) * ys.farm_shock[rows])) / 12


def accrue_income(hh: Households, ys: YearState) -> float:
    """This month's gross income (``ys.rate + ys.regular``) added to the year's total, and its wage and farm
    part to ``ys.market``; returns its sum over the households.

    ``ys.rate`` holds every household's :func:`market_income`; only the rows whose shocks started or
    ended since (``ys.dirty``) are computed again, since wages, farm income and effort change only in
    January. One pass (:func:`.kernels.accrue`), which also counts a month of each shock off."""
    return kernels.accrue(ys.rate, ys.regular, ys.market, ys.income, ys.ill_months, ys.jobless_months,
                          ys.dirty, hh.labour, hh.wage_local, hh.wage_migrant, hh.farm, ys.disaster_loss,
                          ys.wage_factor, ys.farm_shock)


def chronic_cost(hh: Households, p: Params, months: int) -> np.ndarray:
    """The compliant chronic outpatient cost of the year's first ``months`` months: each chronically ill
    member's monthly cost (a twelfth of ``health.chronic_cost_per_person``), month by month. It is worked
    out when read (at the assessment), not accrued in every month's pass over the households: members fall
    chronically ill only in January, so the months' sum is known (:func:`.kernels.repeated`)."""
    out = np.empty(hh.n)
    kernels.repeated(hh.chronic, p.health.chronic_cost_per_person / 12, int(months), out)
    return out
