"""Relapse risk: survival of exits (Kaplan-Meier at the annual assessments) and the at-risk list.

Exits and relapses happen only at assessments, so an exit's time to relapse is a whole number of
years; an exit not (yet) relapsed is censored at the last assessment. Each replicate counts its
exits at risk and relapsing (:func:`tuopin.runs.replicate.survival_counts`, computed where the
replicate ran); here survival at 12, 24 and 36 months is computed per replicate and summarised by
its median and 5-95 % range over replicates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..inputs.scenario import CATEGORIES, CAUSES
from ..runs.replicate import HORIZONS, HOUSEHOLD_COLUMNS

# The relapse model's income margin (income over the poverty line, in lines) is clipped to this
# range: a few households far above the line (or far below it) would otherwise dominate the
# logistic fit's linear and squared terms. A modelling choice of this analysis, not a catalog value.
MARGIN_CLIP = (-1.0, 3.0)

def kaplan_meier(duration: np.ndarray, relapsed: np.ndarray, horizons=HORIZONS) -> np.ndarray:
    """Survival S(t) at each horizon (years) from durations and event flags (NaN past the data)."""
    out = np.full(len(horizons), np.nan)
    s = 1.0
    for t in range(1, max(horizons) + 1):
        at_risk = (duration >= t).sum()
        if at_risk == 0:
            break
        s *= 1 - ((duration == t) & relapsed).sum() / at_risk
        if t in horizons:
            out[list(horizons).index(t)] = s
    return out


def survival_table(replicates) -> pd.DataFrame:
    """Share of exited households still out of poverty 12/24/36 months after exit, by exit cohort,
    by main cause of poverty, and overall: median and 5-95 % over replicates. ``survival_*`` is on
    detected relapse (what the registry records); ``true_survival_*`` on true status: of the exits
    truly out of poverty when declared, the share truly out at every assessment since."""
    df = pd.DataFrame([dict(row, replicate=r.index) for r in replicates for row in r.survival])
    df = df.sort_values(["replicate", "group_kind", "group", "years"], kind="stable")
    groups = [df["replicate"], df["group_kind"], df["group"]]
    for out, at_risk, event in (("survival", "at_risk", "relapsed"), ("true_survival", "true_at_risk", "true_fell")):
        hazard = np.where(df[at_risk] > 0, df[event] / df[at_risk].clip(lower=1), np.nan)
        df[out] = pd.Series(1 - hazard, index=df.index).groupby(groups).cumprod()
    df["months"] = 12 * df["years"]
    order = {k: i for i, k in enumerate(("all", "cohort", "cause"))}
    g = df.groupby(["group_kind", "group", "months"], sort=False)
    out = pd.DataFrame(index=g.size().index)
    for col in ("survival", "true_survival"):
        for name, q in (("p50", 0.5), ("p5", 0.05), ("p95", 0.95)):
            out[f"{col}_{name}"] = g[col].quantile(q)
    out["exits_p50"] = g["exits"].median()
    out["true_exits_p50"] = g["true_exits"].median()
    out = out.reset_index().dropna(subset=["survival_p50"])
    return out.sort_values(["group_kind", "months"], key=lambda c: c.map(order) if c.name == "group_kind" else c,
                           kind="stable").reset_index(drop=True)


def _features(origin: dict) -> np.ndarray:
    """Design matrix of relapse drivers at the origin: intercept, income margin over the line
    (clipped; and its square), chronic illness, school dropout, unsafe housing."""
    m = np.clip(origin["margin"].astype(float), *MARGIN_CLIP)
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
    # p = 1 / (1 + exp(-x beta)), w = max(p (1 - p), 1e-9), x w and y - p, operation for operation,
    # into arrays made once: 20 Jingzhou replicates are two million rows, and a fresh x w (90 MB) each
    # iteration was most of the fit's time
    p, w, xw = np.empty(len(x)), np.empty(len(x)), np.empty_like(x)
    for _ in range(iterations):
        np.matmul(x, beta, out=p)
        np.negative(p, out=p)
        np.exp(p, out=p)
        np.add(1, p, out=p)
        np.divide(1, p, out=p)
        np.subtract(1, p, out=w)
        np.multiply(p, w, out=w)
        np.maximum(w, 1e-9, out=w)
        np.multiply(x, w[:, None], out=xw)
        np.subtract(y, p, out=w)  # the residual (w is in xw now)
        step = np.linalg.solve(x.T @ xw + ridge, x.T @ w)
        beta += step
        if np.abs(step).max() < 1e-8:
            break
    return beta


def predict(beta: np.ndarray, origin: dict) -> np.ndarray:
    return 1 / (1 + np.exp(-_features(origin) @ beta))


class AtRisk:
    """The at-risk list, built as replicates arrive (pass ``add`` as ``run_ensemble``'s ``fold``).

    Per household it sums what it needs over the replicates where the household was exited at
    the origin (the next-to-last assessment): how often, how often it relapsed, and its drivers.
    The relapse model is fitted on the first ``fit_replicates`` replicates' households (a bounded
    sample). A household's predicted chance is the model applied to its mean drivers.

    ``households``: the starting household table (a ``Households`` or its columns), or None to take
    it from the first replicate that carries it (replicate 0 of a full run: the population is the
    same in every replicate, so it is not built again here)."""

    def __init__(self, households, origin_year: int, fit_replicates: int = 20):
        self.origin_year, self.fit_replicates = origin_year, fit_replicates
        self.households: dict[str, np.ndarray] = {}
        self.sample: list = []
        self.beta: np.ndarray | None = None  # the fitted relapse model, once the sample is complete
        if households is not None:
            self._start(households if isinstance(households, dict) else
                        {k: getattr(households, k) for k in HOUSEHOLD_COLUMNS})

    def _start(self, households: dict[str, np.ndarray]) -> None:
        self.households = households
        n = len(households["village"])
        self.count = np.zeros(n)
        self.sums = {k: np.zeros(n) for k in ("relapsed", "margin", "m_clip", "m_clip2", "chronic", "dropout",
                                             "unsafe_housing")}

    def add(self, r) -> None:
        if not self.households and r.households:
            self._start(r.households)
        o = r.origin
        if not o or "relapsed" not in o:
            return
        if len(self.sample) < self.fit_replicates:
            self.sample.append(r)
            if len(self.sample) == self.fit_replicates:  # fitted now, while the other replicates run
                self.beta = fit_relapse_model(self.sample)
        h, n = o["household"], self.count.size
        m = np.clip(o["margin"].astype(float), *MARGIN_CLIP)
        self.count += np.bincount(h, minlength=n)
        for key, v in (("relapsed", o["relapsed"]), ("margin", o["margin"]), ("m_clip", m), ("m_clip2", m * m),
                       ("chronic", o["chronic"]), ("dropout", o["dropout"]), ("unsafe_housing", o["unsafe_housing"])):
            self.sums[key] += np.bincount(h, weights=np.asarray(v, float), minlength=n)

    def table(self) -> pd.DataFrame:
        """Households exited at the origin, ranked by predicted chance of relapse within 12 months.
        Row numbers of the household table stand in for households: no names, ID or phone numbers
        are ever held."""
        if not self.sample:
            return pd.DataFrame()
        if self.beta is None:
            self.beta = fit_relapse_model(self.sample)
        beta = self.beta
        hh, idx = self.households, np.flatnonzero(self.count > 0)
        mean = {k: v[idx] / self.count[idx] for k, v in self.sums.items()}
        x = np.column_stack([np.ones(idx.size), mean["m_clip"], mean["m_clip2"], mean["chronic"], mean["dropout"],
                             mean["unsafe_housing"]])
        df = pd.DataFrame({
            "household": idx, "village": hh["village"][idx],
            # category 0 in the starting table: a near-poor household registered during the run
            "category": np.array(("newly_registered",) + CATEGORIES)[hh["category"][idx]],
            "cause": np.array(CAUSES)[hh["cause"][idx]], "people": hh["size"][idx],
            "p_relapse_12m": 1 / (1 + np.exp(-x @ beta)), "relapsed_share": mean["relapsed"],
            "replicates_exited": self.count[idx].astype(int), "income_margin": mean["margin"],
            "chronic_illness": mean["chronic"], "school_dropout": mean["dropout"], "unsafe_housing": mean["unsafe_housing"],
        })
        df = df.sort_values("p_relapse_12m", ascending=False, kind="stable")
        df.insert(0, "rank", np.arange(1, len(df) + 1))
        df.insert(1, "origin_year", self.origin_year)
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
