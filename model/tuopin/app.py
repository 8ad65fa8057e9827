"""The page for planners: ``solara run model/tuopin/app.py`` (or ``tuopin app``).

Choose a scenario, move the main levers, press RESET, then STEP or ▶ through the months: the page
runs the scenario with the changes beside the scenario as written (the baseline, on the same random
numbers), and draws exits against targets, the poor remaining, relapses and spend for both, with the
range of a few more replicates of each once they are computed in the background.

Built from Mesa's SolaraViz pieces (its model controller and parameter inputs) in a page of our own,
so that each visitor gets a model of their own (made when their page opens, never shared) and the
visualiser's debugging controls stay out of the way. The controls are the model's keyword
parameters, so the page runs exactly the model the command line runs.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import solara
from matplotlib.figure import Figure
from mesa.visualization.solara_viz import ModelController, ModelCreator
from mesa.visualization.utils import update_counter

from tuopin import api
from tuopin.outputs.plots import plain, style
from tuopin.sim.model import PovertyModel
from tuopin.sim.population import POOR

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
DEFAULT = "jingzhou_2015_2018.toml"
MAX_HOUSEHOLDS = 1_000_000   # larger (and sharded) scenarios are for the command line: minutes and gigabytes
BAND_REPLICATES = 4          # the band: this many more replicates of the change and the baseline
LEVERS = {  # page control -> (catalog name, label, min, max, step)
    "dibao.line_ratio": ("低保 (dibao) line as a share of the poverty line", 0.5, 1.5, 0.05),
    "medical.oop_cap": ("Out-of-pocket medical cap (yuan a year)", 0, 20000, 500),
    "medical.dabing_deductible_poor": ("Critical-illness (大病) deductible for the poor (yuan)", 0, 8000, 500),
    "after_exit.transition_years": ("Transition years after exit (0 = benefits end at exit)", 0, 6, 1),
}
CAPS = {"industry_cap_10k": ("industry", "Industry budget cap (10,000 yuan a year; 0 = none)", 50000),
        "education_cap_10k": ("education", "Education budget cap (10,000 yuan a year; 0 = none)", 20000)}
CSS = """
.v-input__slot { flex-wrap: wrap !important; }
.v-input__slot > .v-label { flex: 0 0 100% !important; max-width: 100% !important; white-space: normal !important;
                            height: auto !important; margin: 0 0 2px 0 !important; font-size: 14px; }
.v-input__slot > .v-slider { flex: 0 0 100% !important; margin: 0 !important; }
.tuopin-numbers p { font-size: 15px; margin: 0 0 4px 0; }
.tuopin-note { font-size: 13px; color: #555; }
"""


def scenario_choices() -> list[str]:
    """The scenario files small enough to step in a browser."""
    out = []
    for p in sorted(SCENARIOS.glob("*.toml")):
        try:
            s = api.load_scenario(p).spec
        except Exception:  # noqa: BLE001 - a file that does not load is simply not offered
            continue
        if not s.shards and s.population.households <= MAX_HOUSEHOLDS:
            out.append(p.name)
    return out or [DEFAULT]


def _default(name: str):
    return api.load_scenario(SCENARIOS / DEFAULT).params[name]


class PageModel(PovertyModel):
    """The scenario with the page's changes, stepped in lockstep with the scenario as written (the
    baseline, on the same seed: common random numbers). Caps come in 万 yuan (0 = no cap).
    Past the scenario's last month a step does nothing (▶ stops there)."""

    def __init__(self, *, scenario_file: str = DEFAULT, industry_cap_10k: int = 0, education_cap_10k: int = 0,
                 rng=1, scenario=None, **changes):
        # Mesa's reset passes its own ``scenario`` back in; the tuopin scenario is scenario_file
        for key, value in (("industry_cap_10k", industry_cap_10k), ("education_cap_10k", education_cap_10k)):
            if value and value > 0:
                changes[f"budget.cap.{CAPS[key][0]}"] = value * 1e4
        rng = int(rng) if str(rng).strip().isdigit() else 1   # the page's text box
        self.base_scenario = api.load_scenario(SCENARIOS / scenario_file)
        changed = {k: v for k, v in changes.items() if self.base_scenario.params.get(k, None) != v}
        self.page_scenario = self.base_scenario.with_parameters(**changed) if changed else self.base_scenario
        super().__init__(scenario=self.page_scenario, rng=rng)
        # what the page's controls were when this model was built (to tell when a change needs RESET)
        self.page_args = {"scenario_file": scenario_file, "rng": str(rng), "industry_cap_10k": industry_cap_10k,
                          "education_cap_10k": education_cap_10k, **{k: self.params[k] for k in LEVERS}}
        self.baseline = PovertyModel(scenario=self.base_scenario, rng=rng) if changed else None

    @property
    def base(self) -> PovertyModel:
        """The baseline model (this one when nothing is changed)."""
        return self.baseline or self

    def step(self) -> None:
        if not self.running:
            return
        super().step()
        if self.baseline is not None:
            self.baseline.step()


