"""The Python API: load a scenario, change it, run an ensemble, read, plot, compare and save it.

```python
import tuopin
fc = tuopin.run("scenarios/jingzhou_2015_2018.toml", replicates=20, workers=2)
fc.summary()                        # a readable table, per year, with 5-95 % intervals
fc.plot()                           # exits against targets (a matplotlib Figure)
cliff = tuopin.run(fc.scenario.with_parameters(**{"after_exit.transition_years": 0}), replicates=20)
cliff.compare(fc)                   # paired differences on common random numbers
fc.save("results/jz")               # the results folder `tuopin run` writes
lv = fc.levers()                    # what each lever buys: paired runs with each lever switched off
lv.summary()                        # (or tuopin.levers(scenario, replicates=…), as `tuopin levers`)
```

Everything here is a thin layer over what the commands use (`tuopin.analysis.forecast.forecast`,
`tuopin.analysis.compare`, `tuopin.outputs`), so Python and the command line give the same numbers
for the same scenario, seed and replicates.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

import pandas as pd

from .analysis import compare as _compare
from .analysis import levers as _levers
from .analysis.forecast import forecast as _forecast
from .inputs.scenario import LoadedScenario, deep_merge, overrides_table
from .inputs.scenario import load_scenario as _load

__all__ = ["Scenario", "Forecast", "Comparison", "Levers", "load_scenario", "run", "levers"]


@dataclass(frozen=True)
class Scenario(LoadedScenario):
    """A validated scenario (a `LoadedScenario`) that remembers the
    changes made to its file in Python, so variants can be derived from it.

    ``spec`` is the validated file (region, years, targets, population…), ``params`` every catalog
    parameter's value as it will run, ``changes`` the dotted overrides applied on top of the file.
    """

    changes: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The file's stem, followed by the parameter changes, e.g. ``jingzhou_2015_2018 (dibao.line_ratio=1.0)``."""
        shown = {k: v for k, v in self.changes.items() if k not in ("seed", "sample")}
        return f"{self.stem} ({', '.join(f'{k}={v}' for k, v in shown.items())})" if shown else self.stem

    def with_parameters(self, **changes) -> Scenario:
        """A variant of this scenario with more changes, by dotted catalog name
        (``**{"dibao.line_ratio": 1.0}``), ``budget.cap.<lever>`` (yuan a year), ``seed`` or
        ``sample`` (simulate 1 household in ``sample``). A misspelt name is refused with the closest
        known names."""
        return load_scenario(self.path, **{**self.changes, **changes})

    def __repr__(self) -> str:
        s = self.spec
        return (f"Scenario({self.name!r}: {s.region}, {s.first_year}-{s.last_year}, "
                f"{s.population.households:,} households, {s.population.people:,} people, seed {s.seed})")


def load_scenario(path: str | Path | LoadedScenario, overrides: dict | None = None, **changes) -> Scenario:
    """Read and validate a scenario file, with optional changes by dotted name.

    ``overrides`` is a nested table merged over the file (as in the file: ``{"seed": 1,
    "population": {"sample": 10}}``); ``changes`` are dotted names as in
    [`Scenario.with_parameters`][tuopin.api.Scenario.with_parameters]. Raises `tuopin.ScenarioError`
    (file, field, what is allowed) on any problem.
    """
    if isinstance(path, LoadedScenario):
        changes = {**getattr(path, "changes", {}), **changes}
        path = path.path
    path = Path(path).resolve()
    rest = {k: v for k, v in changes.items() if k not in ("seed", "sample")}
    table = overrides_table(rest) if rest else {}
    if "seed" in changes:
        table["seed"] = int(changes["seed"])
    if "sample" in changes:
        table["population"] = {"sample": int(changes["sample"])}
    if overrides:
        table = deep_merge(overrides, table)
    loaded = _load(path, table or None)
    return Scenario(**{f.name: getattr(loaded, f.name) for f in fields(LoadedScenario)}, changes=dict(changes))


def run(scenario: str | Path | LoadedScenario, replicates: int = 1, *, seed: int | None = None, workers: int = 1,
        sample: int | None = None, progress: bool = False, **changes) -> Forecast:
    """Run ``replicates`` replicates of ``scenario`` and return the [`Forecast`][tuopin.api.Forecast].

    ``scenario`` is a file or a [`Scenario`][tuopin.api.Scenario]; ``seed`` (default: the scenario's) fixes every
    replicate's random numbers, the same on 1 or ``workers`` processes; ``sample`` simulates 1
    household in ``sample`` (quicker, with the sampling error in the bounds); ``changes`` are
    parameter changes by dotted name, e.g. ``**{"after_exit.transition_years": 0}``.
    """
    extra = {**({"seed": seed} if seed is not None else {}), **({"sample": sample} if sample else {}), **changes}
    loaded = load_scenario(scenario, **extra) if extra or not isinstance(scenario, Scenario) else scenario
    tables = _forecast(loaded, replicates, workers=workers, progress=progress)
    return Forecast(loaded, replicates, workers, tables)


