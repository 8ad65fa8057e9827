"""The typed parameter classes match the TOML catalog key for key and type for type."""

from __future__ import annotations

import tomllib
from dataclasses import fields

from tuopin.parameters import CATALOG_DIR, catalog, resolve
from tuopin.parameters.typed import SECTIONS, Params, typed


def test_every_toml_key_has_a_typed_field_and_back():
    files = {path.stem: path for path in CATALOG_DIR.glob("*.toml")}
    assert set(SECTIONS) == set(files) == {f.name for f in fields(Params)}
    for name, cls in SECTIONS.items():
        tables = tomllib.loads(files[name].read_text(encoding="utf-8"))
        declared = {f.name: f.type for f in fields(cls)}
        assert list(declared) == list(tables), name  # same keys, in the TOML's order
        for key, t in tables.items():
            assert declared[key] == type(t["default"]).__name__, f"{name}.{key}"


def test_typed_values_are_the_resolved_values_with_their_types():
    values, problems = resolve({"medical.oop_cap": 2000, "after_exit.transition_years": 0})
    assert not problems
    p = typed(values)
    assert p.medical.oop_cap == 2000.0 and isinstance(p.medical.oop_cap, float)
    assert p.after_exit.transition_years == 0 and isinstance(p.after_exit.transition_years, int)
    for name, param in catalog().items():
        section, key = name.split(".", 1)
        value = getattr(getattr(p, section), key)
        assert value == values[name] and type(value) is type(values[name]), name
