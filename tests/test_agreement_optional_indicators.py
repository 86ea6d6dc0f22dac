"""The agreement's optional indicators, hand-counted on SQLite and PostgreSQL:
cases over FMB's recommended length, and certificates received through the
national exchange format (RIVTA) rather than as JSON. Each is hidden while its
data does not exist."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from rehabkoll.agreement import indicator_queries, service
from rehabkoll.db.session import session_scope
from rehabkoll.exchange.models import CertificateOrigin
from rehabkoll.fmb import reading
from rehabkoll.fmb import service as fmb_service
from tests.factories import PROVIDER, pnr
from tests.fmb_data import fmb_dir
from tests.test_statistics_rules import certificate, store

A, C, D = pnr(1), pnr(3), pnr(4)
B = pnr(2, woman=False)
NO_FMB_CODE = "Z00.0"  # a general examination: FMB has no recommendation for it


def _certificates(engine: Engine) -> None:
    # FMB (the shared data): M54.5 → 14 days, F32.1 → 186 days (via F32).
    # Man B, M54.5: 2024-01-01–01-20, 20 days.
    # Woman A, F32.1: 2024-01-01–03-31, 91 days.
    # Woman C, F32.1: 2024-01-01–08-31: 91 days by 03-31, 182 by 06-30, 244 by 08-31.
    # Woman D, Z00.0 (no recommendation): 2024-02-01–02-10.
    store(
        engine,
        [
            certificate(
                "a", patient=A, periods=[("2024-01-01", "2024-03-31", 100)], diagnosis="F32.1"
            ),
            certificate(
                "b", patient=B, periods=[("2024-01-01", "2024-01-20", 100)], diagnosis="M54.5"
            ),
            certificate(
                "c", patient=C, periods=[("2024-01-01", "2024-08-31", 100)], diagnosis="F32.1"
            ),
            certificate(
                "d", patient=D, periods=[("2024-02-01", "2024-02-10", 100)], diagnosis=NO_FMB_CODE
            ),
        ],
    )


def _values(engine: Engine, key: str) -> list[indicator_queries.Value]:
    with session_scope(engine) as session:
        service.set_region_providers(session, region="04", provider_ids=[PROVIDER])
        return indicator_queries.region_indicators(session, region="04", year=2024).get(key, [])


@pytest.mark.postgres
def test_cases_over_fmbs_recommended_length(engine: Engine) -> None:
    _certificates(engine)
    # No FMB imported: hidden.
    assert _values(engine, "fmb.over_recommended") == []
    with session_scope(engine) as session:
        fmb_service.import_data(session, reading.read([str(fmb_dir())]))
        found = fmb_service.catalogue(session, date(2024, 12, 31))
        assert found is not None
        unknown = found.recommend((NO_FMB_CODE,))
        assert unknown is None or unknown.max_days is None
    by_window = {v.window: v for v in _values(engine, "fmb.over_recommended")}
    # 2024: D has no recommendation and is not counted. B 20 > 14 over; A 91 ≤
    # 186 not; C 244 > 186 over → women 1 of 2, men 1 of 1, all 2 of 3.
    year = by_window["2024"]
    assert (year.women, year.men, year.all, year.detail) == (50.0, 100.0, 66.7, "2 av 3")
    # Q1: by 03-31 A and C have 91 days each, not over; B is → 1 of 3.
    q1 = by_window["2024 K1"]
    assert (q1.women, q1.men, q1.all, q1.detail) == (0.0, 100.0, 33.3, "1 av 3")
    # Q2: only C is ongoing; 182 days by 06-30 is not over 186.
    q2 = by_window["2024 K2"]
    assert (q2.women, q2.men, q2.all, q2.detail) == (0.0, None, 0.0, "0 av 1")
    # Q3: C ends 08-31 with 244 days: over.
    assert by_window["2024 K3"].all == 100.0
    # Q4: no case ongoing.
    assert (by_window["2024 K4"].all, by_window["2024 K4"].detail) == (None, "0 av 0")


@pytest.mark.postgres
def test_certificates_received_through_the_national_exchange_format(engine: Engine) -> None:
    _certificates(engine)
    # No certificate came as RIVTA: the indicator is hidden.
    assert _values(engine, "exchange.electronic_share") == []
    with session_scope(engine) as session:
        for cid in ("b", "c"):
            session.add(CertificateOrigin(certificate_id=cid, form="LISJP", version="1.3"))
    by_window = {v.window: v for v in _values(engine, "exchange.electronic_share")}
    # Signed in 2024 (all four, in January and February): b (man) and c (woman)
    # came as RIVTA, a and d as JSON → women 1 of 3, men 1 of 1, all 2 of 4.
    year = by_window["2024"]
    assert (year.women, year.men, year.all, year.detail) == (33.3, 100.0, 50.0, "2 av 4")
    assert by_window["2024 K1"].detail == "2 av 4"
    # Nothing signed in Q2.
    assert (by_window["2024 K2"].all, by_window["2024 K2"].detail) == (None, "0 av 0")
