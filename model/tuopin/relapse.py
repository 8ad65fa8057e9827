"""Relapse risk: survival of exits (Kaplan-Meier at the annual assessments) and the at-risk list.

Exits and relapses happen only at assessments, so an exit's time to relapse is a whole number of
years; an exit not (yet) relapsed is censored at the last assessment. Survival at 12, 24 and 36
months is computed per replicate and summarised by its median and 5-95 % range over replicates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .scenario import CATEGORIES, CAUSES

HORIZONS = (1, 2, 3)  # years after exit


def kaplan_meier(duration: np.ndarray, relapsed: np.ndarray, horizons=HORIZONS) -> np.ndarray:
    """Survival S(t) at each horizon (years) from durations and event flags (NaN past the data)."""
    out = np.full(len(horizons), np.nan)
    s = 1.0
    for i, t in enumerate(range(1, max(horizons) + 1)):
        at_risk = (duration >= t).sum()
        if at_risk == 0:
            break
        s *= 1 - ((duration == t) & relapsed).sum() / at_risk
        if t in horizons:
            out[list(horizons).index(t)] = s
    return out


def _durations(ev: dict, last_year: int) -> tuple[np.ndarray, np.ndarray]:
    relapsed = ev["relapse_year"] >= 0
    end = np.where(relapsed, ev["relapse_year"], last_year)
    return (end - ev["exit_year"]).astype(int), relapsed


def survival_table(replicates, last_year: int) -> pd.DataFrame:
    """Share of exited households still out of poverty 12/24/36 months after exit, by exit cohort,
    by main cause of poverty, and overall: median and 5-95 % over replicates."""
    rows = []
    for r in replicates:
        ev = r.exits
        dur, rel = _durations(ev, last_year)
        groups = [("all", "all", np.ones(dur.size, bool))]
        groups += [("cohort", str(y), ev["exit_year"] == y) for y in np.unique(ev["exit_year"])]
        groups += [("cause", c, ev["cause"] == i) for i, c in enumerate(CAUSES) if (ev["cause"] == i).any()]
        for kind, name, m in groups:
            for h, s in zip(HORIZONS, kaplan_meier(dur[m], rel[m])):
                rows.append({"group_kind": kind, "group": name, "months": 12 * h, "survival": s,
                             "exits": int(m.sum()), "replicate": r.index})
    df = pd.DataFrame(rows)
    g = df.groupby(["group_kind", "group", "months"], sort=False)
    out = g["survival"].quantile(0.5).rename("survival_p50").to_frame()
    out["survival_p5"] = g["survival"].quantile(0.05)
    out["survival_p95"] = g["survival"].quantile(0.95)
    out["exits_p50"] = g["exits"].median()
    return out.reset_index().dropna(subset=["survival_p50"])


DRIVERS = ("income_margin", "chronic_illness", "school_dropout", "unsafe_housing")


def _features(origin: dict) -> np.ndarray:
    """Design matrix of relapse drivers at the origin: intercept, income margin over the line
    (clipped; and its square), chronic illness, school dropout, unsafe housing."""
    m = np.clip(origin["margin"].astype(float), -1.0, 3.0)
    return np.column_stack([np.ones_like(m), m, m * m, origin["chronic"], origin["dropout"], origin["unsafe_housing"]])


def fit_relapse_model(replicates, iterations: int = 25) -> np.ndarray:
    """Logistic regression of relapse within 12 months on the drivers, fitted by iteratively
    reweighted least squares on every exited household of every replicate (the ensemble is the
    training data)."""
    reps = [r for r in replicates if r.origin and "relapsed" in r.origin]
    x = np.concatenate([_features(r.origin) for r in reps])
    y = np.concatenate([r.origin["relapsed"] for r in reps]).astype(float)
    beta = np.zeros(x.shape[1])
    ridge = 1e-6 * np.eye(x.shape[1])
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-x @ beta))
        w = np.maximum(p * (1 - p), 1e-9)
        step = np.linalg.solve(x.T @ (x * w[:, None]) + ridge, x.T @ (y - p))
        beta += step
        if np.abs(step).max() < 1e-8:
            break
    return beta


def predict(beta: np.ndarray, origin: dict) -> np.ndarray:
    return 1 / (1 + np.exp(-_features(origin) @ beta))


def at_risk_table(replicates, households, origin_year: int) -> pd.DataFrame:
    """Households exited at the ``origin_year`` assessment, ranked by their predicted chance of
    relapsing within 12 months: the relapse model fitted on the whole ensemble, applied to the
    household's drivers in each replicate where it was exited, averaged. Also the share of those
    replicates in which it did relapse, and the drivers. Row numbers of the household table stand
    in for households: no names, ID or phone numbers are ever held."""
    reps = [r for r in replicates if r.origin and "relapsed" in r.origin]
    if not reps:
        return pd.DataFrame()
    beta = fit_relapse_model(reps)
    who = np.concatenate([r.origin["household"] for r in reps])
    n = np.bincount(who, minlength=households.n)
    mean = lambda values: np.bincount(who, weights=np.asarray(values, float), minlength=households.n) / np.maximum(n, 1)  # noqa: E731
    cat = lambda key: np.concatenate([r.origin[key] for r in reps])  # noqa: E731
    idx = np.flatnonzero(n > 0)
    df = pd.DataFrame({
        "household": idx, "village": households.village[idx],
        "category": np.array(("not_registered",) + CATEGORIES)[households.category[idx]],
        "cause": np.array(CAUSES)[households.cause[idx]], "people": households.size[idx],
        "p_relapse_12m": mean(np.concatenate([predict(beta, r.origin) for r in reps]))[idx],
        "relapsed_share": mean(cat("relapsed"))[idx], "replicates_exited": n[idx],
        "income_margin": mean(cat("margin"))[idx], "chronic_illness": mean(cat("chronic"))[idx],
        "school_dropout": mean(cat("dropout"))[idx], "unsafe_housing": mean(cat("unsafe_housing"))[idx],
    })
    df = df.sort_values("p_relapse_12m", ascending=False, kind="stable")
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    df.insert(1, "origin_year", origin_year)
    return df.reset_index(drop=True)


def top_decile_lift(train, test) -> float:
    """How many times the base rate the top decile of exited households, ranked by the relapse
    model fitted on ``train`` replicates, relapses in ``test`` replicates."""
    beta = fit_relapse_model(train)
    reps = [r for r in test if r.origin and "relapsed" in r.origin]
    p = np.concatenate([predict(beta, r.origin) for r in reps])
    y = np.concatenate([r.origin["relapsed"] for r in reps]).astype(float)
    top = np.argsort(-p, kind="stable")[: max(1, p.size // 10)]
    return float(y[top].mean() / y.mean())
