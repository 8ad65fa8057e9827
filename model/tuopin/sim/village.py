"""Villages as Mesa agents. Their state lives in the model's per-village arrays; an agent is a
named view onto its row, so the vectorised rules never loop over villages either."""

from __future__ import annotations

import mesa


class Village(mesa.Agent):
    """A village (行政村): its people, whether it is a registered poor village, and its exit."""

    def __init__(self, model, vid: int):
        super().__init__(model)
        self.vid = vid

    @property
    def is_poor_village(self) -> bool:
        return bool(self.model.poor_village[self.vid])

    @property
    def rural_people(self) -> int:
        return int(self.model.village_people[self.vid])

    @property
    def incidence(self) -> float:
        """Registered poor people (not yet exited) over the village's rural people."""
        return float(self.model.village_incidence()[self.vid])

    @property
    def exit_year(self) -> int | None:
        y = int(self.model.village_exit_year[self.vid])
        return None if y < 0 else y

    def __repr__(self) -> str:
        kind = "poor village" if self.is_poor_village else "village"
        return f"<Village {self.vid}: {kind}, {self.rural_people} people, incidence {self.incidence:.1%}>"


class HouseholdAgent(mesa.Agent):
    """One household as a Mesa agent: a named view onto its row of the columnar table, so Mesa's
    tools (AgentSet, agent reporters) can look at it. Made on request (``model.household(i)``);
    the monthly rules never loop over these."""

    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = index
        self._view = model.hh.view(index)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._view, name)

    def __repr__(self) -> str:
        return repr(self._view).replace("<Household", "<HouseholdAgent", 1)
