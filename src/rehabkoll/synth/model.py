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

import numpy as np
import numpy.typing as npt
from scipy.special import expit, logit, ndtr

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
BASE_RATE_WOMEN = 0.077
BASE_RATE_MEN = 0.0465
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
        share_women=0.36,
        share_men=0.27,
        age_weight=_MID,
        short_median=90.0,
        short_sigma=0.6,
        long_probability=0.28,
        long_median=540.0,
        long_sigma=0.9,
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
        share_women=0.15,
        share_men=0.19,
        age_weight=_RISING,
        short_median=60.0,
        short_sigma=0.6,
        long_probability=0.09,
        long_median=540.0,
        long_sigma=0.9,
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
            ("M19.9", 2.0),
            ("M53.1", 2.0),
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
        long_median=540.0,
        long_sigma=0.9,
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
        long_median=540.0,
        long_sigma=0.9,
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
        long_median=540.0,
        long_sigma=0.9,
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
        long_median=540.0,
        long_sigma=0.9,
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
        long_median=540.0,
        long_sigma=0.9,
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

# --- How long a case lasts (model; docs/synthetic-data.md, "Case length").
# A case's *index* s is the sum of its diagnosis's offset (CODE_OFFSETS), the
# effects below of what is known when it starts, and an unobserved individual
# factor u ~ N(0, UNOBSERVED_SD²). Its group's two log-normal components are
# both shifted by s (a longer or shorter case, as in an accelerated failure
# time model), and the chance of the long component is expit(logit(long
# probability) + LONG_INDEX_WEIGHT · s). ``length_survival`` gives P(length >
# d | s) exactly, so the truth file can state the probabilities.
AGE_EFFECT_PER_YEAR = 0.012
"""Per year of age from AGE_CENTRE (older people's cases last longer)."""
AGE_CENTRE = 40
WOMEN_EFFECT = 0.10
OCCUPATIONS = ("CURRENT_JOB", "JOB_SEEKER", "PARENTAL_LEAVE", "STUDIES")
OCCUPATION_SHARES_WOMEN = (0.84, 0.09, 0.04, 0.03)
OCCUPATION_SHARES_MEN = (0.87, 0.10, 0.01, 0.02)
OCCUPATION_EFFECT = (0.0, 0.45, 0.10, -0.20)
"""Job seekers' cases last longer (as in SRS's models)."""
PART_TIME_START_EFFECT = -0.35
"""A case that starts part-time (degree below 100 %) is shorter."""
UNIT_KINDS = ("primary care", "psychiatry", "hospital clinic")
UNIT_KIND_EFFECT = (0.0, 0.30, 0.15)
"""By the kind of unit that writes the first certificate."""
CLINIC_START_SHARE = {"F": 0.12, "S": 0.35, "C": 0.5, "O": 0.35, "I": 0.4, "G": 0.3}
"""Chance that a case of the group starts at its clinic rather than in primary care."""
PREVIOUS_DAYS_BOUNDS = (90, 180)
PREVIOUS_EFFECT = (0.0, 0.45, 0.75, 1.05)
"""By the length of the person's most recent earlier case of more than 14
days that ended in the 12 months before this one started: none, 15–90,
91–180, more than 180 days. The strongest single predictor, as in SRS."""
PREVIOUS_WINDOW_DAYS = 365
UNOBSERVED_SD = 0.6
"""The individual factor no certificate shows (work situation, motivation …)."""
LONG_INDEX_WEIGHT = 1.0
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


