"""Scenario files: TOML, validated by a pydantic schema before anything runs.

A scenario names a region, its years, poverty lines and exit targets, the population to
synthesise, and overrides of catalog parameters. ``extends = "other.toml"`` makes a variant: the
parent is loaded first (relative to the child's folder) and the child's tables are deep-merged
over it. Every problem is raised as one :class:`ScenarioError` naming the file, the field and
what is allowed.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from .. import parameters
from .campaign import Campaign
from .posterior import PosteriorError, scenario_draws
from .problems import FieldProblem, ScenarioError, explain_all

CATEGORIES = ("wubao", "dibao", "fupin_dibao", "fupin")  # 五保, 低保, 扶贫低保, 一般扶贫 (the Jingzhou decision §二(一)2)
CAUSES = ("illness", "disability", "schooling", "disaster", "lack_labour", "lack_funds", "lack_skills", "other")
Category = Literal["wubao", "dibao", "fupin_dibao", "fupin"]
Cause = Literal["illness", "disability", "schooling", "disaster", "lack_labour", "lack_funds", "lack_skills", "other"]
MAX_EXTENDS = 16            # a variant of a variant ... at most this deep
MAX_TEXT = 2000             # characters of a description; names and regions at most 200, on one line
MAX_HOUSEHOLDS = 40_000_000  # the 2014 national registry held 29.48 million (data/validation_figures.csv)
LINE_RANGE = (500, 50_000)   # plausible poverty lines, yuan per person per year (national: 2300 at 2010 prices)


class _Strict(BaseModel):
    # every number finite: inf and nan are refused wherever a float is read
    model_config = ConfigDict(extra="forbid", strict=False, frozen=True, allow_inf_nan=False)


def _one_line(v: str) -> str:
    """Names and regions reach file names, tables and generated files: one line, no control characters."""
    if any(ord(c) < 32 or ord(c) == 127 for c in v):
        raise ValueError("must be one line of text without control characters (tab, newline …)")
    return v


Line = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_one_line)]


def allocate(total: int, shares: dict[str, float] | np.ndarray) -> np.ndarray:
    """Whole counts summing exactly to ``total``, proportional to ``shares`` (largest remainder)."""
    s = np.asarray(list(shares.values()) if isinstance(shares, dict) else shares, dtype=float)
    raw = total * s / s.sum()
    counts = np.floor(raw).astype(np.int64)
    short = total - counts.sum()
    if short:
        counts[np.argsort(-(raw - counts), kind="stable")[:short]] += 1
    return counts


def _shares_or_counts(table: dict[str, float], total: int, what: str) -> dict[str, float]:
    """Accept shares summing to 1 or whole counts summing to ``total``; return shares."""
    values = list(table.values())
    if any(v < 0 for v in values):
        raise FieldProblem(what, "must not be negative")
    s = sum(values)
    if all(v <= 1 for v in values):
        if abs(s - 1) > 1e-6:
            raise FieldProblem(what, f"shares must sum to 1 (they sum to {s:.6g})")
        return dict(table)
    if any(v != int(v) for v in values) or int(s) != total:
        raise FieldProblem(what, f"must be shares summing to 1 or whole counts summing to {total} "
                                 f"(got a sum of {s:g}; percentages are not allowed)")
    return {k: v / total for k, v in table.items()}


class Population(_Strict):
    households: int = Field(gt=0, le=MAX_HOUSEHOLDS, description="registered poor households")
    people: int = Field(gt=0, description="registered poor people")
    poor_villages: int = Field(ge=0)
    villages: int = Field(gt=0, description="all villages holding modelled households, poor villages included")
    rural_people: int = Field(gt=0, description="rural population of the region (for village incidence)")
    share_in_poor_villages: float = Field(ge=0, le=1)
    near_poor_per_registered: float = Field(ge=0, le=5, description="non-registered near-poor households (边缘户) per registered household")
    category: dict[Category, float]
    cause: dict[Cause, float]
    registry: str | None = Field(default=None, description="an imported registry (tuopin import-registry) to use "
                                                            "instead of synthetic registered households")
    sample: int = Field(default=1, ge=1, le=100_000, description="sampled mode: simulate 1 household in k (and 1 village "
                                                               "in k), each standing for k; results are weighted back")

    @model_validator(mode="after")
    def _check(self):
        if self.people < self.households:
            raise FieldProblem("people", f"must be at least households ({self.households}), got {self.people}")
        if self.people > 12 * self.households:
            raise FieldProblem("people", f"must be at most 12 per household ({12 * self.households}), got {self.people}")
        if self.poor_villages > self.villages:
            raise FieldProblem("villages", f"must be at least poor_villages ({self.poor_villages}), got {self.villages}")
        if self.poor_villages == 0 and self.share_in_poor_villages > 0:
            raise FieldProblem("share_in_poor_villages", "must be 0 when there are no poor villages")
        if self.rural_people < self.people * (1 + self.near_poor_per_registered):
            raise FieldProblem("rural_people", f"must hold the registered and near-poor people "
                                               f"(at least {self.people * (1 + self.near_poor_per_registered):,.0f})")
        if self.sample > 1 and self.registry:
            raise FieldProblem("sample", "an imported registry is simulated whole; sampling needs the synthetic population")
        if self.sample > self.households:
            raise FieldProblem("sample", f"must be at most the registered households ({self.households}), got {self.sample}")
        object.__setattr__(self, "category", _shares_or_counts(self.category, self.households, "category"))
        object.__setattr__(self, "cause", _shares_or_counts(self.cause, self.households, "cause"))
        return self

    def simulated(self) -> "Population":
        """The population the model builds: this one, or in sampled mode one k times smaller with the
        same shares and the same households per village, so village rules (incidence, village funds)
        behave as in the whole."""
        k = self.sample
        if k == 1:
            return self
        households = max(1, round(self.households / k))
        people = max(households, round(self.people / k))
        poor_villages = max(int(self.poor_villages > 0), round(self.poor_villages / k))
        villages = max(poor_villages + int(self.villages > self.poor_villages), round(self.villages / k))
        rural = max(round(self.rural_people / k), int(people * (1 + self.near_poor_per_registered)) + 1)
        return self.model_copy(update=dict(households=households, people=people, poor_villages=poor_villages,
                                           villages=villages, rural_people=rural, sample=1))


class Targets(_Strict):
    people: dict[int, int] = Field(default_factory=dict, description="exits (people) by year")
    households: dict[int, int] = Field(default_factory=dict, description="exits (households) by year")


Source = Literal["central", "provincial", "city", "county", "work_team"]


class Budget(_Strict):
    cap: dict[str, float] = Field(default_factory=dict, description="yuan per year, by lever or 'total'")
    sources: dict[str, dict[Source, float]] = Field(default_factory=dict, description="shares of each lever's spend by funding source")
    commitments: dict[Source, float] = Field(default_factory=dict, description="yuan per year each source has committed")

    @model_validator(mode="after")
    def _check(self):
        for lever, v in self.cap.items():
            if not 0 <= v < 1e13:
                raise FieldProblem(f"cap.{lever}", f"must be between 0 and 1e13 yuan a year, got {v}")
        for lever, split in self.sources.items():
            if any(v < 0 for v in split.values()) or abs(sum(split.values()) - 1) > 1e-6:
                raise FieldProblem(f"sources.{lever}", f"shares must be non-negative and sum to 1 (they sum to {sum(split.values()):g})")
        committed = sum(self.commitments.values())
        if "total" in self.cap and self.cap["total"] < committed:
            raise FieldProblem("cap.total", f"must be at least the committed spend ({committed:,.0f} yuan a year: "
                                            + ", ".join(f"{k} {v:,.0f}" for k, v in self.commitments.items()) + ")")
        return self


class Shard(_Strict):
    """One piece of a large scenario (a province or a county), run as a scenario of its own. The
    scenario's counts (households, people, villages, rural people, targets, caps and catalog counts
    such as relocations) are split over its shards in proportion to ``weight``."""

    region: Line
    weight: float = Field(gt=0, le=1e15, description="relative size, e.g. the shard's poor people (any unit)")
    west: bool | None = Field(default=None, description="western region (village exit at < 3 %); default: the scenario's")
    poor_counties: int = Field(default=0, ge=0, description="poor counties in the shard (reported, not simulated)")


class Scenario(_Strict):
    name: Line
    region: Line
    description: str = Field(default="", max_length=MAX_TEXT)
    first_year: int = Field(ge=2000, le=2100)
    last_year: int = Field(ge=2000, le=2100)
    assessment_month: int = Field(default=12, ge=1, le=12)
    west: bool = Field(default=False, description="western region: village exit at incidence < 3 % instead of 2 %")
    seed: int = Field(ge=0, lt=2**63)
    poverty_line: dict[int, float] = Field(description="yuan per person per year at current prices, by year")
    targets: Targets = Field(default_factory=Targets)
    population: Population
    budget: Budget = Field(default_factory=Budget)
    campaign: Campaign = Field(default_factory=Campaign)
    parameters: dict = Field(default_factory=dict)
    posterior: str | None = Field(default=None, description="CSV of parameter draws (tuopin calibrate's "
                                  "posterior.csv); each replicate takes one, so the bands hold parameter uncertainty")
    posterior_transfer: bool = Field(default=False, description="the posterior was fitted on another region: only "
                                     "behavioural parameters transfer (inputs.posterior.transfer)")
    shards: dict[str, Shard] = Field(default_factory=dict, description="run as independent pieces (e.g. provinces)")

    @model_validator(mode="after")
    def _check(self):
        for key in self.shards:
            if not key.replace("_", "").isalnum() or not key.isascii():
                raise FieldProblem(f"shards.{key}", "shard names must be ASCII letters, digits and underscores")
        if self.shards and len(self.shards) > self.population.households:
            raise FieldProblem("shards", f"at most one shard per household ({self.population.households}), got {len(self.shards)}")
        if self.posterior_transfer and not self.posterior:
            raise FieldProblem("posterior_transfer", "needs a posterior (the file of draws to transfer)")
        if self.last_year < self.first_year:
            raise FieldProblem("last_year", f"must not be before first_year ({self.first_year}), got {self.last_year}")
        if self.last_year - self.first_year >= 30:
            raise FieldProblem("last_year", f"a scenario may span at most 30 years ({self.first_year}-{self.first_year + 29})")
        missing = [y for y in self.years if y not in self.poverty_line]
        if missing:
            raise FieldProblem("poverty_line", f"needs a value for every year {self.first_year}-{self.last_year}; missing {missing}")
        for y, v in self.poverty_line.items():
            if not LINE_RANGE[0] <= v <= LINE_RANGE[1]:
                raise FieldProblem(f"poverty_line.{y}", f"must be yuan per person per year at current prices, between "
                                                        f"{LINE_RANGE[0]:,} and {LINE_RANGE[1]:,} (e.g. 2855 for 2015), got {v}")
        for kind, table, cap in (("people", self.targets.people, self.population.people),
                                 ("households", self.targets.households, self.population.households)):
            for y, v in table.items():
                if y not in self.years:
                    raise FieldProblem(f"targets.{kind}.{y}", f"is outside the scenario years {self.first_year}-{self.last_year}")
                if not 0 <= v <= cap:
                    raise FieldProblem(f"targets.{kind}.{y}", f"must be between 0 and the registered {kind} ({cap}), got {v}")
        self.campaign.check_years(self.years)
        return self

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))

    @property
    def months(self) -> int:
        return 12 * len(self.years)


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario with where it came from and its resolved parameters."""

    spec: Scenario
    path: Path
    files: tuple[Path, ...]
    sha256: str
    params: dict[str, object] = field(repr=False)
    posterior: tuple[dict[str, object], ...] = field(default=(), repr=False)  # parameter draws, if any

    @property
    def stem(self) -> str:
        return self.path.stem

    def with_values(self, values: dict[str, object]) -> LoadedScenario:
        """This scenario with some catalog parameters set (values already checked)."""
        return replace(self, params={**self.params, **values})


