"""The catalog as typed objects: one frozen class per catalog section, one field per parameter.

:func:`typed` turns the resolved flat values (``{"after_exit.transition_years": 3, ...}``) into a
:class:`Params`, so code reads ``p.after_exit.transition_years`` and a reader (or a type checker)
can follow a value from its TOML table to every use. The classes are written out, not generated at
import; ``tests/test_parameters_typed.py`` checks that they match the TOML files key for key and
type for type. Values keep their catalog type (floats stay floats, whole numbers ints).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import section


@dataclass(frozen=True, slots=True)
class AfterExitSection:
    """``after_exit.toml``."""
    transition_years: int  # years


@dataclass(frozen=True, slots=True)
class AssessmentSection:
    """``assessment.toml``."""
    verification_sigma: float  # log
    verification_persistent_share: float  # share
    require_stable_source: bool
    stable_income_threshold: float  # yuan per person-year
    relapse_detection: float  # share
    monitoring_from_year: int  # year
    monitoring_detection: float  # share
    expenditure_share: float  # share of income
    new_poor_identification: float  # share
    village_incidence: float  # share
    village_incidence_west: float  # share


@dataclass(frozen=True, slots=True)
class CreditSection:
    """``credit.toml``."""
    enabled: bool
    start_year: int  # year
    end_year: int  # year
    take_up: float  # per year
    loan: float  # yuan
    term_years: int  # years
    interest_rate: float  # per year
    interest_subsidy_share: float  # share
    return_rate: float  # per year
    default_rate: float  # per year
    risk_fund_share: float  # share


@dataclass(frozen=True, slots=True)
class DemographySection:
    """``demography.toml``."""
    labour_to_elderly_rate: float  # per labourer-year
    disability_onset_rate: float  # per labourer-year


@dataclass(frozen=True, slots=True)
class DibaoSection:
    """``dibao.toml``."""
    enabled: bool
    start_year: int  # year
    end_year: int  # year
    line_ratio: float  # share of poverty line
    aligned: bool
    wubao_ratio: float  # share of poverty line
    exclusion_error: float  # share
    inclusion_error: float  # share
    aligned_from_year: int  # year
    entitlement: bool
    phaseout_months: int  # months


@dataclass(frozen=True, slots=True)
class EducationSection:
    """``education.toml``."""
    highschool_continuation: float  # share
    vocational_continuation: float  # share
    college_continuation: float  # share
    dropout_rate_registered: float  # per child-year
    dropout_rate_other: float  # per child-year
    dropout_return_rate: float  # per year
    new_labour_wage_ratio: float  # lines per year
    highschool_wage_premium: float  # share
    vocational_wage_premium: float  # share
    college_wage_premium: float  # share
    highschool_support_response: float  # share per cost covered
    vocational_support_response: float  # share per cost covered
    dropout_support_response: float  # share per cost covered
    cost_compulsory: float  # yuan per student-year
    cost_highschool: float  # yuan per student-year
    cost_vocational: float  # yuan per student-year
    cost_college: float  # yuan per student-year
    enabled: bool
    start_year: int  # year
    end_year: int  # year
    free_highschool: bool
    highschool_subsidy: float  # yuan per student-year
    yulu_subsidy: float  # yuan per student-year
    college_grant: float  # yuan per student-year
    compulsory_subsidy: float  # yuan per student-year
    dropout_recall_rate: float  # per year
    years_preschool: int  # years
    years_compulsory: int  # years
    years_highschool: int  # years
    years_vocational: int  # years
    years_college: int  # years


@dataclass(frozen=True, slots=True)
class EmploymentSection:
    """``employment.toml``."""
    enabled: bool
    start_year: int  # year
    end_year: int  # year
    training_take_up: float  # per year
    training_cost: float  # yuan per trainee
    training_wage_gain: float  # share
    placement_rate: float  # per year
    placement_cost: float  # yuan per placement
    placement_wage: float  # yuan per year
    post_rate: float  # per year
    post_wage: float  # yuan per year
    ranger_posts: int  # posts
    ranger_wage: float  # yuan per year


@dataclass(frozen=True, slots=True)
class HealthSection:
    """``health.toml``."""
    inpatient_rate: float  # per person-year
    inpatient_rate_elderly_extra: float  # per person-year
    inpatient_rate_chronic_extra: float  # per person-year
    episode_cost_median: float  # yuan
    episode_cost_sigma: float  # log
    work_months_lost: int  # months
    chronic_cost_per_person: float  # yuan per year
    chronic_onset_rate: float  # per person-year
    insurance_enrolment: float  # share


@dataclass(frozen=True, slots=True)
class HousingSection:
    """``housing.toml``."""
    decay_rate_safe: float  # per year
    decay_rate_c: float  # per year
    self_repair_rate_registered: float  # per year
    self_repair_rate_other: float  # per year
    enabled: bool
    start_year: int  # year
    end_year: int  # year
    renovation_rate: float  # per year
    grant_d: float  # yuan per house
    grant_c: float  # yuan per house
    own_contribution: float  # share of grant


@dataclass(frozen=True, slots=True)
class IncomeSection:
    """``income.toml``."""
    wage_growth: float  # per year
    farm_growth: float  # per year
    wage_sigma: float  # log
    farm_sigma: float  # log
    wage_transitory_sigma: float  # log
    farm_transitory_sigma: float  # log
    pension_premium: float  # yuan per person-year
    pension_enrolment: float  # share


@dataclass(frozen=True, slots=True)
class IndustrySection:
    """``industry.toml``."""
    enabled: bool
    start_year: int  # year
    end_year: int  # year
    take_up: float  # per year
    grant: float  # yuan per household
    return_rate: float  # per year
    ramp_months: int  # months
    failure_rate: float  # per year
    coop_take_up: float  # per year
    coop_capital: float  # yuan per household
    coop_dividend_rate: float  # per year
    village_fund: float  # yuan per poor village-year
    collective_return: float  # per year


@dataclass(frozen=True, slots=True)
class MedicalSection:
    """``medical.toml``."""
    basic_deductible: float  # yuan
    basic_rate: float  # share
    basic_cap: float  # yuan per year
    poor_rate_bonus: float  # share
    poor_rate_bonus_from_year: int  # year
    chronic_outpatient_rate: float  # share
    chronic_outpatient_cap: float  # yuan per year
    dabing_deductible: float  # yuan
    dabing_deductible_poor: float  # yuan
    dabing_poor_from_year: int  # year
    dabing_rate1: float  # share
    dabing_rate2: float  # share
    dabing_rate3: float  # share
    dabing_tier1: float  # yuan
    dabing_tier2: float  # yuan
    dabing_cap: float  # yuan per year
    dabing_includes_chronic: bool
    dabing_chronic_cap: float  # yuan per year
    assistance_rate: float  # share
    assistance_deductible: float  # yuan
    assistance_cap: float  # yuan per year
    oop_cap_enabled: bool
    oop_cap: float  # yuan per year
    poor_noncompliant_to_hospital: bool
    noncompliant_share: float  # share
    enabled: bool
    start_year: int  # year
    end_year: int  # year
    enrolment_poor: float  # share
    premium_per_person: float  # yuan per person-year
    premium_subsidy_share: float  # share


@dataclass(frozen=True, slots=True)
class MotivationSection:
    """``motivation.toml``."""
    enabled: bool
    start_year: int  # year
    end_year: int  # year
    effort_elasticity: float  # share
    hiding_share: float  # share
    hiding_fraction: float  # share
    fuzhi_reach: float  # per year
    fuzhi_effect: float  # share
    fuzhi_cost: float  # yuan per household reached


@dataclass(frozen=True, slots=True)
class PensionSection:
    """``pension.toml``."""
    enabled: bool
    start_year: int  # year
    end_year: int  # year


@dataclass(frozen=True, slots=True)
class PopulationSection:
    """``population.toml``."""
    wubao_two_person_share: float  # share
    near_poor_mean_size: float  # people
    role_share_labour: float  # share
    role_share_disabled: float  # share
    role_share_elderly: float  # share
    role_share_preschool: float  # share
    role_share_compulsory: float  # share
    role_share_highschool: float  # share
    role_share_vocational: float  # share
    role_share_college: float  # share
    chronic_share: float  # share
    chronic_share_elderly_extra: float  # share
    income_ratio_median: float  # ratio
    income_ratio_sigma: float  # log
    near_poor_income_ratio_median: float  # ratio
    near_poor_income_ratio_sigma: float  # log
    transfer_share_dibao: float  # share
    transfer_share_fupin_dibao: float  # share
    transfer_share_fupin: float  # share
    transfer_share_near_poor: float  # share
    wubao_support_ratio: float  # ratio
    wubao_other_income_share: float  # share
    wage_share_of_earned: float  # share
    migrant_share_of_wage: float  # share
    property_share_of_earned: float  # share
    housing_c_share: float  # share
    housing_d_share: float  # share
    housing_c_share_near_poor: float  # share
    housing_d_share_near_poor: float  # share
    insurance_enrolment: float  # share
    dropout_share: float  # share
    role_share_nolabour_disabled: float  # share
    role_share_nolabour_elderly: float  # share
    student_share_highschool: float  # share
    student_share_vocational: float  # share
    student_share_college: float  # share
    registry_wubao_transfer_cap: float  # share of gross income
    max_household_size: int  # people
    unmodelled_village_spread: float  # share
    poor_village_concentration: float  # gamma shape


@dataclass(frozen=True, slots=True)
class PressureSection:
    """``pressure.toml``."""
    enabled: bool
    strength: float  # share of target


@dataclass(frozen=True, slots=True)
class RelocationSection:
    """``relocation.toml``."""
    enabled: bool
    start_year: int  # year
    end_year: int  # year
    households_per_year: int  # households
    cost_per_person: float  # yuan per person
    farm_income_loss: float  # share
    job_placement_rate: float  # share
    job_wage: float  # yuan per year


@dataclass(frozen=True, slots=True)
class ShocksSection:
    """``shocks.toml``."""
    disaster_rate: float  # per village-year
    disaster_severity_a: float
    disaster_severity_b: float
    job_loss_rate: float  # per year
    job_loss_max_months: int  # months
    price_sigma: float  # log
    business_failure_rate: float  # per year
    business_failure_loss: float  # share
    disaster_household_spread: float  # share


@dataclass(frozen=True, slots=True)
class TargetingSection:
    """``targeting.toml``."""
    by_cause: bool  # bool


@dataclass(frozen=True, slots=True)
class VillageSection:
    """``village.toml``."""
    collective_income_median_poor: float  # yuan per year
    collective_income_median_other: float  # yuan per year
    collective_income_sigma: float  # log
    collective_income_min: float  # yuan per year


@dataclass(frozen=True, slots=True)
class WorkReliefSection:
    """``work_relief.toml``."""
    enabled: bool
    start_year: int  # year
    end_year: int  # year
    investment: float  # yuan per poor village-year
    wage_share: float  # share
    wage: float  # yuan per participant-year


@dataclass(frozen=True, slots=True)
class Params:
    """Every catalog section, typed."""

    after_exit: AfterExitSection
    assessment: AssessmentSection
    credit: CreditSection
    demography: DemographySection
    dibao: DibaoSection
    education: EducationSection
    employment: EmploymentSection
    health: HealthSection
    housing: HousingSection
    income: IncomeSection
    industry: IndustrySection
    medical: MedicalSection
    motivation: MotivationSection
    pension: PensionSection
    population: PopulationSection
    pressure: PressureSection
    relocation: RelocationSection
    shocks: ShocksSection
    targeting: TargetingSection
    village: VillageSection
    work_relief: WorkReliefSection


# each section's name (the TOML file's stem) and its class
SECTIONS: dict[str, type] = {
    "after_exit": AfterExitSection,
    "assessment": AssessmentSection,
    "credit": CreditSection,
    "demography": DemographySection,
    "dibao": DibaoSection,
    "education": EducationSection,
    "employment": EmploymentSection,
    "health": HealthSection,
    "housing": HousingSection,
    "income": IncomeSection,
    "industry": IndustrySection,
    "medical": MedicalSection,
    "motivation": MotivationSection,
    "pension": PensionSection,
    "population": PopulationSection,
    "pressure": PressureSection,
    "relocation": RelocationSection,
    "shocks": ShocksSection,
    "targeting": TargetingSection,
    "village": VillageSection,
    "work_relief": WorkReliefSection,
}


def typed(values: dict[str, object]) -> Params:
    """The resolved flat values (defaults and overrides, by full name) as one :class:`Params`."""
    return Params(**{name: cls(**section(values, name)) for name, cls in SECTIONS.items()})
