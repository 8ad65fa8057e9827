"""tuopin: simulate and forecast poverty exits, relapse and costs under 精准扶贫.

In Python: ``tuopin.run(scenario, replicates=…)`` returns a :class:`Forecast` to summarise, plot,
compare and save; ``tuopin.levers(scenario, …)`` measures what each lever buys; ``tuopin.load_scenario(path)`` reads a scenario and ``.with_parameters(…)``
derives variants; :class:`PovertyModel` is the Mesa model itself, to step month by month.

The package is in layers, each importing only from those before it: ``parameters`` (the catalog,
typed and cited) → ``inputs`` (scenarios, registries) → ``sim`` (the model and its levers) → ``runs``
(replicates, shards, the one runner) → ``analysis`` (tables, calibration, sensitivity, budgets) →
``outputs`` (results folders, figures, reports) → ``api``, ``cli`` and ``app``.
"""

from .api import Comparison, Forecast, Levers, Scenario, levers, load_scenario, run
from .inputs.scenario import ScenarioError
from .sim.model import PovertyModel

__all__ = ["Comparison", "Forecast", "Levers", "PovertyModel", "Scenario", "ScenarioError", "levers", "load_scenario", "run"]