def overrides_table(flat: dict[str, object]) -> dict:
    """Overrides by dotted name as scenario tables: budget caps (``budget.cap.<lever>``, yuan a year)
    under ``budget``, catalog parameters under ``parameters``."""
    budget = {k: v for k, v in flat.items() if k.startswith("budget.")}
    return {**parameters.nest(budget), "parameters": parameters.nest({k: v for k, v in flat.items() if k not in budget})}


def deep_merge(base: dict, over: dict) -> dict:
    """``over``'s tables merged into ``base``'s; an explicitly empty table (``[targets.people]`` with
    nothing under it, or ``people = {}``) replaces the inherited one, so a variant can remove it."""
    out = dict(base)
    for k, v in over.items():
        merge = isinstance(v, dict) and v and isinstance(out.get(k), dict)
        out[k] = deep_merge(out[k], v) if merge else v
    return out


def read_toml(path: Path, error: type[ScenarioError] = ScenarioError) -> dict:
    """A TOML file's table; undecodable text or bad syntax is one ``error`` naming the file."""
    try:
        return tomllib.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as e:
        raise error(path, "(file)", f"must be UTF-8 text ({e.reason} at byte {e.start})") from None
    except tomllib.TOMLDecodeError as e:
        raise error(path, "(syntax)", f"not valid TOML: {e}") from None


