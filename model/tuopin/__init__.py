"""tuopin: simulate and forecast poverty exits, relapse and costs under 精准扶贫.

In Python: ``tuopin.run(scenario, replicates=…)`` returns a :class:`Forecast` to summarise, plot,
compare and save; ``tuopin.levers(scenario, …)`` measures what each lever buys; ``tuopin.load_scenario(path)`` reads a scenario and ``.with_parameters(…)``
derives variants; :class:`PovertyModel` is the Mesa model itself, to step month by month.

The package is in layers, each importing only from those before it: ``parameters`` (the catalog,
typed and cited) → ``inputs`` (scenarios, registries) → ``sim`` (the model and its levers) → ``runs``
(replicates, shards, the one runner) → ``analysis`` (tables, calibration, sensitivity, budgets) →
``outputs`` (results folders, figures, reports) → ``api``, ``cli`` and ``app``.
"""

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # what type checkers and the documentation see; at run time, __getattr__ below
    from .api import Comparison, Forecast, Levers, Scenario, levers, load_scenario, run
    from .inputs.scenario import ScenarioError
    from .sim.model import PovertyModel

# the public names and the module each comes from; imported on first use (PEP 562), so that a
# process that needs one layer (a pool worker: the model; the command line: what its command
# uses) does not import every other one (pandas' analysis, matplotlib, scipy) first
_PUBLIC = {"Comparison": "api", "Forecast": "api", "Levers": "api", "Scenario": "api", "levers": "api",
           "load_scenario": "api", "run": "api", "ScenarioError": "inputs.scenario", "PovertyModel": "sim.model"}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str):
    if name not in _PUBLIC:
        raise AttributeError(f"module 'tuopin' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_PUBLIC[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
