"""Property tests: the interval arithmetic of ``measure`` equals the rule read
literally, day by day; and the engine never changes the values it is given."""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from rehabkoll.cases.engine import (
    CertificateRecord,
    Period,
    build_cases,
    measure,
    patient_view,
    work_list,
)

BASE = date(2016, 2, 20)  # near a leap day


@st.composite
def certificates(draw: st.DrawFn) -> list[CertificateRecord]:
    result = []
    for index in range(draw(st.integers(1, 6))):
        periods = []
        cursor = BASE + timedelta(days=draw(st.integers(0, 40)))
        for _ in range(draw(st.integers(1, 3))):
            length = draw(st.integers(1, 20))
            periods.append(
                Period(
                    cursor,
                    cursor + timedelta(days=length - 1),
                    draw(st.sampled_from((25, 50, 75, 100))),
                )
            )
            cursor += timedelta(days=length + draw(st.integers(0, 4)))
        signed = datetime(2016, 1, 1) + timedelta(hours=draw(st.integers(0, 5)))  # ties happen
        result.append(
            CertificateRecord(
                id=f"c-{index}",
                patient_id="p",
                care_provider_id="v",
                unit_id="u",
                doctor_id="d",
                signed_at=signed,
                periods=tuple(periods),
                diagnosis="F43.8A",
            )
        )
    return result


def day_by_day(certs: list[CertificateRecord]) -> tuple[int, float]:
    """The rule as written: every covered day once, at the degree of the most
    recently signed certificate covering it (ties: the larger id)."""
    degree: dict[date, tuple[tuple[datetime, str], int]] = {}
    for cert in certs:
        for period in cert.periods:
            day = period.start
            while day <= period.end:
                known = degree.get(day)
                if known is None or cert.recency > known[0]:
                    degree[day] = (cert.recency, period.degree)
                day += timedelta(days=1)
    return len(degree), round(sum(d for _, d in degree.values()) / 100, 2)


@settings(max_examples=300, deadline=None)
@given(certificates())
def test_measure_equals_the_day_by_day_rule(certs: list[CertificateRecord]) -> None:
    assert measure(certs) == day_by_day(certs)


@settings(max_examples=100, deadline=None)
@given(certificates(), st.integers(0, 60), st.integers(0, 14))
def test_the_engine_leaves_its_certificates_as_they_were(
    certs: list[CertificateRecord], days_on: int, recent: int
) -> None:
    # The work list service hands every call the same Period objects for the
    # same stored periods (service._periods remembers them across calls), so
    # no question to the engine may change a certificate or a period.
    before = copy.deepcopy(certs)
    as_of = BASE + timedelta(days=days_on)
    work_list(certs, unit_id="u", as_of=as_of, gap=0, recent=recent)
    patient_view(certs, patient_id="p", unit_id="u", as_of=as_of)
    build_cases(certs)
    assert certs == before  # the periods included
    assert [(c.start, c.end) for c in certs] == [(c.start, c.end) for c in before]