def _read_toml(path: Path, chain: tuple[Path, ...]) -> tuple[dict, tuple[Path, ...]]:
    """The raw table of ``path`` with its ``extends`` chain merged in, and the files read."""
    if len(chain) >= MAX_EXTENDS:
        raise ScenarioError(chain[0], "extends", f"the extends chain is deeper than {MAX_EXTENDS} files "
                                                 f"(at {path.name}); flatten it")
    if path in chain:
        cycle = " -> ".join(p.name for p in (*chain, path))
        raise ScenarioError(chain[-1], "extends", f"cyclic extends: {cycle}")
    if not path.is_file():
        where = chain[-1] if chain else path
        field_ = "extends" if chain else "(file)"
        raise ScenarioError(where, field_, f"no such scenario file: {path}")
    raw = read_toml(path)
    files = (path,)
    if isinstance(raw.get("posterior"), str):  # relative to the file that names it
        raw["posterior"] = str((path.parent / raw["posterior"]).resolve())
    parent = raw.pop("extends", None)
    if parent is not None:
        if not isinstance(parent, str) or not parent.endswith(".toml"):
            raise ScenarioError(path, "extends", f"must be the name of another .toml file, got {parent!r}")
        base, base_files = _read_toml((path.parent / parent).resolve(), (*chain, path))
        raw, files = deep_merge(base, raw), base_files + files
    return raw, files


