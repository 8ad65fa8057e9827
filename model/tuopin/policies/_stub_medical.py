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
    assistance: np.ndarray
    oop_cap_fund: np.ndarray
    oop: np.ndarray

def cost_sharing(inpatient, chronic, noncompliant, *, poor, insured, p):
    basic = np.minimum(p.basic_cap, np.maximum(0, inpatient - p.basic_deductible) * (p.basic_rate + poor * p.poor_rate_bonus)) * insured
    z = np.zeros_like(basic)
    return CostShares(basic, z, z, inpatient + chronic + noncompliant - basic)

class MedicalHelp(Policy):
    """健康扶贫: the poor-specific cost-sharing rules, premium subsidy and full enrolment.

    While in force, eligible households get the poor rules of the chain (+5 pp, lower 大病
    deductible, 医疗救助, the out-of-pocket cap), their premiums are paid and they are enrolled at
    ``enrolment_poor``. The government's shares (assistance, the cap top-up, premiums) are spent
    through the ledger; what a cap leaves unpaid stays with the household.
    """

    lever = "medical"

    def year_start(self, year: int) -> None:
        m, p, hh = self.model, self.p, self.model.hh
        eligible = m.benefit_eligible()
        hh.insured[eligible] = self.rng.random(int(eligible.sum())) < p["enrolment_poor"]
        self.pay(np.where(eligible & hh.insured, p["premium_per_person"] * p["premium_subsidy_share"] * hh.size, 0.0))

    def assessment(self, year: int) -> None:
        m = self.model
        s = m.medical_shares()
        public = s.assistance + s.oop_cap_fund
        paid = self.pay(public)
        m.medical_oop = s.oop + (public - paid)
