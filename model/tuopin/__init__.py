"""tuopin: simulate and forecast poverty exits, relapse and costs under 精准扶贫.

The package is in layers, each importing only from those before it: ``parameters`` (the catalog,
typed and cited) → ``inputs`` (scenarios, registries) → ``sim`` (the model and its levers) → ``runs``
(replicates, shards, the one runner) → ``analysis`` (tables, calibration, sensitivity, budgets) →
``outputs`` (results folders, figures, reports) → ``cli`` and ``app``.
"""

from .sim.model import PovertyModel
from .inputs.scenario import ScenarioError, load_scenario

__all__ = ["PovertyModel", "ScenarioError", "load_scenario"]
