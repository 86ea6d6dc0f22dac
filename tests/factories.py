"""Builders of valid certificate documents for tests (synthetic numbers only)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from rehabkoll.cases.engine import CertificateRecord, Period
from rehabkoll.lib.personnummer import synthetic

PROVIDER = "SE2321000016-0001"
OTHER_PROVIDER = "SE2321000032-0001"
UNIT = "SE2321000016-U001"
OTHER_UNIT = "SE2321000016-U002"
DOCTOR = "SE2321000016-D001"


def pnr(serial: int, *, born: str = "19800101", woman: bool = True) -> str:
    """A valid synthetic personnummer (month of birth + 20) of someone born on
    ``born`` (YYYYMMDD); the birth number is even for a woman, odd for a man."""
    three = serial * 2 % 1000 if woman else (serial * 2 + 1) % 1000
    return synthetic(datetime.strptime(born, "%Y%m%d").date(), three)


def certificate(
    cert_id: str = "c-1",
    *,
    patient: str | None = None,
    periods: list[tuple[str, str, int]] | None = None,
    signed_at: str = "2016-02-01T10:00:00",
    unit: str = UNIT,
    provider: str = PROVIDER,
    doctor: str = DOCTOR,
    diagnosis: str = "F43.8A",
    secondary: list[str] | None = None,
    occupation: list[str] | None = None,
    replaces: str | None = None,
    test: bool = False,
) -> dict[str, Any]:
    """A certificate document in the import format."""
    return {
        "id": cert_id,
        "type": "FK7804",
        "signed_at": signed_at,
        "patient": {"id": patient or pnr(1), "name": "Test Testsson"},
        "doctor": {"id": doctor, "name": "Doktor Exempel"},
        "unit": {"id": unit, "name": "Vårdcentralen Exempel"},
        "care_provider": {"id": provider, "name": "Region Exempel"},
        "diagnosis": {"code": diagnosis, "secondary": secondary or []},
        "occupation": occupation or ["CURRENT_JOB"],
        "periods": [
            {"start": s, "end": e, "degree": d}
            for s, e, d in (periods or [("2016-02-01", "2016-02-14", 100)])
        ],
        "replaces": replaces,
        "test": test,
    }


def record(
    cert_id: str,
    periods: list[tuple[str, str, int]],
    *,
    patient: str = "p1",
    provider: str = PROVIDER,
    unit: str = UNIT,
    doctor: str = DOCTOR,
    signed_at: str = "2016-01-01T00:00:00",
    diagnosis: str = "F43.8A",
) -> CertificateRecord:
    """A certificate as the engine sees it."""
    return CertificateRecord(
        id=cert_id,
        patient_id=patient,
        care_provider_id=provider,
        unit_id=unit,
        doctor_id=doctor,
        signed_at=datetime.fromisoformat(signed_at),
        periods=tuple(
            Period(date.fromisoformat(s), date.fromisoformat(e), d) for s, e, d in periods
        ),
        diagnosis=diagnosis,
    )


def period_rows(records: Iterable[CertificateRecord]) -> list[dict[str, Any]]:
    """The records as rows of the bulk engine's periods table (one per period)."""
    return [
        {
            "certificate_id": rec.id,
            "patient_id": rec.patient_id,
            "care_provider_id": rec.care_provider_id,
            "unit_id": rec.unit_id,
            "signed_at": rec.signed_at,
            "start": period.start,
            "end": period.end,
            "degree": period.degree,
            "diagnosis": rec.diagnosis,
        }
        for rec in records
        for period in rec.periods
    ]
