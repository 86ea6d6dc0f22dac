"""The reference case engine on a date: the unit's work list, the lead
certificate and the patient view. Every test is a small example worked out by
hand; the comment shows the sum. Dates are in 2016 unless said otherwise.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

from rehabkoll.cases.engine import JSON_KEYS, CaseRow, CertificateRecord, patient_view, work_list
from tests.factories import OTHER_UNIT, UNIT, record


def on(day: str, certs: list[CertificateRecord], *, gap: int = 5, recent: int = 0) -> list[CaseRow]:
    """The unit's work list on ``day``."""
    return work_list(certs, unit_id=UNIT, as_of=date.fromisoformat(day), gap=gap, recent=recent)


def view(day: str, certs: list[CertificateRecord], *, patient: str = "p1") -> list[CaseRow]:
    """Patient ``patient``'s cases at the unit on ``day``."""
    return patient_view(certs, patient_id=patient, unit_id=UNIT, as_of=date.fromisoformat(day))


FEB_1_14 = record("c-1", [("2016-02-01", "2016-02-14", 100)])


# --- Who is on the list -----------------------------------------------------


def test_it_lists_a_patient_on_the_last_day_of_their_certificate() -> None:
    # Feb 1–14, on Feb 14: active, 0 days left
    (row,) = on("2016-02-14", [FEB_1_14])

    assert (row.patient_id, row.degree, row.days_left, row.recently_ended) == ("p1", 100, 0, False)


def test_it_leaves_out_a_patient_the_day_after_their_certificate_ends() -> None:
    assert on("2016-02-15", [FEB_1_14]) == []


def test_it_leaves_out_a_patient_whose_certificate_starts_after_the_day() -> None:
    assert on("2016-01-31", [FEB_1_14]) == []


def test_it_leaves_out_a_patient_on_a_day_between_two_periods_of_one_certificate() -> None:
    # Feb 1–7 and Feb 10–14: Feb 8 is not active, and the case has not ended
    # (it ends Feb 14), so not even a recently-ended window lists the patient
    cert = record("c-1", [("2016-02-01", "2016-02-07", 100), ("2016-02-10", "2016-02-14", 50)])

    assert on("2016-02-08", [cert]) == []
    assert on("2016-02-08", [cert], recent=2) == []
    (row,) = on("2016-02-10", [cert])
    assert (row.degree, row.days, row.net_days) == (50, 12, 9.5)  # 7 × 1 + 5 × 0.5


def test_it_leaves_out_a_patient_on_a_day_between_two_chained_certificates() -> None:
    # Feb 1–14 and Feb 18–28 chain with gap 5. On Feb 16 no certificate is active
    # and the case (ending Feb 28) has not ended: not listed, even with a window
    later = record("c-2", [("2016-02-18", "2016-02-28", 100)])

    assert on("2016-02-16", [FEB_1_14, later]) == []
    assert on("2016-02-16", [FEB_1_14, later], recent=2) == []


@pytest.mark.parametrize(
    ("as_of", "recent", "listed"),
    [
        # The case ends Feb 14. On Feb 15 it ended 1 day ago, on Feb 16 2 days ago.
        ("2016-02-15", 0, False),  # no window
        ("2016-02-15", 1, True),  # 1 day ago, window 1
        ("2016-02-16", 1, False),  # 2 days ago, window 1
        ("2016-02-16", 2, True),  # 2 days ago, window 2
        ("2016-02-17", 2, False),  # 3 days ago, window 2
    ],
)
def test_it_lists_a_recently_ended_case_only_within_the_window(
    as_of: str, recent: int, listed: bool
) -> None:
    rows = on(as_of, [FEB_1_14], recent=recent)

    assert len(rows) == int(listed)
    if listed:
        (row,) = rows
        ended_days_ago = (date.fromisoformat(as_of) - date(2016, 2, 14)).days
        assert row.recently_ended
        assert row.degree is None
        assert row.days_left == -ended_days_ago


def test_an_active_case_is_not_flagged_recently_ended_with_a_window() -> None:
    (row,) = on("2016-02-10", [FEB_1_14], recent=2)

    assert not row.recently_ended
    assert row.degree == 100


def test_a_recently_ended_case_is_listed_even_when_a_new_one_starts_after_the_day() -> None:
    # Case 1 Feb 1–14; case 2 Feb 25–28 (10 uncovered days). On Feb 15 with
    # window 1: case 2 has not started, case 1 ended yesterday → case 1 listed.
    later = record("c-2", [("2016-02-25", "2016-02-28", 100)])

    (row,) = on("2016-02-15", [FEB_1_14, later], recent=1)

    assert (row.start, row.end, row.certificates, row.recently_ended) == (
        date(2016, 2, 1),
        date(2016, 2, 14),
        1,
        True,
    )


