"""The catalog as typed objects: one frozen class per catalog section, one field per parameter.

:func:`typed` turns the resolved flat values (``{"after_exit.transition_years": 3, ...}``) into a
:class:`Params`, so code reads ``p.after_exit.transition_years`` and a reader (or a type checker)
can follow a value from its TOML table to every use. The levers' sections are in
:mod:`~tuopin.parameters.lever_sections`, the model's own here. The classes are written out, not
generated at import; ``tests/test_typed_params.py`` checks that they match the TOML files key for key and
type for type. Values keep their catalog type (floats stay floats, whole numbers ints).
"""

from __future__ import annotations

from dataclasses import dataclass

from .lever_sections import (CreditSection, DibaoSection, EducationSection, EmploymentSection, HousingSection,
                             IndustrySection, MedicalSection, MotivationSection, PensionSection, RelocationSection,
                             WorkReliefSection)


@dataclass(frozen=True, slots=True)
class AfterExitSection:
    """``after_exit.toml``."""
    transition_years: int  # years
    medical_years: int  # years
    medical_until: int  # year
    education_years: int  # years
    education_until: int  # year
    pension_years: int  # years
    pension_until: int  # year
    housing_years: int  # years
    housing_until: int  # year
    relocation_years: int  # years
    relocation_until: int  # year
    industry_years: int  # years
    industry_until: int  # year
    employment_years: int  # years
    employment_until: int  # year
    credit_years: int  # years
    credit_until: int  # year


@dataclass(frozen=True, slots=True)
class AssessmentSection:
    """``assessment.toml``."""
    verification_sigma: float  # log
    verification_persistent_share: float  # share
    require_stable_source: bool
    require_pension: bool
    stable_income_threshold: float  # yuan per person-year
    stable_income_threshold_from_year: int  # year
    stable_income_threshold_from_month: int  # month
    relapse_detection: float  # share
    review_detection: float  # share
    review_from_year: int  # year
    review_to_year: int  # year
    monitoring_from_year: int  # year
    monitoring_detection: float  # share
    expenditure_share: float  # share of income
    new_poor_identification: float  # share
    village_incidence: float  # share
    village_incidence_west: float  # share
    relapse_on_application: bool  # bool


@dataclass(frozen=True, slots=True)
class CampaignSection:
    """``campaign.toml``."""
    funding_elasticity: float  # elasticity
    intensity_cap: float  # multiple of catalog take-up
    doudi_partial_labour_from_year: int  # year
    monitoring_line: float  # share of poverty line
    monitoring_capacity: float  # share of registered people


@dataclass(frozen=True, slots=True)
class DemographySection:
    """``demography.toml``."""
    labour_to_elderly_rate: float  # per labourer-year
    disability_onset_rate: float  # per labourer-year


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
    premium_per_person: float  # yuan per person-year
    premium_step: float  # yuan per person-year, per year
    premium_base_year: int  # year
    premium_assist_wubao: float  # share
    premium_assist_dibao: float  # share
    insurance_renewal: float  # share


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
    pension_renewal: float  # share
    basic_pension: float  # yuan per person-month
    basic_pension_raised: float  # yuan per person-month
    basic_pension_raised_from_year: int  # year


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
    net: bool


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
    focus: float  # allocation weight of a poor-village household (targeting.choose)
    batch_focus: float  # the same for a household in this year's batch of poor villages to exit
    deep_incidence: float  # share: a poor village at or above it is counted deep (annual.csv)
    growth_sigma: float  # log per year: spread of the village effect on local market income growth
    remoteness_correlation: float  # copula correlation of a poor village's remoteness with its start incidence rank
    level_sigma: float  # log: spread of the village effect on local market income levels and project returns


@dataclass(frozen=True, slots=True)
class Params:
    """Every catalog section, typed."""

    after_exit: AfterExitSection
    assessment: AssessmentSection
    campaign: CampaignSection
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
    "campaign": CampaignSection,
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
    """The resolved flat values (defaults and overrides, by full name) as one :class:`Params`: each
    section's values without their prefix (as :func:`tuopin.parameters.section` gives them), sorted
    in one pass (a model is built for every replicate)."""
    by_section: dict[str, dict[str, object]] = {name: {} for name in SECTIONS}
    for key, value in values.items():
        head, _, rest = key.partition(".")
        if head in by_section:
            by_section[head][rest] = value
    return Params(**{name: cls(**by_section[name]) for name, cls in SECTIONS.items()})
