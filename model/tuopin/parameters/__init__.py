"""The parameter catalog: every model parameter with its default, unit, range and source.

Each ``<section>.toml`` file in this folder holds one table per parameter; the parameter's full
name is ``<section>.<key>`` (e.g. ``medical.oop_cap``). Scenarios override defaults by full name
under ``[parameters]``; :func:`resolve` checks every override against the catalog.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CATALOG_DIR = Path(__file__).parent


@dataclass(frozen=True)
class Param:
    name: str
    default: float | int | bool
    unit: str
    description: str
    source: str
    min: float | None = None
    max: float | None = None
    uncertain: bool = False

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
                source=t["source"],
                min=t.get("min"),
                max=t.get("max"),
                uncertain=bool(t.get("uncertain", False)),
            )
    return params


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


def resolve(overrides: dict[str, object]) -> tuple[dict[str, object], list[tuple[str, str]]]:
    """Defaults updated by ``overrides``; also the list of (name, problem) for bad overrides."""
    cat = catalog()
    values: dict[str, object] = {name: p.default for name, p in cat.items()}
    problems: list[tuple[str, str]] = []
    for name, value in overrides.items():
        if name not in cat:
            close = [n for n in cat if n.split(".")[-1] == name.split(".")[-1]]
            hint = f" (did you mean {close[0]}?)" if close else " (see `tuopin params`)"
            problems.append((name, "is not a known parameter" + hint))
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
