"""The lever contract: each lever's declarations match its code, the order meets every stated
dependency, and no lever module reaches for the model."""

from __future__ import annotations

import ast
import inspect
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

from tuopin import PovertyModel
from tuopin.parameters.typed import Params
from tuopin.sim.dynamics import YearState
from tuopin.sim.policies import AFTER, LEVERS, ORDER, SharedState, VillageArrays
from tuopin.sim.population import Households

ROOT = Path(__file__).resolve().parents[1]
POLICIES = ROOT / "model" / "tuopin" / "sim" / "policies"
KNOWN = {"hh": {f.name for f in fields(Households)}, "ys": {f.name for f in fields(YearState)},
         "shared": {f.name for f in fields(SharedState)}, "villages": {f.name for f in fields(VillageArrays)},
         "params": {f.name for f in fields(Params)}}


@pytest.fixture(scope="module")
def model():
    return PovertyModel(scenario=ROOT / "tests" / "data" / "small.toml", rng=1)


def test_order_is_one_constant_and_meets_every_dependency():
    assert ORDER == tuple(cls.lever for cls in LEVERS)
    assert len(set(ORDER)) == len(ORDER)
    for lever, before in AFTER.items():
        for b in before:
            assert ORDER.index(b) < ORDER.index(lever), f"{lever} must come after {b}"


def test_declared_names_exist():
    for cls in LEVERS:
        for name in cls.reads + cls.writes:
            kind, _, attr = name.partition(".")
            assert attr in KNOWN[kind], f"{cls.lever}: {name} is not a field of {kind}"


def test_owned_state_is_exactly_the_arrays_made_in_init(model):
    for pol in model.policies:
        arrays = {k for k, v in vars(pol).items() if isinstance(v, np.ndarray)}
        assert arrays == set(pol.owns), pol.lever
        assert all(getattr(pol, k).shape[0] == model.hh.n for k in pol.owns)


def _shared_name(node: ast.AST) -> str | None:
    """``hh.x``, ``c.hh.x``, ``self.ctx.hh.x`` (any subscript of it too) -> "hh.x"; else None."""
    while isinstance(node, ast.Subscript):
        node = node.value
    if not isinstance(node, ast.Attribute):
        return None
    owner = node.value
    kind = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else None
    return f"{kind}.{node.attr}" if kind in KNOWN and node.attr != "n" else None


@pytest.mark.parametrize("cls", LEVERS, ids=ORDER)
def test_code_uses_only_what_it_declares(cls):
    """Every shared field the lever's code touches is declared; every one it assigns is a write."""
    tree = ast.parse(inspect.getsource(inspect.getmodule(cls)))
    used = {n for node in ast.walk(tree) if (n := _shared_name(node))}
    targets = [t for node in ast.walk(tree) if isinstance(node, ast.Assign) for t in node.targets]
    targets += [node.target for node in ast.walk(tree) if isinstance(node, ast.AugAssign)]
    assigned = {n for t in targets if (n := _shared_name(t))}
    if any(isinstance(node, ast.Attribute) and node.attr == "transfer" for node in ast.walk(tree)):
        assigned |= {"ys.income", "ys.benefits"}
    assert used <= set(cls.reads) | set(cls.writes), (cls.lever, used - set(cls.reads) - set(cls.writes))
    assert assigned <= set(cls.writes), (cls.lever, assigned - set(cls.writes))


def test_no_lever_module_imports_the_model():
    for path in POLICIES.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").endswith("model"), f"{path.name} imports {node.module}"
            if isinstance(node, ast.Import):
                assert not any(a.name.endswith(".model") for a in node.names), path.name
        text = path.read_text(encoding="utf-8")
        assert "self.model" not in text, path.name
        if path.name != "base.py":  # levers pay through Policy.pay / transfer / pay_villages only
            assert not any(isinstance(n, ast.Attribute) and n.attr == "ledger" for n in ast.walk(tree)), path.name


def test_levers_get_a_context_not_the_model(model):
    for pol in model.policies:
        assert not hasattr(pol, "model")
        assert pol.ctx is model.ctx


def test_eligibility_is_a_mask_within_benefit_eligibility():
    m = PovertyModel(scenario=ROOT / "tests" / "data" / "small.toml", rng=2)
    m.step()
    for pol in m.policies:
        mask = pol.eligible()
        assert mask.dtype == bool and mask.shape == (m.hh.n,), pol.lever
        assert not (mask & ~m.ctx.eligible).any(), pol.lever