def series(model: PovertyModel):
    """The model's months so far: time in years (the end of month m of year y is y + m/12) and its data."""
    df = model.datacollector.get_model_vars_dataframe()
    return (df["year"] + df["month"] / 12).to_numpy(), df


@lru_cache(maxsize=8)
def _band_of(path: str, changes: tuple, seed: int):
    """Annual medians and ranges of a few replicates; cached, as a scenario, its changes and a seed
    always give the same numbers (a table of results, never a visitor's model)."""
    return api.run(path, BAND_REPLICATES, seed=seed, **dict(changes)).annual


def bands(model: PageModel):
    """The band tables of the change and of the baseline (the same when nothing is changed)."""
    seed, path = int(model.page_args["rng"]), str(model.base_scenario.path)
    change = _band_of(path, tuple(sorted(model.page_scenario.changes.items())), seed)
    return change, (_band_of(path, (), seed) if model.baseline is not None else change)


def _axes(title: str, ylabel: str, width: float = 6.2):
    fig = Figure(figsize=(width, 3.3), layout="constrained")
    ax = fig.subplots()
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    ax.grid(axis="y", alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig, ax


CHANGE, BASE = "#1f5fa8", "#7f7f7f"


@solara.component
def ExitsAgainstTargets(model: PageModel, band):
    """Declared exits per assessed year against the targets: the change and the baseline."""
    update_counter.get()
    with style():
        fig, ax = _axes(plain(f"{model.spec.region}: people declared out of poverty each year"), "people per year")
        years = model.spec.years
        targets = [model.spec.targets.people.get(y, 0) for y in years]
        ax.bar(years, targets, color="#e3e3e3", width=0.6, label="target")
        if band is not None:
            for table, color in ((band[1], BASE), (band[0], CHANGE)):
                ax.fill_between(table["year"], table["exits_declared_p5"], table["exits_declared_p95"], color=color,
                                alpha=0.18, lw=0)
        lines = [(model, CHANGE, "o-", "this run (the scenario as written)")] if model.baseline is None else \
            [(model.baseline, BASE, "s--", "baseline"), (model, CHANGE, "o-", "with your changes")]
        for m, color, style_, name in lines:
            done = m.annual
            ax.plot([r["year"] for r in done], [r["exits_declared"] for r in done], style_, color=color, label=name)
        if band is not None:
            ax.fill_between([], [], [], color="#999", alpha=0.25, lw=0, label=f"range of {BAND_REPLICATES} more runs")
        ax.set_xticks(years)
        ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
        ax.legend(frameon=False, fontsize=8)
        solara.FigureMatplotlib(fig, format="png", bbox_inches="tight")


def _monthly(model: PageModel, title: str, ylabel: str, value, scale: float = 1.0):
    """A monthly line of the change (and of the baseline, when it differs) against years."""
    with style():
        fig, ax = _axes(title, ylabel)
        lines = [(model, CHANGE, "-", "this run (the scenario as written)")] if model.baseline is None else \
            [(model.baseline, BASE, "--", "baseline"), (model, CHANGE, "-", "with your changes")]
        top = 10.0  # an empty axis still reads in whole people
        for m, color, ls, name in lines:
            x, df = series(m)
            y = value(df).to_numpy(float) / scale
            ax.plot(x, y, ls, color=color, lw=1.6, marker="o" if len(x) == 1 else None, label=name)
            top = max(top, float(y.max()))
        years = model.spec.years
        ax.set_xlim(years[0], years[-1] + 1)
        ax.set_xticks(np.arange(years[0], years[-1] + 2))
        ax.set_xlabel("start of year")
        ax.set_ylim(0, top * 1.08)
        ax.legend(frameon=False, fontsize=8, loc="best")
        solara.FigureMatplotlib(fig, format="png", bbox_inches="tight")


@solara.component
def PoorRemaining(model: PageModel):
    update_counter.get()
    _monthly(model, "Registered poor not yet declared out of poverty", "people", lambda df: df["poor_people"])


@solara.component
def Relapses(model: PageModel):
    update_counter.get()
    _monthly(model, "Relapses into poverty since the start (cumulative)", "people", lambda df: df["relapses"])


@solara.component
def Spend(model: PageModel):
    update_counter.get()
    _monthly(model, "Spend on all levers since the start (cumulative)", "million yuan",
             lambda df: df["spend_yuan"], scale=1e6)


def _line(m: PovertyModel) -> str:
    t = m.totals
    return (f"registered poor {m.people[POOR]:,.0f} people · exits declared {t['exits_declared']:,} / "
            f"true {t['exits_true']:,} · relapses {t['relapses']:,} · new poor {t['new_poor']:,} · "
            f"spend {m.ledger.spend.sum() * m.weight / 1e6:,.1f} million yuan")


@solara.component
def Numbers(model: PageModel):
    """The running totals in words (also what the browser test reads)."""
    update_counter.get()
    month = f"{model.year}-{model.month:02d}" if model.t else "not started"
    s = model.spec
    with solara.Div(classes=["tuopin-numbers"]):
        solara.Markdown(f"**{s.region}**, {s.first_year}-{s.last_year} · **month** {month} "
                        f"({model.t} of {s.months})")
        solara.Markdown(f"**With your changes**: {_line(model)}" if model.baseline is not None else
                        f"**This run** (the scenario as written): {_line(model)}")
        if model.baseline is not None:
            solara.Markdown(f"**Baseline** (as written): {_line(model.baseline)}")
        if not model.running:
            solara.Success(f"The scenario ends in December {s.last_year}. Press RESET to run it again.")


def _dibao_line(p: dict) -> str:
    """The 低保 line in words, saying when 两线合一 raises a ratio below 1 (the slider then changes nothing)."""
    text, ratio = f"低保 line {p['dibao.line_ratio']:.2f} × the poverty line", p["dibao.line_ratio"]
    if ratio < 1 and p["dibao.aligned"]:
        return text + " (raised to 1.00 by 两线合一, dibao.aligned)"
    if ratio < 1 and p["dibao.aligned_from_year"] < 9999:
        return text + f" (raised to 1.00 from {p['dibao.aligned_from_year']} by 两线合一)"
    return text


def _values(model: PageModel) -> str:
    """The values this run uses, in words."""
    p, caps = model.params, model.spec.budget.cap
    cap = lambda lever: f"{caps[lever] / 1e4:,.0f} 万 yuan a year" if lever in caps else "none"  # noqa: E731
    return (f"This run: {_dibao_line(p)} · out-of-pocket cap "
            f"{p['medical.oop_cap']:,.0f} yuan · 大病 deductible {p['medical.dabing_deductible_poor']:,.0f} yuan · "
            f"{p['after_exit.transition_years']} transition years · industry cap {cap('industry')} · "
            f"education cap {cap('education')} · seed {model.page_args['rng']}")


def _pending(model: PageModel, chosen: dict) -> list[str]:
    """The controls changed since the model was built (they take effect on RESET)."""
    labels = {"scenario_file": "scenario", "rng": "random seed", **{k: v[0] for k, v in LEVERS.items()},
              **{k: v[1] for k, v in CAPS.items()}}
    def same(a, b) -> bool:
        try:
            return abs(float(a) - float(b)) < 1e-9
        except (TypeError, ValueError):
            return str(a) == str(b)

    return [labels[k] for k, v in chosen.items() if k in model.page_args and not same(model.page_args[k], v)]


MODEL_PARAMS = {
    "scenario_file": {"type": "Select", "value": DEFAULT, "values": scenario_choices(), "label": "Scenario"},
    "rng": {"type": "InputText", "value": "1", "label": "Random seed"},
    **{name: {"type": "SliderInt", "value": int(_default(name)), "min": lo, "max": hi, "step": step, "label": label}
       if step >= 1 else {"type": "SliderFloat", "value": float(_default(name)), "min": lo, "max": hi, "step": step,
                          "label": label} for name, (label, lo, hi, step) in LEVERS.items()},
    **{key: {"type": "SliderInt", "value": 0, "min": 0, "max": hi, "step": 500, "label": label}
       for key, (_, label, hi) in CAPS.items()},
}


@solara.component
def Page():
    """One visitor's page: their own model, made when the page opens."""
    first = solara.use_memo(PageModel, [])
    model = solara.use_reactive(first)
    chosen = solara.use_reactive({})
    play, render, threads = solara.use_reactive(100), solara.use_reactive(1), solara.use_reactive(False)
    band = solara.lab.use_task(lambda: bands(model.value), dependencies=[id(model.value)])
    solara.Style(CSS)
    solara.Title("tuopin 脱贫")
    with solara.AppBar():
        solara.AppBarTitle("tuopin 脱贫: exits, relapses and spend, month by month")
    with solara.Sidebar(), solara.Column():
        with solara.Card("Run"):
            ModelController(model, model_parameters=chosen, play_interval=play, render_interval=render,
                            use_threads=threads)
            pending = _pending(model.value, chosen.value)
            if pending:
                solara.Warning(f"Changed: {', '.join(pending)}. Press RESET to run with the new values.")
            else:
                solara.Markdown("Move a control, then press RESET to rebuild the run with it; STEP advances one "
                                "month, ▶ plays to the end.", style={"font-size": "13px"})
            solara.Markdown(_values(model.value), style={"font-size": "13px", "color": "#555"})
        with solara.Card("Scenario and levers"):
            ModelCreator(model, MODEL_PARAMS, model_parameters=chosen)
    with solara.Column():
        Numbers(model.value)
        if band.pending:
            solara.Markdown(f"Computing the range of {BAND_REPLICATES} more runs in the background…",
                            style={"font-size": "13px", "color": "#555"})
        with solara.Columns([1, 1]):
            ExitsAgainstTargets(model.value, band.value if band.finished else None)
            PoorRemaining(model.value)
        with solara.Columns([1, 1]):
            Relapses(model.value)
            Spend(model.value)
        solara.Markdown("Baseline: the scenario file as written, on the same random numbers as your run, so the gap "
                        "between the lines is the changes' effect. Bands: the 5-95 % range of "
                        f"{BAND_REPLICATES} further runs of each on other seeds.", style={"font-size": "13px"})
