"""The default sampled mode of the commands that run many points (sensitivity, optimize).

They compare points, not levels, and common random numbers keep those differences sharp, so a
sample of about ``SIMULATED`` registered households is enough and makes a screening or a budget
search minutes instead of hours (Jingzhou: 1 in 13). A scenario that sets its own sample, reads a
registry or runs in shards keeps what it sets.
"""

from __future__ import annotations

SIMULATED = 10_000


def auto_sample(loaded) -> int:
    """``--sample`` when it is not given: about ``SIMULATED`` simulated registered households."""
    pop = loaded.spec.population
    if pop.sample > 1 or pop.registry or loaded.spec.shards:
        return pop.sample
    return max(1, pop.households // SIMULATED)
