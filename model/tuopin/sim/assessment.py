"""The annual assessment (default December): relapse, exit and new-poor identification.

Order matters and follows practice: households that exited earlier are checked for relapse first
(动态调整), then registered poor households are assessed for exit (一达标两不愁三保障, plus Jingzhou's
一有: a stable income source, and its fourth 保障, 养老, when ``require_pension``), then non-registered households below the line are identified as
new poor. Verification measures income with error; the model records declared exits (what the
verification said) and true exits (declared and truly meeting the standard).

Income is the household's **stable** per-capita net income: official net income (no deduction of
medical, school or housing spending) with the year's transitory gains and losses left out, as the
precise-exit briefing §一(三)1 asks (收入测算能够真实反映家庭稳定收入水平) and as its re-inclusion rule
reads (家庭人均稳定收入, §二 三). School and housing burdens act through 三保障; medical ones through
insurance (三保障) and the expenditure-poverty criterion (支出型贫困: the Jingzhou decision §一(三); the briefing §二 三), which
counts a household poor, and keeps it from exiting, whatever its income. Relapse is found on the
same measured terms as exit: detection is what verification sees, so a household truly back below
the line whose measured income is not is missed (``hidden_poor``); and with ``relapse_on_application``
re-inclusion starts from the household's own application or the cadres' visit (农户申报, 走访排查), so
only a household truly back in poverty is re-enrolled (a verification error alone starts nothing).
Incomes are compared in whole yuan, as the registry records them. True status is kept beside it
(``truly_poor``; exits sustained on true status). From ``monitoring_from_year`` (防止返贫监测, the
monitoring guidance): the households monitored since the last assessment are watched, so one that
falls back is found with ``monitoring_detection`` (一旦出现返贫…及时纳入建档立卡); and an exited
household whose only fall is expenditure (支出型: rigid medical spending over its income, income still
at the line) is a monitoring case (监测范围: 刚性支出明显超过上年度收入), supported where it is, not
re-registered as relapsed. The fourth 保障 (养老,
Jingzhou's 四保障) and the dates of later rules (the 3500-yuan threshold) are switches of
``assessment``.
"""

from __future__ import annotations

import numpy as np

from ..parameters.typed import AssessmentSection

from .population import CATEGORY_CODES, DOUBAO_CODES, EXITED, HOUSING_SAFE, NONPOOR, POOR, Households, in_codes


def three_guarantees(hh: Households, pension: bool = False) -> np.ndarray:
    """三保障 as the model sees it: no compulsory-school dropout, insured, safe housing; with
    ``pension``, Jingzhou's 四保障 adds 养老: the working-age members enrolled in the residents'
    pension (a household of none but the elderly and children draws the basic pension)."""
    ok = (hh.dropout == 0) & hh.insured & (hh.housing == HOUSING_SAFE)
    return ok & (hh.pension | ((hh.labour + hh.disabled) == 0)) if pension else ok


def income_threshold(p: AssessmentSection, year: int, month: int) -> float:
    """The stable-income threshold in force at an assessment in ``month`` of ``year``; before its
    date a failing 保障 counts as poor whatever the income (infinity)."""
    in_force = (year, month) >= (p.stable_income_threshold_from_year, p.stable_income_threshold_from_month)
    return p.stable_income_threshold if in_force else np.inf


def stable_source(hh: Households) -> np.ndarray:
    """一有: a working member with wage or farm income, or 兜底 cover (五保/低保)."""
    earns = (hh.labour > 0) & ((hh.wage_local + hh.wage_migrant + hh.farm) > 0)
    return earns | in_codes(hh.category, DOUBAO_CODES)


def fill_quota(candidates: np.ndarray, score: np.ndarray, size: np.ndarray, people: int) -> np.ndarray:
    """The candidates with the highest ``score`` whose people first reach ``people`` (a mask)."""
    idx = np.flatnonzero(candidates)
    if people <= 0 or idx.size == 0:
        return np.zeros_like(candidates)
    order = idx[np.argsort(-score[idx], kind="stable")]
    k = int(np.searchsorted(np.cumsum(size[order]), people, side="left")) + 1
    out = np.zeros_like(candidates)
    out[order[:k]] = True
    return out


def expenditure_poor(income: np.ndarray, rigid: np.ndarray, size: np.ndarray, line: float, share: float) -> np.ndarray:
    """支出型贫困: rigid spending (out-of-pocket medical cost, yuan a year) above ``share``
    of the household's income (yuan a year) and leaving it below the line per person."""
    return (rigid > share * np.maximum(income, 0.0)) & ((income - rigid) / size < line)


def monitoring(p: AssessmentSection, year: int) -> bool:
    """Whether 防止返贫监测 is in force at this year's assessment."""
    return year >= p.monitoring_from_year


def routine_detection(p: AssessmentSection, year: int) -> float:
    """The chance a relapse is found without monitoring: ``review_detection`` at the assessments of the
    registry's review (``review_from_year`` to ``review_to_year``, when it is set: not negative), which
    checked every household, else ``relapse_detection`` (re-registration on application or a visit)."""
    review = p.review_detection >= 0 and p.review_from_year <= year <= p.review_to_year
    return p.review_detection if review else p.relapse_detection