def _allowed_fields(loc: tuple) -> list[str]:
    """The fields a scenario allows beside the unknown one at ``loc`` (for did-you-mean)."""
    model: type[BaseModel] = Scenario
    for part in loc[:-1]:
        ann = model.model_fields.get(str(part))
        sub = getattr(ann, "annotation", None) if ann else None
        if not (isinstance(sub, type) and issubclass(sub, BaseModel)):
            return []
        model = sub
    return list(model.model_fields)


def _registry_problem(df) -> str | None:
    """What makes an imported registry's table unusable by the builder, or None (a file written by
    other means may hold anything)."""
    import pandas as pd

    if len(df) == 0:
        return "it has no households"
    if len(df) > MAX_HOUSEHOLDS:
        return f"more than {MAX_HOUSEHOLDS:,} households"
    people = pd.to_numeric(df["people"], errors="coerce")
    if not pd.api.types.is_integer_dtype(df["people"]) or not people.between(1, 20).all():
        return "people must be whole numbers from 1 to 20"
    income = pd.to_numeric(df["income_per_capita"], errors="coerce")
    if not income.between(0, 200_000).all():
        return "income_per_capita must be numbers from 0 to 200,000"
    for col, allowed in (("category", CATEGORIES), ("cause", CAUSES)):
        if not df[col].isin(allowed).all():
            return f"{col} must be one of {', '.join(allowed)}"
    return None


def _registry_counts(path: Path, pop: dict) -> dict:
    """Fill the population's counts and shares from an imported registry; check any given ones."""
    import pandas as pd

    reg_path = Path(pop["registry"])
    reg_path = reg_path if reg_path.is_absolute() else (path.parent / reg_path).resolve()
    try:
        df = pd.read_parquet(reg_path, columns=["people", "category", "cause", "income_per_capita"])
    except Exception as e:  # noqa: BLE001 - any unreadable file is one message
        raise ScenarioError(path, "population.registry", f"cannot read {reg_path} as an imported registry "
                                                         f"(make it with `tuopin import-registry`): {str(e)[:120]}") from None
    problem = _registry_problem(df)
    if problem:
        raise ScenarioError(path, "population.registry", f"{reg_path} is not a registry the model can run "
                                                         f"(make it with `tuopin import-registry`): {problem}")
    found = {"households": len(df), "people": int(df["people"].sum())}
    try:
        villages = pd.read_parquet(reg_path, columns=["village"])["village"].nunique()
    except Exception:  # noqa: BLE001 - a registry without village codes
        villages = 0
    if villages and isinstance(pop.get("villages"), int) and villages > pop["villages"]:
        raise ScenarioError(path, "population.villages", f"must be at least the {villages:,} villages of the registry "
                                                         f"{reg_path.name}, got {pop['villages']:,}")
    for key, value in found.items():
        if key in pop and pop[key] != value:
            raise ScenarioError(path, f"population.{key}", f"must match the registry {reg_path.name} ({value:,}), got {pop[key]:,}")
    pop = dict(pop, **found, registry=str(reg_path))
    pop["category"] = {k: int(v) for k, v in df["category"].value_counts().items()}
    pop["cause"] = {k: int(v) for k, v in df["cause"].value_counts().items()}
    return pop


