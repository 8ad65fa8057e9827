"""The interactive page: ``solara run model/tuopin/app.py`` (or ``tuopin app``).

Choose a scenario, move the main levers, then step or play the months and watch exits against
targets, the poor remaining, relapses and spend. Built on Mesa's SolaraViz: the controls are the
model's own keyword parameters, so the page runs exactly the model the command line runs.
"""

from __future__ import annotations

from pathlib import Path

import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz, make_plot_component
from mesa.visualization.utils import update_counter

from tuopin import PovertyModel
from tuopin.outputs.plots import label, plain, style

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
DEFAULT = "jingzhou_2015_2018.toml"


def scenario_choices() -> list[str]:
    return sorted(p.name for p in SCENARIOS.glob("*.toml")) or [DEFAULT]


class PageModel(PovertyModel):
    """PovertyModel taking a scenario file name from the page's list, and caps in 万 yuan."""

    def __init__(self, *, scenario_file: str = DEFAULT, industry_cap_10k: int = 0, education_cap_10k: int = 0,
                 rng=None, scenario=None, **parameters):
        # SolaraViz's reset passes Mesa's own ``scenario`` back in; the tuopin scenario is scenario_file
        for lever, cap in (("industry", industry_cap_10k), ("education", education_cap_10k)):
            if cap > 0:  # 0 = no cap
                parameters[f"budget.cap.{lever}"] = cap * 1e4
        rng = int(rng) if isinstance(rng, str) and rng.strip().isdigit() else rng  # the page's text box
        super().__init__(scenario=str(SCENARIOS / scenario_file), rng=rng, **parameters)


MODEL_PARAMS = {
    "scenario_file": {"type": "Select", "value": DEFAULT, "values": scenario_choices(), "label": "Scenario"},
    "rng": {"type": "InputText", "value": 1, "label": "Random seed"},
    "dibao.line_ratio": {"type": "SliderFloat", "value": 0.9, "min": 0.5, "max": 1.5, "step": 0.05,
                         "label": "低保 line / poverty line"},
    "medical.oop_cap": {"type": "SliderInt", "value": 3000, "min": 0, "max": 20000, "step": 500,
                        "label": "Out-of-pocket cap (yuan a year)"},
    "medical.dabing_deductible_poor": {"type": "SliderInt", "value": 5000, "min": 0, "max": 8000, "step": 500,
                                       "label": "大病 deductible for the poor (yuan)"},
    "after_exit.transition_years": {"type": "SliderInt", "value": 3, "min": 0, "max": 6, "step": 1,
                                    "label": "Transition years (0 = cliff)"},
    "industry_cap_10k": {"type": "SliderInt", "value": 0, "min": 0, "max": 50000, "step": 500,
                         "label": "Industry cap 万/yr"},
    "education_cap_10k": {"type": "SliderInt", "value": 0, "min": 0, "max": 20000, "step": 500,
                          "label": "Education cap 万/yr"},
}


@solara.component
def ExitsAgainstTargets(model):
    """Exits per assessed year against the scenario's targets."""
    update_counter.get()
    with style():
        fig = Figure(figsize=(6, 3.4), layout="constrained")
        ax = fig.subplots()
        years = model.spec.years
        targets = [model.spec.targets.people.get(y, 0) for y in years]
        ax.bar(years, targets, color="#d9d9d9", width=0.6, label=label("target", "目标"))
        done = model.annual
        ax.plot([r["year"] for r in done], [r["exits_declared"] for r in done], "o-", color="#1f5fa8",
                label=label("declared exits", "申报脱贫"))
        ax.plot([r["year"] for r in done], [r["exits_true"] for r in done], "s--", color="#d9730d",
                label=label("true exits", "真实脱贫"))
        ax.set_xticks(years)
        ax.set_title(plain(f"{model.spec.region}: " + label("exits against targets", "脱贫与目标")), fontsize=10)
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
        ax.legend(frameon=False, fontsize=8)
        solara.FigureMatplotlib(fig, format="png", bbox_inches="tight")


@solara.component
def Numbers(model):
    """The running totals, as text (also what the browser test reads)."""
    update_counter.get()
    t = model.totals
    month = f"{model.year}-{model.month:02d}" if model.t else "not started"
    with solara.Div(classes=["tuopin-numbers"]):
        solara.Markdown(
            f"**Month** {month} · **registered poor** {model.people[1]:,.0f} people · "
            f"**exits** declared {t['exits_declared']:,} / true {t['exits_true']:,} · **relapses** {t['relapses']:,} · "
            f"**new poor** {t['new_poor']:,} · **spend** {model.ledger.spend.sum() / 1e4:,.0f} 万 yuan"
        )


def _page():
    model = PageModel(rng=1)
    return SolaraViz(
        model,
        components=[
            (Numbers, 0),
            (ExitsAgainstTargets, 0),
            make_plot_component({"poor_people": "#1f5fa8", "exited_people": "#2ca02c"}),
            make_plot_component({"relapses": "#d62728", "new_poor": "#9467bd"}),
            make_plot_component("spend_yuan"),
        ],
        model_params=MODEL_PARAMS,
        name="tuopin 脱贫",
        play_interval=150,
    )


page = _page()