def detection(p: AssessmentSection, year: int, watched: np.ndarray | None = None) -> np.ndarray | float:
    """The chance a relapse is found: :func:`routine_detection`; under monitoring, the higher
    ``monitoring_detection`` for the households monitored since the last assessment (``watched``)."""
    base = routine_detection(p, year)
    if not monitoring(p, year) or watched is None:
        return base
    return np.where(watched, max(p.monitoring_detection, base), base)


def assess(hh: Households, pc_true: np.ndarray, pc_measured: np.ndarray, line: float, year: int,
           p: AssessmentSection, rng: np.random.Generator, quota: int | None = None,
           spend_poor: np.ndarray | None = None, month: int = 12, deadline: bool = False,
           watched: np.ndarray | None = None, quota_net: bool = False) -> dict[str, np.ndarray]:
    """Apply the year's assessment to ``hh`` in place; return the masks of what happened.

    ``pc_true`` is stable per-capita net income, ``pc_measured`` what verification sees of it;
    ``spend_poor`` marks the expenditure-poor (:func:`expenditure_poor`). ``p`` is the ``assessment``
    catalog section. ``watched``: the households monitored since the last assessment (防止返贫监测). ``quota`` (people), when given, is an exit number the assessment is pressed to reach:
    if the households that meet the standard fall short, the ones closest to it are declared
    exited too (被脱贫, the precise-exit briefing §一(三)3) — paper exits; with ``quota_net`` the quota is the
    year's fall in the registered poor (the year's relapses and new poor add to the exits owed). ``deadline``: the year every
    registered poor household must be declared out: all of them are, those found to relapse this year
    included; the ones that do not meet the standard are paper exits; and no new poor are registered (the
    registry closes with the campaign: none is left poor at its end).
    """
    n = hh.n
    # the registry records per-capita income in whole yuan: a household 低保 tops up to the line is at
    # the line, not a rounding error below it
    pc_true, pc_measured = np.rint(pc_true), np.rint(pc_measured)
    three = three_guarantees(hh, p.require_pension)
    threshold = income_threshold(p, year, month)
    source_ok = stable_source(hh) | (not p.require_stable_source)
    spend_ok = np.ones(n, bool) if spend_poor is None else ~spend_poor  # (a bare True would make ~spend_ok an int)
    meets_true = (pc_true >= line) & three & source_ok & spend_ok
    meets_measured = (pc_measured >= line) & three & source_ok & spend_ok
    # poor by the re-inclusion rule of the precise-exit briefing: below the line, or 三保障 failing with income
    # under the stable-income threshold (above it, the failing guarantee is fixed on its own), or 支出型贫困
    short_true = (pc_true < line) | (~three & (pc_true < threshold))
    short_measured = (pc_measured < line) | (~three & (pc_measured < threshold))
    falls_true, falls_measured = short_true | ~spend_ok, short_measured | ~spend_ok

    u = rng.random(n)
    # 返贫 is recorded when the household is back in need and verification confirms it: with
    # ``relapse_on_application`` re-inclusion starts from the household's own application or the cadres'
    # visit (农户申报, 走访排查), so a fall in the measured income alone (verification error) starts nothing.
    # Under monitoring a fall by expenditure alone is a monitoring case, not a relapse (监测范围)
    back_true, back_measured = (short_true, short_measured) if monitoring(p, year) else (falls_true, falls_measured)
    back = back_measured & back_true if p.relapse_on_application else back_measured
    relapse = (hh.status == EXITED) & back & (u < detection(p, year, watched))
    hh.status[relapse] = POOR
    hh.relapses[relapse] += 1

    # new poor: found among the non-registered (exits do not change who they are), enrolled after the exits; none
    # in the deadline year, whose assessment closes the registry (those under the line are left to monitoring)
    new_poor = (hh.status == NONPOOR) & falls_measured & (u < p.new_poor_identification) & (not deadline)
    assessed = (hh.status == POOR) & (True if deadline else ~relapse)
    exit_declared = assessed & (True if deadline else meets_measured)
    if quota is not None:
        owed = quota + (int(hh.size[relapse | new_poor].sum()) if quota_net else 0)
        short = owed - int(hh.size[exit_declared].sum())
        exit_declared |= fill_quota(assessed & ~exit_declared, pc_measured, hh.size, short)
    exit_true = exit_declared & meets_true
    exits = np.flatnonzero(exit_declared)  # (rows: the mask read once for both)
    hh.status[exits] = EXITED
    hh.exit_year[exits] = year

    hh.status[new_poor] = POOR
    hh.registered_year[new_poor & (hh.registered_year < 0)] = year
    unregistered = new_poor & (hh.category == 0)
    hh.category[unregistered] = np.where(hh.labour[unregistered] > 0, CATEGORY_CODES["fupin"], CATEGORY_CODES["dibao"])
    return {
        "relapse": relapse,
        "exit_declared": exit_declared,
        "exit_true": exit_true,
        "exit_paper": exit_declared & ~meets_true,
        "new_poor": new_poor,
        "truly_poor": falls_true,
        "hidden_poor": (hh.status == EXITED) & falls_true,
    }