# --- Share of cases longer than 14 days that last more than 90 days, per
# three-character code. SRS: "genomsnittlig risk" as SRS shows it to doctors
# (Inera, sklintyg/srs, SRS_indata.xlsx, sheet SRS_DIAGNOSER, 2019; the same
# figures as ../shared/data/srs/long-case-share.csv). The others are this
# project's assumptions, set beside the nearest published code of the group
# (docs/synthetic-data.md lists them).
SRS_LONG_SHARE: dict[str, float] = {
    "F31": 0.65, "F32": 0.52, "F33": 0.52, "F41": 0.48, "F43": 0.37,
    "G56": 0.09, "I63": 0.84, "M16": 0.59, "M17": 0.53, "M19": 0.46,
    "M23": 0.21, "M51": 0.46, "M53": 0.46, "M54": 0.26, "M75": 0.25,
    "M77": 0.21, "M79": 0.37, "R52": 0.35, "R53": 0.35, "S52": 0.17,
    "S62": 0.11, "S82": 0.31, "S83": 0.23,
}  # fmt: skip
ASSUMED_LONG_SHARE: dict[str, float] = {
    "F10": 0.45, "F20": 0.70, "F60": 0.55, "F90": 0.45,
    "M65": 0.20,
    "S06": 0.25, "S42": 0.30, "S72": 0.60, "S93": 0.12,
    "C18": 0.75, "C34": 0.85, "C43": 0.35, "C50": 0.80, "C53": 0.75, "C61": 0.50,
    "C64": 0.60, "C71": 0.90,
    "G35": 0.55, "G40": 0.35, "G43": 0.15, "G44": 0.20, "G47": 0.35, "G93": 0.60,
    "I10": 0.20, "I21": 0.45, "I25": 0.40, "I48": 0.25, "I50": 0.55,
    "O20": 0.20, "O21": 0.35, "O26": 0.40, "O99": 0.35,
    "R07": 0.15, "R10": 0.15, "R42": 0.20, "R51": 0.20,
    "B34": 0.05, "D50": 0.20, "E11": 0.30, "H81": 0.12, "J06": 0.03, "J18": 0.12,
    "J45": 0.15, "K35": 0.05, "K58": 0.20, "K80": 0.08, "L40": 0.25, "N39": 0.05,
    "U07": 0.25,
}  # fmt: skip
LONG_SHARE = {**ASSUMED_LONG_SHARE, **SRS_LONG_SHARE}

CODE_OFFSETS: dict[str, float] = {
    "B34": -4.598,
    "C18": -0.25,
    "C34": 0.14,
    "C43": -1.523,
    "C50": -0.061,
    "C53": -0.254,
    "C61": -1.019,
    "C64": -0.673,
    "C71": 0.418,
    "D50": -0.508,
    "E11": 0.125,
    "F10": -0.623,
    "F20": 0.037,
    "F31": -0.086,
    "F32": -0.423,
    "F33": -0.414,
    "F41": -0.53,
    "F43": -0.839,
    "F60": -0.337,
    "F90": -0.604,
    "G35": 0.225,
    "G40": -0.574,
    "G43": -1.929,
    "G44": -1.429,
    "G47": -0.583,
    "G56": -2.716,
    "G93": 0.382,
    "H81": -1.553,
    "I10": -1.331,
    "I21": -0.253,
    "I25": -0.39,
    "I48": -1.144,
    "I50": 0.009,
    "I63": 1.084,
    "J06": -5.167,
    "J18": -1.554,
    "J45": -1.02,
    "K35": -4.556,
    "K58": -0.474,
    "K80": -3.698,
    "L40": -0.124,
    "M16": 0.284,
    "M17": 0.146,
    "M19": -0.058,
    "M23": -0.813,
    "M51": -0.029,
    "M53": -0.047,
    "M54": -0.607,
    "M65": -0.852,
    "M75": -0.649,
    "M77": -0.804,
    "M79": -0.269,
    "N39": -4.624,
    "O20": -0.508,
    "O21": -0.034,
    "O26": 0.074,
    "O99": -0.058,
    "R07": -1.551,
    "R10": -1.63,
    "R42": -1.1,
    "R51": -1.066,
    "R52": -0.175,
    "R53": -0.212,
    "S06": -0.413,
    "S42": -0.248,
    "S52": -0.797,
    "S62": -1.229,
    "S72": 0.634,
    "S82": -0.18,
    "S83": -0.505,
    "S93": -1.161,
    "U07": -0.16,
}
"""Per three-character code, the offset of its cases' index that makes the
generated share match LONG_SHARE; found by ``python -m
rehabkoll.synth.tuning`` (which prints this table)."""


def length_survival(
    days: float,
    index: npt.NDArray[np.float64],
    group: npt.NDArray[np.int8],
) -> npt.NDArray[np.float64]:
    """P(length > ``days`` | index s) for cases of the given groups: the
    two-component model with both medians shifted by s and the long share
    expit(logit p + LONG_INDEX_WEIGHT · s)."""
    table = _GROUP_TABLE[group]
    short_median, short_sigma, long_p, long_median, long_sigma = table.T
    log_days = math.log(days)
    pi = expit(logit(long_p) + LONG_INDEX_WEIGHT * index)
    short = ndtr((np.log(short_median) + index - log_days) / short_sigma)
    long = ndtr((np.log(long_median) + index - log_days) / long_sigma)
    result: npt.NDArray[np.float64] = (1.0 - pi) * short + pi * long
    return result


_GROUP_TABLE = np.array(
    [
        (g.short_median, g.short_sigma, max(g.long_probability, 1e-6), g.long_median, g.long_sigma)
        for g in GROUPS
    ]
)
