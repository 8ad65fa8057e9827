"""The policy levers' catalog sections as typed classes (one per lever module in ``sim/policies``).

Kept apart from :mod:`tuopin.parameters.typed`, which holds the model's own sections and gathers
every section into :class:`~tuopin.parameters.typed.Params`; the same test checks both against the TOML.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CreditSection:
    """``credit.toml``."""
    enabled: bool
    start_year: int  # year
    start_month: int  # month
    end_year: int  # year
    take_up: float  # per year
    counties: int  # counties
    county_volume: float  # yuan per county
    volume_base_year: int  # year
    volume_growth_1: float  # share
    volume_growth_2: float  # share
    volume_growth_3: float  # share
    loan: float  # yuan
    term_years: int  # years
    interest_rate: float  # per year
    interest_subsidy_share: float  # share
    return_rate: float  # per year
    return_sd: float  # per year
    return_unsuited: float  # share
    default_rate: float  # per year
    risk_fund_share: float  # share


@dataclass(frozen=True, slots=True)
class DibaoSection:
    """``dibao.toml``."""
    enabled: bool
    start_year: int  # year
    start_month: int  # month
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
    start_month: int  # month
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
    start_month: int  # month
    end_year: int  # year
    training_take_up: float  # per year
    training_places_per_10k: float  # places per year per 10,000 registered people
    training_cost: float  # yuan per trainee
    training_wage_gain: float  # share
    training_gain_unsuited: float  # share
    placement_rate: float  # per year
    placement_jobs_per_10k: float  # jobs per year per 10,000 registered people
    placement_cost: float  # yuan per placement
    placement_wage: float  # yuan per year
    migrant_share: float  # share
    migrant_wage: float  # yuan per year
    separation_rate: float  # per year
    post_rate: float  # per year
    posts_per_10k: float  # posts per 10,000 registered people
    post_wage: float  # yuan per year
    ranger_posts: int  # posts
    ranger_wage: float  # yuan per year


@dataclass(frozen=True, slots=True)
class HousingSection:
    """``housing.toml``."""
    decay_rate_safe: float  # per year
    decay_rate_c: float  # per year
    self_repair_rate_registered: float  # per year
    self_repair_rate_other: float  # per year
    enabled: bool
    start_year: int  # year
    start_month: int  # month
    end_year: int  # year
    renovation_rate: float  # per year
    renovations_per_10k: float  # households per 10,000 registered households a year
    grant_d: float  # yuan per house
    grant_c: float  # yuan per house
    own_contribution: float  # share of grant


@dataclass(frozen=True, slots=True)
class IndustrySection:
    """``industry.toml``."""
    enabled: bool
    start_year: int  # year
    start_month: int  # month
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
    oop_cap_from_year: int  # year
    oop_cap_from_month: int  # month
    poor_noncompliant_to_hospital: bool
    self_pay_share: float  # share
    self_pay_share_from_year: int  # year
    self_pay_share_from_month: int  # month
    noncompliant_share: float  # share
    enabled: bool
    start_year: int  # year
    start_month: int  # month
    end_year: int  # year
    enrolment_poor: float  # share
    premium_subsidy_share: float  # share


@dataclass(frozen=True, slots=True)
class MotivationSection:
    """``motivation.toml``."""
    enabled: bool
    start_year: int  # year
    start_month: int  # month
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
    start_month: int  # month
    end_year: int  # year
    enrolment_poor: float  # share


@dataclass(frozen=True, slots=True)
class RelocationSection:
    """``relocation.toml``."""
    enabled: bool
    start_year: int  # year
    start_month: int  # month
    end_year: int  # year
    households_per_year: int  # households
    cost_per_person: float  # yuan per person
    farm_income_loss: float  # share
    job_placement_rate: float  # share
    job_wage: float  # yuan per year


@dataclass(frozen=True, slots=True)
class WorkReliefSection:
    """``work_relief.toml``."""
    enabled: bool
    start_year: int  # year
    start_month: int  # month
    end_year: int  # year
    investment: float  # yuan per poor village-year
    wage_share: float  # share
    wage: float  # yuan per participant-year