def test_it_lists_the_case_containing_the_active_certificate() -> None:
    # Jan 1–10 is an earlier case (21 uncovered days). Feb 1–14 and Feb 18–28 chain
    # (3 uncovered days): on Feb 10 the case is Feb 1–28, 14 + 11 = 25 days, 2 certificates
    old = record("c-0", [("2016-01-01", "2016-01-10", 100)])
    later = record("c-2", [("2016-02-18", "2016-02-28", 100)])

    (row,) = on("2016-02-10", [old, FEB_1_14, later])

    assert (row.start, row.end, row.days, row.certificates) == (
        date(2016, 2, 1),
        date(2016, 2, 28),
        25,
        2,
    )
    # days_left runs to the end of the case, not of the active certificate: Feb 28 − Feb 10
    assert row.days_left == 18


def test_the_gap_setting_decides_which_certificates_the_listed_case_holds() -> None:
    # Feb 1–14 and Feb 18–28: 3 uncovered days. On Feb 20:
    # gap 5 → one case Feb 1–28 of 25 days; gap 0 → the case Feb 18–28 of 11 days
    later = record("c-2", [("2016-02-18", "2016-02-28", 100)])

    (wide,) = on("2016-02-20", [FEB_1_14, later], gap=5)
    (narrow,) = on("2016-02-20", [FEB_1_14, later], gap=0)

    assert (wide.start, wide.days, wide.certificates) == (date(2016, 2, 1), 25, 2)
    assert (narrow.start, narrow.days, narrow.certificates) == (date(2016, 2, 18), 11, 1)


# --- Two units --------------------------------------------------------------


def test_a_work_list_counts_only_the_units_own_certificates() -> None:
    # Same patient and care provider: Feb 1–14 at UNIT, Feb 15–28 at OTHER_UNIT.
    # They would chain, but each unit sees only its own certificate.
    here = FEB_1_14
    there = record(
        "c-2", [("2016-02-15", "2016-02-28", 50)], unit=OTHER_UNIT, signed_at="2016-02-14T08:00:00"
    )

    (mine,) = on("2016-02-10", [here, there])
    assert (mine.end, mine.days, mine.certificates, mine.unit_id) == (
        date(2016, 2, 14),
        14,
        1,
        UNIT,
    )

    (theirs,) = work_list([here, there], unit_id=OTHER_UNIT, as_of=date(2016, 2, 20))
    assert (theirs.start, theirs.days, theirs.net_days, theirs.certificates) == (
        date(2016, 2, 15),
        14,
        7.0,
        1,
    )

    # On Feb 20 UNIT's own certificate has ended, whatever the other unit wrote
    assert on("2016-02-20", [here, there]) == []
    (ended,) = on("2016-02-16", [here, there], recent=2)
    assert ended.recently_ended


# --- The lead certificate ---------------------------------------------------


def lead_case() -> list[CertificateRecord]:
    """A Feb 1–28 at 100 %, signed Feb 1 by D-A for F43.8A; B Feb 10–14 at 50 %
    and Feb 15–20 at 25 %, signed Feb 9 by D-B for M54.5."""
    a = record("a", [("2016-02-01", "2016-02-28", 100)], doctor="D-A", signed_at="2016-02-01")
    b = replace(
        record(
            "b",
            [("2016-02-15", "2016-02-20", 25), ("2016-02-10", "2016-02-14", 50)],
            doctor="D-B",
            diagnosis="M54.5",
            signed_at="2016-02-09T14:00:00",
        ),
        secondary_diagnoses=("F32.1",),
        occupation=("JOB_SEEKER",),
    )
    return [a, b]


def test_the_lead_certificate_is_the_most_recently_signed_one_active_on_the_day() -> None:
    # On Feb 12 both are active; B is signed later → B leads.
    # days 28; net: A alone Feb 1–9 and 21–28 = 17, B Feb 10–14 = 2.5, Feb 15–20 = 1.5 → 21
    (row,) = on("2016-02-12", lead_case())

    assert row.lead_certificate_id == "b"
    assert (row.diagnosis, row.secondary_diagnoses, row.doctor_id) == ("M54.5", ("F32.1",), "D-B")
    assert row.occupation == ("JOB_SEEKER",)
    assert row.degree == 50
    assert row.degrees == (50, 25)  # B's periods in order of start
    assert (row.days, row.net_days, row.certificates, row.days_left) == (28, 21.0, 2, 16)


def test_the_lead_certificate_changes_when_the_newer_one_is_no_longer_active() -> None:
    # On Feb 22 only A is active → A leads, though B is more recently signed
    (row,) = on("2016-02-22", lead_case())

    assert (row.lead_certificate_id, row.diagnosis, row.doctor_id) == ("a", "F43.8A", "D-A")
    assert (row.degree, row.degrees, row.secondary_diagnoses) == (100, (100,), ())


