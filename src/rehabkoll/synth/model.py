"""The documented model behind ``rehabkoll synth``: every figure it uses, as a
constant, with where it comes from.

Two kinds of figure live here. *Published* figures (Försäkringskassan, SCB) are
the targets the model is calibrated to; they are named ``TARGET_*`` or say
their source. *Model* figures (rates, length distributions, how often a
certificate is replaced …) are this project's own choices, tuned so that a
generated region reproduces the published figures; docs/synthetic-data.md
explains each and the calibration tests check the result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# --- Published targets (Försäkringskassan's statistics on sjukpenning, rounded
# as issue 3 gives them; see docs/synthetic-data.md for the sources and years).
TARGET_WOMEN_SHARE_OF_ONGOING = 0.65
TARGET_PSYCHIATRIC_SHARE_OF_ONGOING = 0.48
TARGET_MUSCULOSKELETAL_SHARE_OF_ONGOING = 0.17
TARGET_OVER_365_SHARE_OF_ONGOING = (0.35, 0.40)
TARGET_ON_SICK_LEAVE_SHARE = 0.028
TARGET_NET_DAYS_PER_INSURED_YEAR = (8.0, 13.0)
TARGET_NEW_CASES_PER_INSURED_YEAR = 0.05

# --- The insured population (16–64 years), after SCB's population statistics.
WOMEN_SHARE_OF_INSURED = 0.49
"""SCB: men slightly outnumber women aged 16–64 (about 51 %)."""

AGE_BANDS: tuple[tuple[int, int, float], ...] = (
    # (first age, last age, share of the insured), approximately after SCB 2023
    (16, 19, 0.075),
    (20, 24, 0.105),
    (25, 29, 0.115),
    (30, 34, 0.115),
    (35, 39, 0.110),
    (40, 44, 0.105),
    (45, 49, 0.100),
    (50, 54, 0.100),
    (55, 59, 0.095),
    (60, 64, 0.080),
)

# --- New cases (model). Yearly rate of new cases per insured person by sex,
# times an age factor (young people rarely qualify for sjukpenning).
BASE_RATE_WOMEN = 0.068
BASE_RATE_MEN = 0.041
AGE_RATE_FACTOR: tuple[float, ...] = (0.35, 0.70, 0.90, 1.00, 1.10, 1.15, 1.15, 1.15, 1.15, 1.05)
"""One factor per entry of AGE_BANDS."""

RECURRENCE_DELAY_DAYS = (45, 270)
"""A recurrence starts this many days after the earlier case ended."""
MIN_DAYS_BETWEEN_CASES = 14
"""A person's next case starts at least this long after the previous one ended;
a drawn case that would start earlier is dropped (the person is already off sick)."""
MAX_CASE_DAYS = 1826
"""Five years: the longest case the model makes (and the history it generates
before the requested window, so that cases ongoing at its start are complete)."""
MIN_CASE_DAYS = 7


@dataclass(frozen=True, slots=True)
class DiagnosisGroup:
    """One ICD-10 chapter (or group of chapters) of the model."""

    key: str
    label: str
    share_women: float
    """Share of women's new cases in this group (before the age weights)."""
    share_men: float
    age_weight: tuple[float, ...]
    """Relative weight per entry of AGE_BANDS."""
    short_median: float
    short_sigma: float
    long_probability: float
    """Chance that a case belongs to the long-lasting component."""
    long_median: float
    long_sigma: float
    recurrence: float
    """Chance that a case is followed by a recurrence months later."""
    codes: tuple[tuple[str, float], ...]
    """ICD-10-SE main diagnoses and their relative weights."""
    secondary: tuple[str, ...] = ()


_FLAT = (1.0,) * 10
_RISING = (0.4, 0.5, 0.6, 0.7, 0.85, 1.0, 1.2, 1.45, 1.7, 1.9)
_STEEP = (0.1, 0.15, 0.25, 0.35, 0.5, 0.75, 1.1, 1.6, 2.2, 2.8)
_CHILDBEARING = (0.1, 0.8, 1.8, 2.3, 1.6, 0.5, 0.05, 0.0, 0.0, 0.0)
_MID = (0.7, 1.0, 1.15, 1.15, 1.1, 1.05, 1.0, 0.95, 0.85, 0.75)

