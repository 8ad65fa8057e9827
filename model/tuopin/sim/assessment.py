"""The annual assessment (default December): relapse, exit and new-poor identification.

Order matters and follows practice: households that exited earlier are checked for relapse first
(动态调整), then registered poor households are assessed for exit (一达标两不愁三保障, plus Jingzhou's
一有: a stable income source), then non-registered households below the line are identified as
new poor. Verification measures income with error; the model records declared exits (what the
verification said) and true exits (declared and truly meeting the standard).
"""

from __future__ import annotations

import numpy as np

from ..parameters.typed import AssessmentSection

from .population import CATEGORY_CODES, EXITED, HOUSING_SAFE, NONPOOR, POOR, Households

DOUBAO = (CATEGORY_CODES["wubao"], CATEGORY_CODES["dibao"], CATEGORY_CODES["fupin_dibao"])


def three_guarantees(hh: Households) -> np.ndarray:
    """三保障 as the model sees it: no compulsory-school dropout, insured, safe housing."""
    return (hh.dropout == 0) & hh.insured & (hh.housing == HOUSING_SAFE)


def stable_source(hh: Households) -> np.ndarray:
    """一有: a working member with wage or farm income, or 兜底 cover (五保/低保)."""
    earns = (hh.labour > 0) & ((hh.wage_local + hh.wage_migrant + hh.farm) > 0)
    return earns | np.isin(hh.category, DOUBAO)


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


def assess(hh: Households, pc_true: np.ndarray, pc_measured: np.ndarray, line: float, year: int,
           p: AssessmentSection, rng: np.random.Generator, quota: int | None = None) -> dict[str, np.ndarray]:
    """Apply the year's assessment to ``hh`` in place; return the masks of what happened.

    ``pc_true`` is per-capita net income (gross minus out-of-pocket medical, school and other
    compulsory costs), ``pc_measured`` what verification sees. ``p`` is the ``assessment`` catalog
    section. ``quota`` (people), when given, is an exit number the assessment is pressed to reach:
    if the households that meet the standard fall short, the ones closest to it are declared
    exited too (被脱贫, the precise-exit briefing §一(三)3) — paper exits.
    """
    n = hh.n
    three = three_guarantees(hh)
    source_ok = stable_source(hh) | (not p.require_stable_source)
    meets_true = (pc_true >= line) & three & source_ok
    meets_measured = (pc_measured >= line) & three & source_ok
    # poor by the re-inclusion rule of the precise-exit briefing: below the line, or 三保障 failing with income
    # under the stable-income threshold (above it, the failing guarantee is fixed on its own)
    falls_true = (pc_true < line) | (~three & (pc_true < p.stable_income_threshold))
    falls_measured = (pc_measured < line) | (~three & (pc_measured < p.stable_income_threshold))

    u = rng.random(n)
    relapse = (hh.status == EXITED) & falls_true & (u < p.relapse_detection)
    hh.status[relapse] = POOR
    hh.relapses[relapse] += 1

    assessed = (hh.status == POOR) & ~relapse
    exit_declared = assessed & meets_measured
    if quota is not None:
        short = quota - int(hh.size[exit_declared].sum())
        exit_declared |= fill_quota(assessed & ~exit_declared, pc_measured, hh.size, short)
    exit_true = exit_declared & meets_true
    hh.status[exit_declared] = EXITED
    hh.exit_year[exit_declared] = year

    new_poor = (hh.status == NONPOOR) & falls_measured & (u < p.new_poor_identification)
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