def test_the_lead_is_chosen_by_signing_time_not_by_start() -> None:
    # A Feb 1–28 signed Feb 12 (later); B Feb 10–20 signed Feb 9 (starts later).
    # On Feb 15 both are active; A is the more recently signed → A leads.
    a = record("a", [("2016-02-01", "2016-02-28", 75)], signed_at="2016-02-12T08:00:00")
    b = record("b", [("2016-02-10", "2016-02-20", 25)], signed_at="2016-02-09T08:00:00")

    (row,) = on("2016-02-15", [a, b])

    assert (row.lead_certificate_id, row.degree) == ("a", 75)


def test_the_higher_id_leads_when_two_are_signed_at_the_same_moment() -> None:
    same = "2016-02-01T10:00:00"
    c1 = record("c-1", [("2016-02-01", "2016-02-14", 100)], signed_at=same)
    c2 = record("c-2", [("2016-02-01", "2016-02-14", 50)], signed_at=same)

    (row,) = on("2016-02-05", [c2, c1])

    assert (row.lead_certificate_id, row.degree) == ("c-2", 50)


def test_a_recently_ended_case_is_led_by_the_certificate_with_the_latest_end() -> None:
    # A Feb 1–20 signed Feb 1; B Feb 5–14 signed Feb 10 (newer, but ends earlier).
    # On Feb 22 (window 2) nothing is active: A, ending last, leads.
    a = record("a", [("2016-02-01", "2016-02-20", 100)], signed_at="2016-02-01", diagnosis="X1")
    b = record("b", [("2016-02-05", "2016-02-14", 50)], signed_at="2016-02-10", diagnosis="Y2")

    (row,) = on("2016-02-22", [a, b], recent=2)

    assert (row.lead_certificate_id, row.diagnosis, row.degrees) == ("a", "X1", (100,))
    assert (row.degree, row.days_left, row.recently_ended) == (None, -2, True)


# --- Patient view -----------------------------------------------------------


def three_cases() -> list[CertificateRecord]:
    """Jan 1–10, Mar 1–10 and May 1–10: far more than 5 days apart."""
    return [
        record("jan", [("2016-01-01", "2016-01-10", 100)]),
        record("may", [("2016-05-01", "2016-05-10", 100)]),
        record("mar", [("2016-03-01", "2016-03-10", 50)]),
    ]


def test_the_patient_view_shows_every_case_newest_first() -> None:
    rows = view("2016-06-01", three_cases())

    assert [r.lead_certificate_id for r in rows] == ["may", "mar", "jan"]
    assert not any(r.recently_ended for r in rows)


def test_the_patient_view_leaves_out_cases_that_start_after_the_day() -> None:
    # On Mar 5 the May case has not started. The March case is active (5 days left);
    # the January case ended Jan 10: Mar 5 − Jan 10 = 21 + 29 + 5 = 55 days ago.
    march, january = view("2016-03-05", three_cases())

    assert (march.lead_certificate_id, march.degree, march.days_left) == ("mar", 50, 5)
    assert (january.lead_certificate_id, january.degree, january.days_left) == ("jan", None, -55)


def test_the_patient_view_shows_a_case_that_starts_on_the_day() -> None:
    (row,) = view("2016-01-01", three_cases())

    assert (row.lead_certificate_id, row.days_left) == ("jan", 9)


def test_the_patient_view_shows_only_this_patient_at_this_unit() -> None:
    others = [
        record("other-patient", [("2016-02-01", "2016-02-14", 100)], patient="p2"),
        record("other-unit", [("2016-02-01", "2016-02-14", 100)], unit=OTHER_UNIT),
    ]

    (row,) = view("2016-02-10", [FEB_1_14, *others])

    assert (row.lead_certificate_id, row.certificates) == ("c-1", 1)


# --- Order and shape of rows ------------------------------------------------


def test_work_list_rows_are_ordered_by_patient_id() -> None:
    certs = [
        record(f"c-{p}", [("2016-02-01", "2016-02-14", 100)], patient=p) for p in ("p3", "p1", "p2")
    ]

    assert [r.patient_id for r in on("2016-02-10", certs)] == ["p1", "p2", "p3"]


def test_recently_ended_rows_are_ordered_among_the_active_ones() -> None:
    # p1 ended Feb 14 (window 2 on Feb 16), p0 and p2 are active
    active = [
        record(f"c-{p}", [("2016-02-01", "2016-02-28", 100)], patient=p) for p in ("p2", "p0")
    ]

    rows = on("2016-02-16", [*active, FEB_1_14], recent=2)

    assert [(r.patient_id, r.recently_ended) for r in rows] == [
        ("p0", False),
        ("p1", True),
        ("p2", False),
    ]


def test_a_row_as_json_has_exactly_the_documented_keys() -> None:
    (row,) = on("2016-02-12", lead_case())

    data = row.as_json()

    assert tuple(data) == JSON_KEYS
    assert data["start"] == "2016-02-01"
    assert data["end"] == "2016-02-28"
    assert data["degrees"] == [50, 25]
    assert data["secondary_diagnoses"] == ["F32.1"]
    assert data["occupation"] == ["JOB_SEEKER"]
    assert data["certificates"] == 2
    json.dumps(data)  # plain JSON values only