GROUPS: tuple[DiagnosisGroup, ...] = (
    DiagnosisGroup(
        key="F",
        label="Psychiatric (F00–F99)",
        share_women=0.3,
        share_men=0.22,
        age_weight=_MID,
        short_median=70.0,
        short_sigma=1.0,
        long_probability=0.28,
        long_median=660.0,
        long_sigma=0.5,
        recurrence=0.12,
        codes=(
            ("F43.8A", 30.0),  # utmattningssyndrom, the Swedish extension code
            ("F43.2", 12.0),
            ("F43.9", 6.0),
            ("F32.1", 9.0),
            ("F32.0", 5.0),
            ("F32.9", 4.0),
            ("F33.1", 5.0),
            ("F33.0", 2.0),
            ("F41.1", 5.0),
            ("F41.2", 5.0),
            ("F41.9", 4.0),
            ("F43.1", 3.0),
            ("F90.0", 2.0),
            ("F31.9", 1.0),
            ("F10.2", 1.0),
            ("F60.3", 0.5),
            ("F20.9", 0.5),
        ),
        secondary=("F51.0", "Z73.0", "Z56.3", "F41.9"),
    ),
    DiagnosisGroup(
        key="M",
        label="Musculoskeletal (M00–M99)",
        share_women=0.17,
        share_men=0.22,
        age_weight=_RISING,
        short_median=45.0,
        short_sigma=1.0,
        long_probability=0.09,
        long_median=660.0,
        long_sigma=0.5,
        recurrence=0.10,
        codes=(
            ("M54.5", 14.0),
            ("M54.4", 6.0),
            ("M54.2", 6.0),
            ("M75.1", 8.0),
            ("M75.4", 4.0),
            ("M51.1", 7.0),
            ("M17.9", 6.0),
            ("M16.9", 4.0),
            ("M79.7", 4.0),
            ("M77.1", 4.0),
            ("M23.2", 3.0),
            ("M65.3", 2.0),
            ("M79.1", 3.0),
        ),
        secondary=("M79.1", "F43.8A", "R52.9"),
    ),
    DiagnosisGroup(
        key="S",
        label="Injuries (S00–T98)",
        share_women=0.06,
        share_men=0.10,
        age_weight=_FLAT,
        short_median=45.0,
        short_sigma=0.7,
        long_probability=0.08,
        long_median=600.0,
        long_sigma=0.5,
        recurrence=0.02,
        codes=(
            ("S82.6", 5.0),
            ("S82.5", 2.0),
            ("S52.5", 5.0),
            ("S83.5", 4.0),
            ("S42.2", 3.0),
            ("S93.4", 3.0),
            ("S06.0", 2.0),
            ("S62.6", 2.0),
            ("S72.0", 1.0),
        ),
    ),
    DiagnosisGroup(
        key="C",
        label="Tumours (C00–D48)",
        share_women=0.035,
        share_men=0.025,
        age_weight=_STEEP,
        short_median=120.0,
        short_sigma=0.8,
        long_probability=0.35,
        long_median=500.0,
        long_sigma=0.5,
        recurrence=0.05,
        codes=(
            ("C50.9", 10.0),
            ("C61", 4.0),
            ("C18.9", 3.0),
            ("C43.9", 2.0),
            ("C34.9", 2.0),
            ("C64", 1.0),
            ("C53.9", 1.0),
            ("C71.9", 1.0),
        ),
    ),
    DiagnosisGroup(
        key="G",
        label="Nervous system (G00–G99)",
        share_women=0.03,
        share_men=0.025,
        age_weight=_MID,
        short_median=40.0,
        short_sigma=1.0,
        long_probability=0.18,
        long_median=660.0,
        long_sigma=0.5,
        recurrence=0.08,
        codes=(
            ("G43.9", 3.0),
            ("G93.3", 3.0),
            ("G35", 2.0),
            ("G56.0", 3.0),
            ("G47.3", 1.0),
            ("G40.9", 1.0),
            ("G44.2", 1.0),
        ),
    ),
    DiagnosisGroup(
        key="I",
        label="Circulatory (I00–I99)",
        share_women=0.012,
        share_men=0.035,
        age_weight=_STEEP,
        short_median=50.0,
        short_sigma=0.9,
        long_probability=0.15,
        long_median=600.0,
        long_sigma=0.5,
        recurrence=0.05,
        codes=(
            ("I21.9", 4.0),
            ("I63.9", 3.0),
            ("I48.9", 2.0),
            ("I25.1", 2.0),
            ("I10", 1.0),
            ("I50.9", 1.0),
        ),
    ),
    DiagnosisGroup(
        key="O",
        label="Pregnancy (O00–O99)",
        share_women=0.07,
        share_men=0.0,
        age_weight=_CHILDBEARING,
        short_median=60.0,
        short_sigma=0.6,
        long_probability=0.0,
        long_median=100.0,
        long_sigma=0.3,
        recurrence=0.0,
        codes=(("O26.8", 6.0), ("O26.7", 3.0), ("O99.8", 2.0), ("O21.0", 1.0), ("O20.0", 1.0)),
    ),
    DiagnosisGroup(
        key="R",
        label="Symptoms (R00–R99)",
        share_women=0.07,
        share_men=0.065,
        age_weight=_FLAT,
        short_median=30.0,
        short_sigma=1.0,
        long_probability=0.12,
        long_median=660.0,
        long_sigma=0.5,
        recurrence=0.08,
        codes=(
            ("R53.9", 4.0),
            ("R52.9", 3.0),
            ("R51", 2.0),
            ("R42", 2.0),
            ("R10.4", 1.0),
            ("R07.4", 1.0),
        ),
    ),
    DiagnosisGroup(
        key="X",
        label="Other diagnoses",
        share_women=0.213,
        share_men=0.275,
        age_weight=_FLAT,
        short_median=21.0,
        short_sigma=0.9,
        long_probability=0.08,
        long_median=660.0,
        long_sigma=0.5,
        recurrence=0.04,
        codes=(
            ("J06.9", 4.0),
            ("J18.9", 2.0),
            ("U07.1", 2.0),
            ("J45.9", 1.0),
            ("K35.8", 2.0),
            ("K80.2", 2.0),
            ("K58.9", 1.0),
            ("E11.9", 1.0),
            ("H81.1", 1.0),
            ("B34.9", 2.0),
            ("N39.0", 1.0),
            ("D50.9", 0.5),
            ("L40.0", 0.5),
        ),
    ),
)

