"""The interface every policy lever implements.

A lever is a small class named for its catalog section. The model calls its hooks in a fixed
order: ``year_start`` each January, ``month`` each month before income accrues. A lever reads its
parameters from ``self.p`` (its catalog section), acts on the model's household arrays, and pays
through the model's ledger. ``enabled``, ``start_year`` and ``end_year`` in its section say when
it is in force; outside those years its hooks are not called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from ..parameters import section

if TYPE_CHECKING:
    from ..model import PovertyModel


class Policy:
    lever: ClassVar[str] = ""

    def __init__(self, model: "PovertyModel"):
        self.model = model
        self.p = section(model.params, self.lever)

    def active(self, year: int) -> bool:
        return bool(self.p.get("enabled", True)) and self.p.get("start_year", 0) <= year <= self.p.get("end_year", 9999)

    def year_start(self, year: int) -> None:
        """Called each January while the lever is in force."""

    def month(self, year: int, month: int) -> None:
        """Called each month while the lever is in force, before income accrues."""
