"""A case's risk explained in plain Swedish, from the model's own
contributions.

The regression sees some facts through more than one feature: age as a band
and in years, the diagnosis as a code, a group and a chapter, earlier sick
leave as counts and lengths. Explained feature by feature, one fact could
both raise and lower the risk ("ålder (50-59): sänker" beside "ålder i år
(59): höjer"). So the contributions of the features of one fact are added up
first (a sum of the model's own log-odds terms, nothing invented), and the
facts are ranked by the size of that sum.
"""

from __future__ import annotations

from collections.abc import Mapping

# The facts a coordinator or doctor reads, each with the features that carry it.
FACTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("age", ("age", "age_band")),
    ("sex", ("sex",)),
    ("diagnosis", ("diagnosis", "diagnosis_group", "chapter")),
    ("secondary", ("secondary_diagnoses",)),
    ("degree", ("degree_at_start",)),
    ("occupation", ("occupation",)),
    ("unit_kind", ("unit_kind",)),
    ("care_provider", ("care_provider",)),
    ("previous_long", ("previous_long", "previous_long_days")),
    ("previous", ("previous_12m", "previous_12m_days", "cases_3y")),
)

OCCUPATIONS = {
    "CURRENT_JOB": "i arbete",
    "JOB_SEEKER": "arbetssökande",
    "PARENTAL_LEAVE": "föräldraledig",
    "STUDIES": "studerande",
}
UNIT_KINDS = {
    "primary care": "vårdcentral",
    "psychiatry": "psykiatrisk mottagning",
    "hospital clinic": "sjukhusklinik",
    "other": "annan vårdenhet",
}
SEXES = {"F": "kvinna", "M": "man"}


def _days(n: int) -> str:
    return "1 dag" if n == 1 else f"{n} dagar"


def _cases(n: int) -> str:
    return "1 tidigare sjukfall" if n == 1 else f"{n} tidigare sjukfall"


def describe(fact: str, row: Mapping[str, str | int]) -> str:
    """The fact as it stands for this case, e.g. "arbetssökande"."""
    if fact == "age":
        return f"ålder {row['age']} år"
    if fact == "sex":
        return SEXES.get(str(row["sex"]), "kön okänt")
    if fact == "diagnosis":
        return f"diagnos {row['diagnosis']}"
    if fact == "secondary":
        n = int(row["secondary_diagnoses"])
        return "ingen bidiagnos" if n == 0 else "1 bidiagnos" if n == 1 else f"{n} bidiagnoser"
    if fact == "degree":
        return f"sjukskrivning på {row['degree_at_start']} % vid start"
    if fact == "occupation":
        code = str(row["occupation"])
        return OCCUPATIONS.get(code, "sysselsättning okänd")
    if fact == "unit_kind":
        return f"intyget skrivet vid {UNIT_KINDS.get(str(row['unit_kind']), 'annan vårdenhet')}"
    if fact == "care_provider":
        return "vårdgivaren"
    if fact == "previous_long":
        days = int(row["previous_long_days"])
        if days <= 0:
            return "inget sjukfall över 14 dagar de senaste 12 månaderna"
        return f"sjukfall på {_days(days)} de senaste 12 månaderna"
    if fact == "previous":
        recent, three_years = int(row["previous_12m"]), int(row["cases_3y"])
        if recent == 0 and three_years == 0:
            return "inga tidigare sjukfall de senaste tre åren"
        return f"{_cases(recent)} senaste 12 månaderna, {three_years} senaste tre åren"
    raise ValueError(f"unknown fact {fact!r}")


def by_fact(contributions: Mapping[str, float]) -> dict[str, float]:
    """The contributions of each fact: the sum over its features (features the
    model does not have count nothing)."""
    return {fact: sum(contributions.get(name, 0.0) for name in names) for fact, names in FACTS}


def texts(
    contributions: Mapping[str, float], row: Mapping[str, str | int], top: int = 3
) -> tuple[str, ...]:
    """The ``top`` facts that raise or lower this case's risk the most, e.g.
    ("arbetssökande: höjer", …). ``contributions`` is per
    feature, on the regression's log-odds scale, against the diagnosis's
    average case; ``row`` the case's completed features."""
    summed = by_fact(contributions)
    ranked = sorted(
        (fact for fact in summed if abs(summed[fact]) > 1e-9),
        key=lambda fact: abs(summed[fact]),
        reverse=True,
    )
    return tuple(
        f"{describe(fact, row)}: {'höjer' if summed[fact] > 0 else 'sänker'}"
        for fact in ranked[:top]
    )