GROUP_KEYS = tuple(g.key for g in GROUPS)

# --- How lengths vary with age, sex and occupation (model): both components'
# medians are multiplied by the length factor, the long-case chance by the
# long factor (capped at 0.9).
AGE_LENGTH_FACTOR: tuple[float, ...] = (0.8, 0.85, 0.9, 0.95, 1.0, 1.0, 1.05, 1.1, 1.15, 1.2)
AGE_LONG_FACTOR: tuple[float, ...] = (0.5, 0.6, 0.75, 0.9, 1.0, 1.05, 1.15, 1.3, 1.45, 1.55)
WOMEN_LONG_FACTOR = 1.1
MEN_LONG_FACTOR = 0.95

OCCUPATIONS = ("CURRENT_JOB", "JOB_SEEKER", "PARENTAL_LEAVE", "STUDIES")
OCCUPATION_SHARES_WOMEN = (0.84, 0.09, 0.04, 0.03)
OCCUPATION_SHARES_MEN = (0.87, 0.10, 0.01, 0.02)
OCCUPATION_LONG_FACTOR = (1.0, 1.5, 1.1, 0.8)
YOUNG_STUDIES_SHARE = 0.15
"""Under 25, this share of new cases has STUDIES as occupation."""
SECOND_OCCUPATION_SHARE = 0.01
SECONDARY_DIAGNOSIS_SHARE = 0.2

# --- Certificates (model).
FIRST_CERTIFICATE_DAYS = (7, 28)
"""The first certificate covers 1–4 weeks."""
EXTENSION_DAYS = (14, 56)
"""Each extension covers 2–8 weeks."""
GAP_SHARE = 0.04
"""Share of extensions that leave 1–4 uncovered days before them (within the default gap)."""
FIRST_DEGREES = ((100, 0.88), (75, 0.03), (50, 0.08), (25, 0.01))
STEP_DOWN_SHARE = 0.05
"""Share of extensions after the first month that lower the degree one step."""
STEP_UP_SHARE = 0.35
"""Share of extensions that raise a part-time degree again (a setback)."""
RETURN_PHASE_DAYS = 42
RETURN_STEP_DOWN_SHARE = 0.25
"""In a case's last six weeks, the share of extensions that lower the degree
(a gradual return to work)."""
SPLIT_CERTIFICATE_SHARE = 0.08
"""Share of extensions that step down inside the certificate (two periods)."""
UNIT_CHANGE_SHARE = {"F": 0.25, "C": 0.6, "S": 0.3, "O": 0.3, "I": 0.3, "G": 0.3}
"""Chance per case (long enough) that care moves from primary care to a clinic."""
SAME_DOCTOR_SHARE = 0.75
REPLACED_SHARE = 0.01
"""Share of certificates later replaced by a corrected one (ersatt)."""
REVOKED_REPLACEMENT_SHARE = 0.1
"""Share of replacements that are themselves revoked (the original counts again)."""
REVOKED_SHARE = 0.005
"""Share of certificates accompanied by a mistaken duplicate that is revoked."""
TEST_CERTIFICATES_PER_10000 = 10.0
"""Test certificates (on the region's test patients) per 10,000 certificates."""
COORDINATION_NUMBER_SHARE = 0.015
"""Share of people with a samordningsnummer instead of a personnummer."""

# --- Care units (model): how many per insured person.
INSURED_PER_PRIMARY_CARE_CENTRE = 5500
INSURED_PER_PSYCHIATRIC_CLINIC = 60000
INSURED_PER_HOSPITAL = 150000
DOCTORS_PER_PRIMARY_CARE_CENTRE = (3, 8)
DOCTORS_PER_CLINIC = (6, 14)


def normal_sf(z: float) -> float:
    """P(Z > z) for a standard normal Z."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def over_days_probability(
    days: float,
    *,
    short_median: float,
    short_sigma: float,
    long_probability: float,
    long_median: float,
    long_sigma: float,
) -> float:
    """P(length > days) under the two-component log-normal length model."""
    short = normal_sf((math.log(days) - math.log(short_median)) / short_sigma)
    long = normal_sf((math.log(days) - math.log(long_median)) / long_sigma)
    return (1.0 - long_probability) * short + long_probability * long
