"""The stylised facts the model should reproduce, each against its source: writes docs/validation.md.

Runs the Jingzhou default and its variants (full population) and the calibrated national scenario
(sampled mode), then tabulates each published figure beside the model's median and 5-95 % bounds
over replicates, and whether it holds by the stated tolerance. Nothing here is fitted: the facts
are checks, not targets (calibration fits only the headcount and the people lifted out).

    python benchmarks/validation.py [--replicates 15] [--sample 2000] [--workers 2] [--out docs/validation.md]

Fifteen replicates by default: at five, a row near its tolerance (the national relapses of 2017, the
Jingzhou deep-poverty villages) came out either way between two runs of equivalent code (2026-12-07).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from tuopin import load_scenario
from tuopin.analysis.forecast import forecast

ROOT = Path(__file__).resolve().parents[1]
SERIES = pd.read_csv(ROOT / "data" / "national_series.csv").set_index("year")
FIGURES = pd.read_csv(ROOT / "data" / "validation_figures.csv")
RELAPSE = FIGURES[FIGURES["figure"] == "relapse_people"].set_index("year")["value"] * 1e4  # people


def figure(name: str, year: int) -> float:
    """A published value of data/validation_figures.csv, in its own unit."""
    return float(FIGURES.query("figure == @name and year == @year")["value"].iloc[0])


def income_reentry(name: str, replicates: int, cohort: int = 2015, years: int = 3) -> list[float]:
    """Per replicate: the share of ``cohort``'s exits above the line by true income when declared that are
    under it by true income at one of the next ``years`` assessments (the model's events, true status)."""
    from tuopin.sim.model import PovertyModel

    sc, out = load_scenario(ROOT / "scenarios" / f"{name}.toml"), []
    for i in range(replicates):
        m = PovertyModel(scenario=sc, rng=np.random.default_rng([sc.spec.seed, i]))
        m.run()
        ev = m.exit_events()
        fall = ev["income_fall_year"][(ev["exit_year"] == cohort) & (ev["income_fall_year"] != cohort)]
        out.append(float(((fall > cohort) & (fall <= cohort + years)).mean()))
    return out


def run(name: str, replicates: int, workers: int, sample: int = 1):
    over = {"population": {"sample": sample}} if sample > 1 else None
    f = forecast(load_scenario(ROOT / "scenarios" / f"{name}.toml", over), replicates, workers=workers, progress=False)
    return f.annual.set_index("year"), f.money.set_index("lever")


def q(a: pd.DataFrame, col: str, year: int, scale: float = 1.0, fmt: str = "{:,.0f}") -> tuple[float, str]:
    """The median of ``col`` in ``year`` and its text with the 5-95 % bounds."""
    r = a.loc[year]
    v = [r[f"{col}_{k}"] * scale for k in ("p50", "p5", "p95")]
    return v[0], f"{fmt.format(v[0])} [{fmt.format(v[1])}–{fmt.format(v[2])}]"


def pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--replicates", type=int, default=15)
    ap.add_argument("--sample", type=int, default=2000, help="national runs simulate 1 household in K")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default=str(ROOT / "docs" / "validation.md"))
    args = ap.parse_args()
    t0 = time.perf_counter()
    n, w = args.replicates, args.workers
    jz, jz_money = run("jingzhou_2015_2018", n, w)
    cliff, _ = run("jingzhou_cliff", n, w)
    cliff_all, _ = run("jingzhou_cliff_all", n, w)
    press, press_money = run("jingzhou_target_pressure", n, w)
    nat, _ = run("national_2014_2020_calibrated", n, w, sample=args.sample)
    rows: list[tuple[str, str, str, str, bool | None]] = []  # holds: None for a figure shown without a test

    # ---- relapse, national, people and share of the exited stock ----
    lifted = SERIES["lifted_out_10k"] * 1e4
    for year in (2016, 2017, 2018, 2019):
        pub = RELAPSE[year]
        stock = lifted.loc[2014:year - 1].sum()
        v, txt = q(nat, "relapses", year)
        rate, rtxt = q(nat, "relapse_rate", year, 100, "{:.2f}")
        ok = pub / 2 <= v <= pub * 2
        rows.append((f"National relapses {year} (people; share of the exited stock; *fitted*)",
                     "data/validation_figures.csv relapse_people (the State Council poverty-alleviation office, 2020-04-01, 光明日报 2020-04-02 (read): 68.4万 → 20.8万 → 5.8万 → 5400; CCTV: 60多万 → 20多万 → 几万 → 数千; evidence brief [S51]: ~60万 in 2016, <10万 in 2019); "
                     "stock: people lifted out since 2014, data/national_series.csv",
                     f"{pub:,.0f} ({100 * pub / stock:.2f} % of {stock / 1e4:,.0f}万)", f"{txt} ({rtxt} %)", ok))
    r16, r19 = nat.loc[2016, "relapses_p50"], nat.loc[2019, "relapses_p50"]
    rows.append(("National relapses fall at least tenfold 2016 → 2019 (*fitted*: the recording rates)", "as above (68.4万 → 0.54万)",
                 f"{RELAPSE[2016] / RELAPSE[2019]:.0f}×", f"{r16 / max(r19, 1):.1f}×", r16 >= 10 * r19))

    # the pool relapses are drawn from: exited households truly back in poverty (true status)
    pool = ", ".join(f"{y}: {pct(nat.loc[y, 'hidden_poor_p50'] / nat.loc[y, 'exited_end_p50'])}" for y in (2016, 2017, 2018, 2019))
    rows.append(("National: exited but truly poor at year end, share of the exited (true status): the pool detected "
                 "relapses come from", "错退 (wrongly exited) under 2 % for a county to exit, by third-party checks; 86.57 % of "
                 "the 283 counties exiting in 2018 had none (evidence brief [S50], [S49]): a sample check, not the stock",
                 "< 2 % (county exit rule)", pool, None))

    # ---- 兜底 cover ----
    doudi = nat.loc[2020, "doudi_people_p50"] / nat.loc[2020, "registered_people_p50"]
    pub_doudi = figure("doudi_people", 2020) * 1e4
    v, txt = q(nat, "doudi_people", 2020)
    rows.append(("Registered poor under 兜底 (低保 or 特困) at end-2020 (people; share of all registered)",
                 "data/validation_figures.csv doudi_people, doudi_share (2004万 = 1852万 低保 + 152万 特困, about 20 %; "
                 "evidence brief [S35]: 1936万)", f"{pub_doudi:,.0f} (about 20 %)",
                 f"{txt} ({pct(doudi)} of {nat.loc[2020, 'registered_people_p50'] / 1e4:,.0f}万 registered)",
                 abs(v - pub_doudi) <= 0.25 * pub_doudi))
    jd = jz.loc[2018, "doudi_people_p50"] / jz.loc[2018, "registered_people_p50"]
    rows.append(("Jingzhou registered poor under 兜底 at end-2018", "the national figure above, for comparison", "about 20 %",
                 pct(jd), abs(jd - 0.2) <= 0.05))

    # ---- the campaign's money, the deadline and monitoring (national) ----
    intens = ", ".join(f"{y}: {nat.loc[y, 'intensity_p50']:.2f}" for y in nat.index)
    rows.append(("National funding intensity by year (money per remaining poor household against 2014, "
                 "^ campaign.funding_elasticity, capped)", "central special fund, data/national_series.csv; "
                 "scenarios/national_2014_2020.toml [campaign]", "money per remaining poor person up more than thirtyfold "
                 "2014-2020", intens, None))
    for year in (2016, 2017, 2018, 2019):
        rows.append((f"National registered poor remaining at end-{year} (declared) against the NBS survey's rural poor",
                     "data/national_series.csv poor_headcount_10k (a survey count, not the registry: shown, not tested)",
                     f"{SERIES.loc[year, 'poor_headcount_10k'] * 1e4:,.0f}", q(nat, "poor_end", year)[1], None))
    # the survey counts everyone under the line by income, registered or not, exited or not: the model's true status
    # (its simulated households are the registry and the near-poor, so it can only undercount the rural poor)
    true19, ttxt = q(nat, "truly_poor", 2019)
    earlier = ", ".join(f"{y}: {nat.loc[y, 'truly_poor_p50'] / 1e4:,.0f}万 against {SERIES.loc[y, 'poor_headcount_10k']:,.0f}万"
                        for y in (2016, 2017, 2018))
    nbs19 = SERIES.loc[2019, "poor_headcount_10k"] * 1e4
    rows.append(("National truly poor at end-2019 (true status: every simulated household under the line or failing "
                 "三保障, registered or not, exited or not) against the NBS survey's rural poor",
                 "data/national_series.csv poor_headcount_10k (the NBS survey counts every rural household under the line, "
                 "whatever the registry says); within a factor of 2", f"{nbs19:,.0f}", f"{ttxt} (earlier: {earlier})",
                 nbs19 / 2 <= true19 <= 2 * nbs19))
    # ---- the registered's income (建档立卡户人均纯收入): not fitted, the calibration sees only headcounts. From 2016 the
    # wage income of registered labourers working away is an input in total (the published count times the published
    # earnings, [campaign] migrant_workers and migrant_earnings), so from then this checks the rest of income ----
    for year in (2015, 2016, 2019):
        pub = SERIES.loc[year, "registered_poor_income_yuan"]
        v, txt = q(nat, "registered_income_pc", year)
        note = "; the evidence brief reads 9,808 for 2019 ([S15], 3,416 → 9,808, +30.2 %/yr)" if year == 2019 else ""
        rows.append((f"National registered (建档立卡) households' per-capita net income {year}, exited included (yuan)",
                     "data/national_series.csv registered_poor_income_yuan (administrative; loose: within 25 %)" + note
                     + ("; from 2016 the wage bill of registered labourers working away is an input (published count x "
                        "earnings, at least)" if year >= 2016 else ""),
                     f"{pub:,.0f}", txt, abs(v - pub) <= 0.25 * pub))
    left, ltxt = q(nat, "poor_end", 2020)
    rows.append(("National registered poor remaining at end-2020 (declared): the 2020 deadline declares all out",
                 "到2020年现行标准下农村贫困人口实现脱贫 (the 2018 three-year guidance); issue 16: at most 200万 declared",
                 "0", ltxt + " (the year's newly identified poor)", left <= 2_000_000))
    hidden20 = nat.loc[2020, "hidden_poor_p50"]
    rows.append(("National: recorded as exited but truly poor at end-2020 (true status): how much of zero is real",
                 "the model's true incomes; no published figure (the 2020 census found none)", "—",
                 f"{q(nat, 'hidden_poor', 2020)[1]} ({pct(hidden20 / nat.loc[2020, 'exited_end_p50'])} of the exited; "
                 f"paper exits in 2020: {q(nat, 'exits_paper', 2020)[1]})", None))
    mon = nat.loc[2020, "monitored_people_p50"] / nat.loc[2020, "registered_people_p50"]
    rows.append(("National monitored (防止返贫监测) at end-2020, share of the registered",
                 "the monitoring guidance (2020): about 5 % of the registered, at most 10 % in deep-poverty areas",
                 "about 5 %", pct(mon), None))
    # held out: the split of the monitored into exited (脱贫不稳定) and near-poor (边缘) households; the
    # capacity (5 % of the registered) is the guidance's, the split is the model's own
    pub_ex = figure("monitored_exited_people", 2019) * 1e4
    mon_line = load_scenario(ROOT / "scenarios" / "national_2014_2020_calibrated.toml").params["campaign.monitoring_line"]
    pub_np = figure("monitored_near_poor_people", 2019) * 1e4
    v_ex, t_ex = q(nat, "monitored_exited_people", 2019)
    v_np = nat.loc[2019, "monitored_people_p50"] - v_ex
    rows.append(("National monitored exited people (脱贫不稳定, at risk of relapse) at end-2019",
                 "data/validation_figures.csv monitored_exited_people (中国青年报 2020-04-02, "
                 "read): 近200万; within a factor of 2. The model monitors up to campaign.monitoring_capacity; how many "
                 "exited people it would have to watch is in brackets (true status: under the monitoring line)",
                 f"{pub_ex:,.0f}", f"{t_ex} (exited under {mon_line:g} times the line: {q(nat, 'exited_at_risk_people', 2019)[1]})",
                 pub_ex / 2 <= v_ex <= 2 * pub_ex))
    rows.append(("National monitored near-poor people (边缘, never registered or not yet) at end-2019",
                 "data/validation_figures.csv monitored_near_poor_people (as above): about 300万; within a factor of 2",
                 f"{pub_np:,.0f}", f"{v_np:,.0f} (medians: all monitored less the exited)", pub_np / 2 <= v_np <= 2 * pub_np))

    # ---- villages: the exit rule (declared registered poor not yet out over the village's 户籍 rural people < 2 %,
    # and collective income ≥ 5万) read at each assessment; none of these counts was used to set a parameter ----
    rows.append(("National poor villages remaining at end-2017 (of 128,000)", "no published end-2017 count found; shown",
                 "—", q(nat, "poor_villages_remaining", 2017)[1], None))
    pub18 = figure("poor_villages_remaining", 2018) * 1e4
    remaining18, t18 = q(nat, "poor_villages_remaining", 2018)
    rows.append(("National poor villages remaining at end-2018 (not fitted: no village parameter was set by it)",
                 "data/validation_figures.csv poor_villages_remaining (Liu Yongfu, 2019; evidence brief [S61]): 12.8万 → 2.6万",
                 f"{pub18:,.0f}", t18, pub18 / 2 <= remaining18 <= pub18 * 2))
    pub19 = figure("poor_villages_remaining", 2019)
    remaining19, t19 = q(nat, "poor_villages_remaining", 2019)
    rows.append(("National poor villages not yet exited at end-2019 (held out: never looked at while building the village rules)",
                 "data/validation_figures.csv poor_villages_remaining (Liu Yongfu, SCIO press conference 2020-03-12, 新京报: "
                 "52 counties, 2,707 villages and 551万 people left)", f"{pub19:,.0f}", t19, pub19 / 2 <= remaining19 <= pub19 * 2))
    pub_deep = figure("deep_poverty_villages", 2018) * 1e4
    deep17, d17 = q(nat, "poor_villages_deep", 2017)
    rows.append(("National poor villages still in deep poverty (incidence ≥ 20 %) at end-2017",
                 "data/validation_figures.csv deep_poverty_villages (Liu Yongfu, 2018-03-07): 3万 深度贫困村, villages above 20 % "
                 "watched", f"about {pub_deep:,.0f}", d17, pub_deep / 2 <= deep17 <= pub_deep * 2))
    left20, t20 = q(nat, "poor_villages_remaining", 2020)
    rows.append(("National poor villages exited by 2020 (of 128,000)", "the campaign's goal; evidence brief [S34] (all exited)",
                 "≥ 90 % (all)", f"{pct(1 - left20 / 128_000)} ({t20} remaining)", left20 <= 12_800))
    jv, jvt = q(jz, "poor_villages_remaining", 2018)
    by_year = ", ".join(f"{y}: {q(jz, 'villages_exited', y)[1]}" for y in jz.index)
    rows.append(("Jingzhou poor villages exited by end-2018 (of 371), by the rule (incidence < 2 %, 九有 collective income)",
                 "the Jingzhou decision §一(三): all 371 poor villages exit by 2018 (no yearly village targets; the model's exit "
                 "batches take an equal share of the open villages a year, sim/village.py)", "371",
                 f"{371 - jv:.0f} (remaining {jvt}; exited per year {by_year}; the binding condition is incidence: "
                 f"{q(jz, 'poor_end', 2018)[1]} registered poor not declared out at end-2018, "
                 "benchmarks/village_exits.py)", jv <= 37))
    deep = ", ".join(f"{y}: {q(jz, 'poor_villages_deep', y)[1]}" for y in jz.index)
    rows.append(("Jingzhou poor villages still poor with incidence ≥ 20 % (深度贫困村), by year end",
                 "sim/village.py: villages differ in remoteness (market access), so poverty stays in some and leaves "
                 "others; no Jingzhou figure (nationally 3万 of the poor villages in 2017-18, row above)", "—", deep, None))

    # ---- survival with and without support ----
    for name, a, lo, hi, src, pub in (
            ("Jingzhou default (脱贫不脱政策, 兜底 an entitlement)", jz, 0.0, 0.03,
             "national 2016: 2.6 % of the exited stock (row above)", "≤ 3 %/yr, falling"),
            ("Jingzhou cliff (特惠 measures end at exit)", cliff, None, None,
             "no published figure: what a registry would record without support is the true re-entry (rows below, "
             "against the surveys) times its recording rate (`assessment.relapse_detection`, 0.14 in Jingzhou)", "—"),
            ("Jingzhou cliff, 兜底 ended too", cliff_all, None, None, "as above", "—")):
        rates = [a.loc[y, "relapse_rate_p50"] for y in (2016, 2017, 2018)]
        txt = ", ".join(f"{y}: {q(a, 'relapse_rate', y, 100, '{:.1f}')[1]} %" for y in (2016, 2017, 2018))
        rows.append((f"Detected relapse, share of the exited stock a year: {name}", src, pub, txt,
                     None if lo is None else all(lo <= r <= hi for r in rates) and rates[2] <= rates[0]))
    # ---- re-entry as a survey sees it: the same cohort under the line by true income (true status) ----
    back = {name: income_reentry(name, n) for name in ("jingzhou_2015_2018", "jingzhou_cliff", "jingzhou_cliff_all")}
    src = ("evidence brief [S52] (Chen, Hou & Fu 2020, CFPS panel): ~15 % of exited people back in poverty within 3-5 "
           "years; [S53] (Lu & Lu 2013): ~15 % a year before the campaign, i.e. 39 % in three years")
    for name, label, band in (("jingzhou_cliff", "Jingzhou cliff (特惠 measures end at exit)", True),
                              ("jingzhou_cliff_all", "Jingzhou cliff, 兜底 ended too", True),
                              ("jingzhou_2015_2018", "Jingzhou default (脱贫不脱政策)", False)):
        v = back[name]
        txt = f"{pct(np.median(v))} [{pct(min(v))}–{pct(max(v))}]"
        rows.append((f"Re-entry within three years, true status: {label}: the 2015 exits above the line by true income "
                     "that are under it by true income at one of the next three assessments (a survey's poverty: "
                     "income alone)", src + ("" if band else "; with support, at most the no-support variants' value"),
                     "7.5-39 % (half the first source's, the second's)" if band else "≤ the cliff's", txt,
                     bool(0.075 <= np.median(v) <= 0.39) if band else bool(np.median(v) <= np.median(back["jingzhou_cliff"]))))
    hidden = jz.loc[2018, "hidden_poor_p50"] / jz.loc[2018, "exited_end_p50"]
    rows.append(("Jingzhou default: exited but truly poor at end-2018 (true status, not detected)",
                 "audits found wrongly declared exits (evidence brief [S47], [S48]); no published rate", "—", pct(hidden), None))

    # ---- Jingzhou's own figures at the end of the campaign (held out: the scenario is set from its 2015 decision) ----
    src = "荆州日报 2021-02-26 (data/validation_figures.csv jingzhou_*): 3000多 yuan in 2015, 11,543 in 2020"
    v15, t15 = q(jz, "registered_income_pc", 2015)
    rows.append(("Jingzhou registered households' per-capita net income 2015, exited included (yuan)", src,
                 "3,000-3,999", t15, 3000 <= v15 < 4000))
    # the 2018 level on the published path, geometric between the two ends (an assumption: the path in between is not published)
    end = figure("jingzhou_registered_income", 2020)
    lo, hi = (end * (x / end) ** 0.4 for x in (3000, 3999))
    fast, slow = ((end / x) ** (1 / 5) - 1 for x in (3000, 3999))
    v18, t18 = q(jz, "registered_income_pc", 2018)
    growth = (v18 / v15) ** (1 / 3) - 1
    rows.append(("Jingzhou registered households' per-capita net income 2018 (yuan)",
                 src + "; 2018 on the geometric path between them (an assumption); loose: within 25 %",
                 f"{lo:,.0f}-{hi:,.0f} ({100 * slow:.1f}-{100 * fast:.1f} % a year)", f"{t18} ({pct(growth)} a year from 2015)",
                 0.75 * lo <= v18 <= 1.25 * hi))
    deep17, dt17 = q(jz, "poor_villages_deep", 2017)
    pub = figure("jingzhou_deep_poverty_villages", 2017)
    rows.append(("Jingzhou deep-poverty villages (深度贫困村, incidence ≥ 20 %) among its 371 poor villages, end-2017",
                 "荆州日报 2021-02-26: 44 (the year of designation is not given; the national designation was made in 2017-18)",
                 f"{pub:.0f}, within a factor of 2", dt17, pub / 2 <= deep17 <= pub * 2))

    # ---- Jingzhou exits against its plan ----
    spec = load_scenario(ROOT / "scenarios" / "jingzhou_2015_2018.toml").spec
    for year, target in spec.targets.people.items():
        v, txt = q(jz, "exits_declared", year)
        rows.append((f"Jingzhou declared exits {year}", "the Jingzhou decision §一(三) annual targets", f"{target:,}", txt,
                     abs(v - target) <= 0.2 * target))
    cum, ctxt = q(jz, "exits_declared_cum", 2018)
    rows.append(("Jingzhou declared exits 2015-2018", "the Jingzhou decision §一(三): all 404,853 by 2018", "404,853", ctxt,
                 cum >= 0.8 * 404_853))

    # ---- cost per truly sustained exit ----
    d, p_ = jz_money.loc["all"], press_money.loc["all"]
    rows.append(("Target pressure (被脱贫) costs more per truly sustained exit than the default",
                 "the precise-exit briefing §一(三)3 (paper exits); true status, not detected",
                 "pressure > default",
                 f"default {d['per_true_sustained_exit_yuan_p50']:,.0f}, pressure {p_['per_true_sustained_exit_yuan_p50']:,.0f} yuan "
                 f"(detected: {d['per_sustained_exit_yuan_p50']:,.0f} vs {p_['per_sustained_exit_yuan_p50']:,.0f})",
                 p_["per_true_sustained_exit_yuan_p50"] > d["per_true_sustained_exit_yuan_p50"]))

    tested = [r for r in rows if r[4] is not None]
    held = sum(bool(r[4]) for r in tested)
    lines = ["# Validation: stylised facts against the model", "",
             f"Generated by `python benchmarks/validation.py --replicates {n} --sample {args.sample}` "
             f"({time.perf_counter() - t0:.0f} s). Model values are medians over {n} replicates with 5-95 % bounds "
             f"in brackets; national runs are the calibrated scenario, simulating 1 household in {args.sample}, each "
             "replicate on one of its posterior draws (the bounds include sampling error and parameter uncertainty). "
             "Relapse is *detected* relapse (what the registry records), as a share of the people exited before the "
             "assessment; rows marked *true status* use the model's true incomes. What was fitted: the calibration "
             "fits the poor headcount and the people lifted out (data/national_series.csv), and then the registry's "
             "two relapse recording rates, `assessment.review_detection` at the assessments of its review "
             "(建档立卡回头看, August 2015 to June 2016) and `assessment.relapse_detection` after it, were fitted to the "
             "national relapse series of 2016-2019 as shares of the exited stock (`tools/fit_relapse_detection.py`; "
             "scenarios/national_2014_2020_recording.toml, which the calibrated scenario extends), as issue 14 asks: the national relapse rows and the "
             "tenfold fall are marked *fitted* and are not independent checks. How many exited households truly "
             "fell is not fitted: the true-status rows (the exited who are truly poor, the truly poor against the "
             "NBS survey) say it. Nothing else below was fitted. "
             "Why households relapse, by cause and exit year: `python benchmarks/relapse_causes.py [scenario]` "
             "(`--set section.key=value` switches a mechanism off for a paired comparison). Two dated mechanisms "
             "act on the later relapse years: the 2018 health three-year plan holds the registered poor's (and the "
             "exited households' that keep 健康扶贫) self-pay at 10 % of their medical cost from 2018-10 "
             "(`medical.self_pay_share`), and from 2019 in the national scenario (provincial pilots; the national "
             "guidance of 2020-03) 防止返贫监测 records a household whose fall is by rigid spending alone as "
             "monitored, not relapsed, and watches the monitored (`assessment.monitoring_from_year`, "
             "`monitoring_detection`); the monitored-people rows (exited and near-poor) are held-out checks. "
             "The national scenario's deadline declares every registered poor "
             "household out in 2020 (scenarios/national_2014_2020.toml [campaign]): the 2020 rows on the poor left "
             "and the villages exited follow from it, and the hidden-poor row says how much of it is real.", "",
             f"**{held} of {len(tested)} hold.**", "",
             "| Fact | Source | Published | Model | Holds |", "|---|---|---|---|---|"]
    verdict = {True: "yes", False: "**no**", None: "(shown)"}
    lines += [f"| {a} | {b} | {c} | {d_} | {verdict[ok]} |" for a, b, c, d_, ok in rows]
    lines += ["", "Tolerances: national relapses within a factor of 2; poor "
              "villages remaining at end-2018 and end-2019 and deep-poverty villages at end-2017 within a factor of 2; 兜底 people within 25 % of 2004万; Jingzhou exits within 20 % of each year's target "
              "and 80 % of the total; detected relapse with support at most 3 % a year and falling; re-entry by true "
              "income within three years of exit without support between half the survey panel's figure (15 % within "
              "3-5 years: 7.5 %) and the pre-campaign rate compounded (15 % a year: 39 %), and with support no higher "
              "than the cliff's. The surveys measure incomes, not a registry's records, so the variants without support "
              "are checked on true status; their detected rates are shown (a registry's recording rate stands between "
              "the two).", ""]
    Path(args.out).write_text("\n".join(lines), encoding="utf-8")
    print(f"{held}/{len(tested)} hold; wrote {args.out}")
    for a, _, c, d_, ok in rows:
        print({True: "ok  ", False: "NO  ", None: "    "}[ok] + f"{a}: published {c}; model {d_}")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