def levers(scenario: str | Path | LoadedScenario, replicates: int = 10, *, seed: int | None = None, workers: int = 1,
           sample: int | None = None, progress: bool = False, **changes) -> Levers:
    """What each lever buys (as ``tuopin levers``): ``scenario`` against itself with each lever
    switched off in turn, and with 因户施策 off, on the same ``replicates`` seeds; a [`Levers`][tuopin.api.Levers].
    Arguments as [`run`][tuopin.api.run]."""
    extra = {**({"seed": seed} if seed is not None else {}), **({"sample": sample} if sample else {}), **changes}
    loaded = load_scenario(scenario, **extra) if extra or not isinstance(scenario, Scenario) else scenario
    return Levers(_levers.run_levers(loaded, replicates, workers=workers, progress=progress), workers)


class Levers:
    """What each lever buys: ``table`` (one row per lever: what it adds over the run, the scenario
    minus the scenario without it, median and 5-95 % over paired replicates, and yuan per additional
    sustained exit), ``totals`` (each variant's outcomes per replicate) and ``skipped`` (levers the
    scenario already switches off). Columns are in the outputs guide (levers.csv)."""

    def __init__(self, runs: _levers.LeverRuns, workers: int = 1):
        self.runs, self.workers = runs, workers
        self.scenario, self.replicates = runs.scenario, runs.replicates
        self.table, self.totals, self.skipped = runs.table, runs.totals, runs.skipped

    def summary(self) -> pd.DataFrame:
        """The table as readable text: median [5-95 %] of what each lever adds, and the note."""
        from .outputs.levers import readable

        return readable(self.table)

    def plot(self):
        """Sustained exits and spend added, and yuan per additional sustained exit: a Figure."""
        from .outputs import plots

        s = self.scenario.spec
        return plots.lever_effects(self.table, f"{s.region} {s.first_year}-{s.last_year}")

    def save(self, folder: str | Path, force: bool = False) -> Path:
        """Write the results folder ``tuopin levers`` writes (an existing folder as :meth:`Forecast.save`)."""
        from .outputs.levers import write_folder
        from .outputs.results import check_destination, input_files, replacing

        with replacing(force):
            check_destination(Path(folder), input_files([self.scenario]), "levers")
            write_folder(Path(folder), self.runs, self.workers)
        return Path(folder)

    def __repr__(self) -> str:
        return self.summary().drop(columns="note").to_string()


def _interval(s: pd.Series, scale: float = 1.0, fmt: str = "{:,.0f}") -> str:
    return _span(*(s.quantile(q) / scale for q in (0.05, 0.5, 0.95)), fmt)


def _span(lo: float, mid: float, hi: float, fmt: str) -> str:
    """``median (5 %–95 %)`` in ``fmt``."""
    sep = " to " if "+" in fmt else "–"   # "-9,493–-9,180" would misread
    return f"{fmt.format(mid)} ({fmt.format(lo)}{sep}{fmt.format(hi)})"