def _people_range(households: int, category: dict[str, float], params: dict) -> tuple[int, int]:
    """The fewest and most people the builder can always place in ``households`` synthetic households:
    五保 households have 1 or 2 people (drawn, not adjusted), the others 1 to max_household_size."""
    wubao = int(allocate(households, [category.get(c, 0.0) for c in CATEGORIES])[0])
    two = params["population.wubao_two_person_share"]
    others = households - wubao
    return wubao * (2 if two > 0 else 1) + others, wubao * (2 if two >= 1 else 1) + others * params["population.max_household_size"]


def buildable(spec: Scenario, params: dict) -> tuple[str, str] | None:
    """(field, message) when the builder cannot build what ``spec`` asks for — whole, sampled or shard by
    shard (the same split as runs.shards) — else None. Validation runs this so that what validates, runs."""
    pop = spec.population
    pieces = [("population.people", pop.households, pop.people)]
    if spec.shards:
        w = np.array([sh.weight for sh in spec.shards.values()], float)
        total = w.sum()
        if not np.isfinite(total):
            return "shards", "the weights must add up to a finite number"
        for name, share in zip(spec.shards, w / total):
            if not share * pop.households >= 1:
                return (f"shards.{name}.weight", f"gives the shard {share * pop.households:.3g} of the "
                                                 f"{pop.households:,} households; every shard needs at least 1")
        hh, pp = allocate(pop.households, w), allocate(pop.people, w)
        pieces = [(f"shards.{n}", int(h), int(p)) for n, h, p in zip(spec.shards, hh, pp)]
    if pop.registry:
        return None  # the registry's own households, as recorded
    k = pop.sample
    for where, households, people in pieces:
        if k > 1:
            households, people = max(1, round(households / k)), max(1, round(households / k), round(people / k))
        lo, hi = _people_range(households, pop.category, params)
        if not lo <= people <= hi:
            scope = "" if where == "population.people" else f" ({where})"
            return ("population.people", f"the builder can place {lo:,} to {hi:,} people in {households:,} households"
                                         f"{scope} (五保 1-2 people, others 1-{params['population.max_household_size']}: "
                                         f"population.max_household_size); got {people:,}")
    return None


def load_scenario(path: str | Path, overrides: dict[str, object] | None = None) -> LoadedScenario:
    """Read, merge and validate a scenario file. Raises :class:`ScenarioError` on any problem."""
    path = Path(path).resolve()
    raw, files = _read_toml(path, ())
    if overrides:
        raw = deep_merge(raw, overrides)
    if isinstance(raw.get("population"), dict) and raw["population"].get("registry"):
        raw["population"] = _registry_counts(path, raw["population"])
    problems: list[tuple[str, str]] = []
    spec = None
    try:
        spec = Scenario.model_validate(raw)
    except ValidationError as e:
        problems += explain_all(e, _allowed_fields)
    given = raw.get("parameters") if isinstance(raw.get("parameters"), dict) else {}
    values, bad = parameters.resolve(parameters.flatten(given))
    problems += [(f"parameters.{name}", why) for name, why in bad]
    levers = parameters.levers()
    budget = raw.get("budget") if isinstance(raw.get("budget"), dict) else {}
    for kind in ("cap", "sources"):
        for name in budget.get(kind) or {} if isinstance(budget.get(kind), dict) else ():
            if name not in levers and not (kind == "cap" and name == "total"):
                known = sorted(levers) + (["total"] if kind == "cap" else [])
                problems.append((f"budget.{kind}.{name}",
                                 f"is not a lever{parameters.suggest(name, known)}; allowed: {', '.join(known)}"))
    if problems or spec is None:
        raise ScenarioError(path, *problems[0], problems=problems)
    problem = buildable(spec, values)
    if problem:
        raise ScenarioError(path, *problem)
    try:
        draws, _ = scenario_draws(spec)
    except PosteriorError as e:
        raise ScenarioError(path, "posterior", str(e)) from None
    sources = [*files, *([Path(spec.population.registry)] if spec.population.registry else []),
               *([Path(spec.posterior)] if spec.posterior else [])]
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in sources)).hexdigest()
    return LoadedScenario(spec=spec, path=path, files=files, sha256=digest, params=values, posterior=draws)
