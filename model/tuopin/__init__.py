"""tuopin: simulate and forecast poverty exits, relapse and costs under 精准扶贫."""

from .sim.model import PovertyModel
from .inputs.scenario import ScenarioError, load_scenario

__all__ = ["PovertyModel", "ScenarioError", "load_scenario"]