class Forecast:
    """The result of [`run`][tuopin.api.run]: tables over the replicates (medians and 5-95 % bounds) and
    ways to read them.

    Attributes: ``scenario`` (the [`Scenario`][tuopin.api.Scenario] as run), ``replicates``, ``seed``, ``annual``
    (one row per year: targets, exits declared and true, relapses, new poor, poor remaining, in
    people and households, p50/p5/p95, and ``p_meet_target``), ``spend`` (by year, lever and
    source, yuan), ``survival`` (Kaplan-Meier share of exits still out of poverty 12/24/36 months
    on, as recorded and on true status), ``money`` (spend over the run and per exit) and ``at_risk`` (exited households ranked by
    their chance of relapsing). Column meanings are in the outputs guide.
    """

    def __init__(self, scenario: Scenario, replicates: int, workers: int, tables):
        self.scenario, self.replicates, self.workers, self._tables = scenario, replicates, workers, tables
        self.seed = scenario.spec.seed

    annual = property(lambda self: self._tables.annual, doc="One row per year (see the class docstring).")
    spend = property(lambda self: self._tables.spend, doc="Spend by year, lever and source (yuan).")
    survival = property(lambda self: self._tables.survival, doc="Share of exits still out of poverty, by group.")
    money = property(lambda self: self._tables.money, doc="Spend over the run and per true or sustained exit.")
    at_risk = property(lambda self: self._tables.at_risk, doc="Exited households by chance of relapse (full runs).")

    def per_replicate(self) -> pd.DataFrame:
        """One row per replicate and year: the outcomes (people) and that year's spend
        (``spend_10k_yuan``, 万 yuan), the numbers every interval here is taken over."""
        return _compare.per_replicate(self._tables.replicate_runs)

    def summary(self) -> pd.DataFrame:
        """Per year, as readable text: the target, declared and true exits, relapses, poor remaining
        at year end, total spend (million yuan), each as median (5-95 % over replicates), and the
        chance that declared exits meet the target."""
        per = self.per_replicate()
        rows = {}
        for year, g in per.groupby("year", sort=True):
            target = g["target_exits"].iloc[0]
            rows[int(year)] = {
                "target": "–" if pd.isna(target) else f"{target:,.0f}",
                "declared exits": _interval(g["exits_declared"]),
                "true exits": _interval(g["exits_true"]),
                "relapses": _interval(g["relapses"]),
                "poor remaining": _interval(g["poor_end"]),
                "spend, million yuan": _interval(g["spend_10k_yuan"], 100, "{:,.1f}"),
                "P(meet target)": "–" if pd.isna(target) else f"{(g['exits_declared'] >= target).mean():.0%}",
            }
        out = pd.DataFrame.from_dict(rows, orient="index")
        out.index.name = "year"
        return out

    def plot(self):
        """Exits against targets and the poor remaining, with 5-95 % bands: a matplotlib Figure."""
        from .outputs import plots

        s = self.scenario.spec
        return plots.exits_vs_targets(self.annual, f"{s.region} {s.first_year}-{s.last_year}")

    def plot_survival(self):
        """Share of exits still out of poverty 12/24/36 months on, overall and by group: a Figure."""
        from .outputs import plots

        s = self.scenario.spec
        return plots.relapse_survival(self.survival, f"{s.region} {s.first_year}-{s.last_year}")

    def plot_spend(self):
        """Spend by lever and year, and spend over the run by lever (after :meth:`levers`: yuan per
        additional sustained exit by lever): a Figure."""
        from .outputs import plots

        s = self.scenario.spec
        table = self._tables.levers
        return plots.money(self.spend, self.money, f"{s.region} {s.first_year}-{s.last_year}",
                           lever_table=table if len(table) else None)

    def compare(self, other: Forecast | Scenario | str | Path) -> Comparison:
        """This forecast against ``other`` (the baseline), replicate by replicate.

        Both must run on the same seed and number of replicates, so replicate i of each shares its
        random numbers (common random numbers) and a difference is the policy's, not noise. A
        [`Scenario`][tuopin.api.Scenario] or file is run here that way; a [`Forecast`][tuopin.api.Forecast]
        made with another seed or number of replicates is run again that way (the scenario must cover
        the same years)."""
        if not isinstance(other, Forecast) or other.seed != self.seed or other.replicates != self.replicates:
            scenario = other.scenario if isinstance(other, Forecast) else other
            other = run(scenario, self.replicates, seed=self.seed, workers=self.workers)
        if other.scenario.spec.years != self.scenario.spec.years:
            raise ValueError(f"cannot compare {self.scenario.name} ({self.scenario.spec.years[0]}-"
                             f"{self.scenario.spec.years[-1]}) with {other.scenario.name}: the years differ")
        base, name = other.scenario.name, self.scenario.name
        name = name if name != base else f"{name}#2"
        runs = {base: other._tables.replicate_runs, name: self._tables.replicate_runs}
        return Comparison([other.scenario, self.scenario], self.seed, runs, _compare.compare_table(runs),
                          _compare.compare_totals(runs), _compare.compare_summary(runs),
                          other._tables.timings["wall_seconds"] + self._tables.timings["wall_seconds"])

    def levers(self, progress: bool = False) -> Levers:
        """What each lever buys: this forecast's replicates against the scenario with each lever
        switched off in turn (and 因户施策 off), run here on the same seeds. The forecast keeps the
        table: :meth:`plot_spend` and :meth:`save` then show it, as ``tuopin run --levers`` does."""
        runs = _levers.run_levers(self.scenario, self.replicates, workers=self.workers, progress=progress,
                                  base=self._tables.replicate_runs)
        self._tables.levers = runs.table
        return Levers(runs, self.workers)

    def save(self, folder: str | Path, force: bool = False) -> Path:
        """Write the results folder ``tuopin run`` writes (tables, figures, report, manifest) from
        this forecast, with the command's own writer. As with the command, an existing folder is
        refused; with ``force`` one that tuopin wrote is replaced, and a folder holding anything else
        never is."""
        from .outputs.forecast import write_forecast
        from .outputs.results import check_destination, input_files, replacing

        with replacing(force):
            check_destination(Path(folder), input_files([self.scenario]), "run")
            write_forecast(self.scenario, Path(folder), self._tables, self.replicates, self.workers)
        return Path(folder)

    def __repr__(self) -> str:
        a = self.annual.iloc[-1]
        return (f"<Forecast {self.scenario.name}: {self.replicates} replicate{'s' * (self.replicates > 1)}, "
                f"seed {self.seed}; poor remaining at the end of {int(a['year'])}: {a['poor_end_p50']:,.0f} "
                f"({a['poor_end_p5']:,.0f}–{a['poor_end_p95']:,.0f}) people>")


