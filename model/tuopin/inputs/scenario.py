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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .. import parameters
from .posterior import PosteriorError, read_posterior

CATEGORIES = ("wubao", "dibao", "fupin_dibao", "fupin")  # 五保, 低保, 扶贫低保, 一般扶贫 (the Jingzhou decision §二(一)2)
CAUSES = ("illness", "disability", "schooling", "disaster", "lack_labour", "lack_funds", "lack_skills", "other")
Category = Literal["wubao", "dibao", "fupin_dibao", "fupin"]
Cause = Literal["illness", "disability", "schooling", "disaster", "lack_labour", "lack_funds", "lack_skills", "other"]
MAX_HOUSEHOLDS = 40_000_000  # the 2014 national registry held 29.48 million (data/validation_figures.csv)
LINE_RANGE = (500, 50_000)   # plausible poverty lines, yuan per person per year (national: 2300 at 2010 prices)


class ScenarioError(Exception):
    """What is wrong with a scenario file: which file, which field, what is allowed. ``field`` and
    ``message`` are the first problem; ``problems`` lists every one found as (field, message)."""

    def __init__(self, file: Path | str, field: str, message: str, problems: list[tuple[str, str]] | None = None):
        self.file, self.field, self.message = str(file), field, message
        self.problems = problems or [(field, message)]
        super().__init__(f"{self.file}: {field}: {message}" + "".join(f"\n  also {f}: {m}" for f, m in self.problems[1:]))


class FieldProblem(ValueError):
    """A validator's complaint about one field (a path below the model being validated)."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, frozen=True)


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

    region: str = Field(min_length=1)
    weight: float = Field(gt=0, description="relative size, e.g. the shard's poor people (any unit)")
    west: bool | None = Field(default=None, description="western region (village exit at < 3 %); default: the scenario's")
    poor_counties: int = Field(default=0, ge=0, description="poor counties in the shard (reported, not simulated)")


class Scenario(_Strict):
    name: str = Field(min_length=1)
    region: str = Field(min_length=1)
    description: str = ""
    first_year: int = Field(ge=2000, le=2100)
    last_year: int = Field(ge=2000, le=2100)
    assessment_month: int = Field(default=12, ge=1, le=12)
    west: bool = Field(default=False, description="western region: village exit at incidence < 3 % instead of 2 %")
    seed: int = Field(ge=0, lt=2**63)
    poverty_line: dict[int, float] = Field(description="yuan per person per year at current prices, by year")
    targets: Targets = Field(default_factory=Targets)
    population: Population
    budget: Budget = Field(default_factory=Budget)
    parameters: dict = Field(default_factory=dict)
    posterior: str | None = Field(default=None, description="CSV of parameter draws (tuopin calibrate's "
                                  "posterior.csv); each replicate takes one, so the bands hold parameter uncertainty")
    shards: dict[str, Shard] = Field(default_factory=dict, description="run as independent pieces (e.g. provinces)")

    @model_validator(mode="after")
    def _check(self):
        for key in self.shards:
            if not key.replace("_", "").isalnum() or not key.isascii():
                raise FieldProblem(f"shards.{key}", "shard names must be ASCII letters, digits and underscores")
        if self.shards and len(self.shards) > self.population.households:
            raise FieldProblem("shards", f"at most one shard per household ({self.population.households}), got {len(self.shards)}")
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

    def with_parameters(self, values: dict[str, object]) -> LoadedScenario:
        """This scenario with some catalog parameters set (values already checked)."""
        return replace(self, params={**self.params, **values})


def _deep_merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = _deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
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
        raw, files = _deep_merge(base, raw), base_files + files
    return raw, files


def explain_all(e: ValidationError, allowed: Callable[[tuple], Iterable[str]] | None = None) -> list[tuple[str, str]]:
    """Every problem of a pydantic error as (field path, message): the one way every input file
    (scenarios, constraints) says what is wrong. ``allowed(loc)`` lists the known fields at ``loc``."""
    out = []
    for err in e.errors():
        loc, msg = err["loc"], err["msg"].removeprefix("Value error, ")
        problem = err.get("ctx", {}).get("error")
        if isinstance(problem, FieldProblem):
            loc, msg = (*loc, *problem.field.split(".")), str(problem)
        if err["type"] == "extra_forbidden":
            known = list(allowed(loc)) if allowed else []
            msg = "is not a known field" + (parameters.suggest(str(loc[-1]), known) if known else "") \
                + (f"; allowed: {', '.join(known)}" if known else "")
        elif err["type"] == "missing":
            msg = "is required"
        out.append((_field_path(loc), msg))
    return out


def explain(e: ValidationError, allowed: Callable[[tuple], Iterable[str]] | None = None) -> tuple[str, str]:
    """The first problem of a pydantic error as (field path, message), the others appended to the
    message, so a one-line error still names them all."""
    (field_, msg), *rest = explain_all(e, allowed)
    return field_, msg + ("".join(f"; also {f}: {m}" for f, m in rest))


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


def _field_path(loc: tuple) -> str:
    parts = [str(p) for p in loc if not str(p).startswith("function-after") and str(p) != "[key]"]
    return ".".join(parts) or "(top level)"


def _registry_counts(path: Path, pop: dict) -> dict:
    """Fill the population's counts and shares from an imported registry; check any given ones."""
    import pandas as pd

    reg_path = Path(pop["registry"])
    reg_path = reg_path if reg_path.is_absolute() else (path.parent / reg_path).resolve()
    try:
        df = pd.read_parquet(reg_path, columns=["people", "category", "cause"])
    except Exception as e:  # noqa: BLE001 - any unreadable file is one message
        raise ScenarioError(path, "population.registry", f"cannot read {reg_path} as an imported registry "
                                                         f"(make it with `tuopin import-registry`): {str(e)[:120]}") from None
    found = {"households": len(df), "people": int(df["people"].sum())}
    for key, value in found.items():
        if key in pop and pop[key] != value:
            raise ScenarioError(path, f"population.{key}", f"must match the registry {reg_path.name} ({value:,}), got {pop[key]:,}")
    pop = dict(pop, **found, registry=str(reg_path))
    pop["category"] = {k: int(v) for k, v in df["category"].value_counts().items()}
    pop["cause"] = {k: int(v) for k, v in df["cause"].value_counts().items()}
    return pop


def load_scenario(path: str | Path, overrides: dict[str, object] | None = None) -> LoadedScenario:
    """Read, merge and validate a scenario file. Raises :class:`ScenarioError` on any problem."""
    path = Path(path).resolve()
    raw, files = _read_toml(path, ())
    if overrides:
        raw = _deep_merge(raw, overrides)
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
    draws = ()
    if spec.posterior:
        try:
            draws = read_posterior(spec.posterior)
        except PosteriorError as e:
            raise ScenarioError(path, "posterior", str(e)) from None
    sources = [*files, *([Path(spec.population.registry)] if spec.population.registry else []),
               *([Path(spec.posterior)] if spec.posterior else [])]
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in sources)).hexdigest()
    return LoadedScenario(spec=spec, path=path, files=files, sha256=digest, params=values, posterior=draws)
