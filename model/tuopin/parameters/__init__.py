"""The parameter catalog: every model parameter with its default, unit, range and sources.

Each ``<section>.toml`` file in this folder holds one table per parameter; the parameter's full
name is ``<section>.<key>`` (e.g. ``medical.oop_cap``). Its ``source`` is an array of citations
(:mod:`tuopin.parameters.citations`). Scenarios override defaults by full name under
``[parameters]``; :func:`resolve` checks every override against the catalog.
``typed.py`` holds one typed class per section; the model reads the resolved values through them.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tuopin.parameters.citations import Citation, citations

CATALOG_DIR = Path(__file__).parent
PLAUSIBLE_SPREAD = 0.5  # the default rule for a plausible range without a source: default x (1 +- 0.5)


@dataclass(frozen=True)
class Param:
    name: str
    default: float | int | bool
    unit: str
    description: str
    sources: tuple[Citation, ...]
    min: float | None = None
    max: float | None = None
    uncertain: bool = False
    plausible: tuple[float, float] | None = None  # where the true value most likely lies (TOML: plausible = [lo, hi])

    @property
    def source(self) -> str:
        """The citations as one line of text, for `tuopin params`, manifests and reports."""
        return "; ".join(c.text() for c in self.sources)

    def plausible_range(self) -> tuple[float, float]:
        """Where the value plausibly lies: the bounds used as priors by calibration and as the
        ranges of sensitivity analysis. The catalog's ``plausible = [lo, hi]`` when given (each one
        justified in the parameter's source); otherwise the default rule, default x (1 +- 0.5),
        clipped to the validation range [min, max]. The validation range itself is far too wide
        for this: it only keeps values the model can compute with.

        Whole-number parameters get whole bounds (the rule's rounded inwards, kept at least 1
        apart); a zero default, which has no relative range, gets the validation range.
        Booleans have no range: ValueError."""
        if isinstance(self.default, bool):
            raise ValueError(f"{self.name} is a switch (true/false) and has no plausible range")
        if self.plausible is not None:
            return (self.plausible[0], self.plausible[1])
        d = self.default
        if d == 0:
            if self.min is None or self.max is None:
                raise ValueError(f"{self.name}: default 0 and an open validation range; give plausible = [lo, hi]")
            lo, hi = self.min, self.max
        else:
            lo, hi = sorted((d * (1 - PLAUSIBLE_SPREAD), d * (1 + PLAUSIBLE_SPREAD)))
            lo = max(lo, self.min) if self.min is not None else lo
            hi = min(hi, self.max) if self.max is not None else hi
        if isinstance(d, int):
            lo, hi = math.ceil(lo), math.floor(hi)
            if lo >= hi:  # a small integer default: one step either side, within [min, max]
                lo = max(d - 1, self.min) if self.min is not None else d - 1
                hi = min(d + 1, self.max) if self.max is not None else d + 1
            return (int(lo), int(hi))
        return (float(f"{lo:.12g}"), float(f"{hi:.12g}"))  # 0.15, not 0.15000000000000002

    def check(self, value) -> str | None:
        """Return why ``value`` is not allowed, or None when it is."""
        if isinstance(self.default, bool):
            return None if isinstance(value, bool) else "a boolean (true or false)"
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return f"a finite number in {self.unit}" + self._range_text()
        if isinstance(self.default, int) and not isinstance(value, int):
            return "a whole number" + self._range_text()
        if (self.min is not None and value < self.min) or (self.max is not None and value > self.max):
            return f"a value in {self.unit}" + self._range_text()
        return None

    def _range_text(self) -> str:
        lo = "-inf" if self.min is None else f"{self.min:g}"
        hi = "inf" if self.max is None else f"{self.max:g}"
        return f" between {lo} and {hi}"


@cache
def catalog() -> dict[str, Param]:
    """All parameters, by full name, read once from the TOML files beside this module."""
    params: dict[str, Param] = {}
    for path in sorted(CATALOG_DIR.glob("*.toml")):
        with path.open("rb") as f:
            tables = tomllib.load(f)
        for key, t in tables.items():
            name = f"{path.stem}.{key}"
            params[name] = Param(
                name=name,
                default=t["default"],
                unit=t.get("unit", ""),
                description=t["description"],
                sources=citations(name, t.get("source")),
                min=t.get("min"),
                max=t.get("max"),
                uncertain=bool(t.get("uncertain", False)),
                plausible=_plausible(name, t),
            )
    return params


def _plausible(name: str, t: dict) -> tuple[float, float] | None:
    """A TOML ``plausible = [lo, hi]``, checked: lo < hi, inside [min, max], the default inside it
    (a plausible range that excludes the default would contradict the catalog)."""
    if "plausible" not in t:
        return None
    pl = t["plausible"]
    if not (isinstance(pl, list) and len(pl) == 2 and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                           for v in pl)):
        raise ValueError(f"parameter {name}: plausible must be [lo, hi], got {pl!r}")
    lo, hi = pl
    if isinstance(t["default"], bool):
        raise ValueError(f"parameter {name}: a switch has no plausible range")
    if not lo < hi or not lo <= t["default"] <= hi:
        raise ValueError(f"parameter {name}: plausible {pl} must have lo < hi around the default {t['default']}")
    if ("min" in t and lo < t["min"]) or ("max" in t and hi > t["max"]):
        raise ValueError(f"parameter {name}: plausible {pl} must lie within [min, max]")
    if isinstance(t["default"], int):
        return (int(lo), int(hi))
    return (float(lo), float(hi))


def flatten(tree: dict, prefix: str = "") -> dict[str, object]:
    """``{"medical": {"oop_cap": 3000}}`` -> ``{"medical.oop_cap": 3000}``."""
    flat: dict[str, object] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def nest(flat: dict[str, object]) -> dict:
    """``{"medical.oop_cap": 1}`` -> ``{"medical": {"oop_cap": 1}}`` (the inverse of :func:`flatten`)."""
    out: dict = {}
    for name, value in flat.items():
        *head, last = name.split(".")
        d = out
        for h in head:
            d = d.setdefault(h, {})
        d[last] = value
    return out


def suggest(name: str, known=None) -> str:
    """`` (did you mean X?)`` for a misspelt ``name`` among ``known`` (default: the catalog's
    names), or "" when nothing is close. A catalog name with the same key in another section
    counts as close (``oop_cap`` → ``medical.oop_cap``)."""
    import difflib

    known = list(catalog() if known is None else known)
    close = difflib.get_close_matches(name, known, n=2, cutoff=0.6)
    close += [n for n in known if "." in n and n.split(".")[-1] == name.split(".")[-1] and n not in close]
    return f" (did you mean {' or '.join(close[:2])}?)" if close else ""


def resolve(overrides: dict[str, object]) -> tuple[dict[str, object], list[tuple[str, str]]]:
    """Defaults updated by ``overrides``; also the list of (name, problem) for bad overrides."""
    cat = catalog()
    values: dict[str, object] = {name: p.default for name, p in cat.items()}
    problems: list[tuple[str, str]] = []
    for name, value in overrides.items():
        if name not in cat:
            problems.append((name, "is not a known parameter" + (suggest(name, cat) or " (see `tuopin params`)")))
            continue
        why = cat[name].check(value)
        if why:
            problems.append((name, f"must be {why}, got {value!r}"))
            continue
        values[name] = float(value) if isinstance(cat[name].default, float) else value
    return values, problems


def section(values: dict[str, object], name: str) -> dict[str, object]:
    """The parameters of one section without their prefix: ``section(v, "medical")["oop_cap"]``."""
    prefix = name + "."
    return {k[len(prefix):]: v for k, v in values.items() if k.startswith(prefix)}


def levers() -> set[str]:
    """Sections that are policy levers: those with an ``enabled`` switch."""
    return {name.split(".")[0] for name in catalog() if name.endswith(".enabled")}