class Comparison(_compare.Comparison):
    """Forecasts side by side on common random numbers ([`Forecast.compare`][tuopin.api.Forecast.compare]).
    ``table``: per scenario and year, medians and each scenario's paired difference from the first with 5-95 %
    intervals; ``totals``: the differences over the whole run; ``summary``: them in words."""

    def paired(self) -> pd.DataFrame:
        """Each scenario after the first against the first, paired by replicate: one row per scenario
        and outcome (``poor_end``: poor remaining at the end; ``exits_true``, ``relapses``, ``spend_yuan``:
        over the run) with the median (``p50``) and 5-95 % (``p5``, ``p95``) of the differences.
        Positive means more in the scenario than the base."""
        per = {name: _compare.per_replicate(reps).set_index(["replicate", "year"]) for name, reps in self.runs.items()}
        names, last = list(per), max(self.scenarios[0].spec.years)
        base = per[names[0]]
        rows = []
        for name in names[1:]:
            d = per[name][list(_compare.DIFF_COLUMNS)] - base[list(_compare.DIFF_COLUMNS)]
            run_total = d.groupby(level="replicate").sum()
            for outcome, s in (("poor_end", d.xs(last, level="year")["poor_end"]), ("exits_true", run_total["exits_true"]),
                               ("relapses", run_total["relapses"]), ("spend_yuan", run_total["spend_10k_yuan"] * 1e4)):
                rows.append({"scenario": name, "outcome": outcome, "p50": s.quantile(0.5), "p5": s.quantile(0.05),
                             "p95": s.quantile(0.95)})
        return pd.DataFrame(rows, columns=["scenario", "outcome", "p50", "p5", "p95"])

    def differences(self) -> pd.DataFrame:
        """:meth:`paired` as readable text: the difference in poor remaining at the end, true exits,
        relapses and spend over the run (million yuan), median (5-95 %) over paired replicates."""
        last = max(self.scenarios[0].spec.years)
        heads = {"poor_end": (f"poor remaining, end {last}", 1.0, "{:+,.0f}"), "exits_true": ("true exits", 1.0, "{:+,.0f}"),
                 "relapses": ("relapses", 1.0, "{:+,.0f}"), "spend_yuan": ("spend, million yuan", 1e6, "{:+,.1f}")}
        rows: dict[str, dict] = {}
        for _, r in self.paired().iterrows():
            head, scale, fmt = heads[r["outcome"]]
            rows.setdefault(r["scenario"], {})[head] = _span(r["p5"] / scale, r["p50"] / scale, r["p95"] / scale, fmt)
        out = pd.DataFrame.from_dict(rows, orient="index")
        out.index.name = f"against {next(iter(self.runs))}"
        return out

    def plot(self):
        """The differences over the run with their intervals: a matplotlib Figure."""
        from .outputs import plots

        return plots.compare(self.totals, self.scenarios[0].spec.region)

    def save(self, folder: str | Path, force: bool = False) -> Path:
        """Write the results folder ``tuopin compare`` writes (an existing folder as :meth:`Forecast.save`)."""
        from .outputs.compare import write_folder
        from .outputs.results import check_destination, input_files, replacing

        with replacing(force):
            check_destination(Path(folder), input_files(self.scenarios), "compare")
            write_folder(Path(folder), self, len(next(iter(self.runs.values()))), 1)
        return Path(folder)

    def __repr__(self) -> str:
        return self.differences().to_string()
