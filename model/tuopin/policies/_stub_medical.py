# TEMPORARY stand-in until the real chain lands (lead's scaffolding; to be deleted)
from dataclasses import dataclass
from typing import NamedTuple
import numpy as np
from .base import Policy

@dataclass(frozen=True)
class MedicalParams:
    basic_deductible: float = 500.0
    basic_rate: float = 0.6
    basic_cap: float = 150000.0
    poor_rate_bonus: float = 0.05
    dabing_deductible: float = 8000.0
    dabing_deductible_poor: float = 5000.0
    @classmethod
    def from_catalog(cls, values):
        return cls()

class CostShares(NamedTuple):
    basic: np.ndarray
    oop: np.ndarray

def cost_sharing(inpatient, chronic, noncompliant, *, poor, insured, p):
    basic = np.minimum(p.basic_cap, np.maximum(0, inpatient - p.basic_deductible) * (p.basic_rate + poor * p.poor_rate_bonus)) * insured
    return CostShares(basic, inpatient + chronic + noncompliant - basic)

class MedicalHelp(Policy):
    lever = "medical"
