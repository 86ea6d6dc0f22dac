"""The certificate format: every kind of bad input gets its field and reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rehabkoll.certificates.schema import (
    Certificate,
    FieldError,
    Revocation,
    json_schema,
    parse_line,
)
from tests.conftest import Configure
from tests.factories import certificate, pnr

DOCS = Path(__file__).parent.parent / "docs"


def line(doc: dict[str, Any]) -> str:
    return json.dumps(doc)


def rejected(doc: dict[str, Any]) -> FieldError:
    with pytest.raises(FieldError) as info:
        parse_line(line(doc))
    return info.value


def test_it_reads_the_documented_example() -> None:
    parsed = parse_line(line(certificate("c-000123", patient="191212121212")))
    assert isinstance(parsed, Certificate)
    assert parsed.patient.id == "19121212-1212"  # output form always has the hyphen
    assert parsed.start.isoformat() == "2016-02-01"


def test_it_reads_a_revocation_line() -> None:
    parsed = parse_line('{"revokes": "c-1", "revoked_at": "2016-02-03T09:00:00"}')
    assert isinstance(parsed, Revocation)
    assert parsed.revokes == "c-1"


def test_it_converts_an_explicit_offset_to_swedish_local_time() -> None:
    # 08:00 UTC in February is 09:00 in Stockholm (CET, UTC+1).
    parsed = parse_line('{"revokes": "c-1", "revoked_at": "2016-02-03T08:00:00Z"}')
    assert isinstance(parsed, Revocation)
    assert parsed.revoked_at.hour == 9


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"patient": {"id": "19121212-1213", "name": "X"}}, "patient.id", "check digit"),
        ({"patient": {"id": "19121312-1212", "name": "X"}}, "patient.id", "date"),
        ({"diagnosis": {"code": "X99.99ZZ"}}, "diagnosis.code", "not"),
        (
            {"diagnosis": {"code": "F32.9", "secondary": ["M54.5", "F41.1", "R53.9"]}},
            "diagnosis.secondary",
            "at most 2",
        ),
        ({"occupation": ["RETIRED"]}, "occupation.0", "CURRENT_JOB"),
        ({"occupation": []}, "occupation", "at least 1"),
        ({"periods": []}, "periods", "at least 1"),
        (
            {"periods": [{"start": "2016-02-01", "end": "2016-02-14", "degree": 60}]},
            "periods.0.degree",
            "25, 50, 75 or 100",
        ),
        (
            {"periods": [{"start": "2016-02-14", "end": "2016-02-01", "degree": 50}]},
            "periods.0.end",
            "is before start",
        ),
        (
            {
                "periods": [
                    {"start": "2016-02-01", "end": "2016-02-14", "degree": 100},
                    {"start": "2016-02-14", "end": "2016-02-20", "degree": 50},
                ]
            },
            "periods",
            "overlap",
        ),
        (
            {"periods": [{"start": "1999-02-01", "end": "1999-02-14", "degree": 100}]},
            "periods.0.start",
            "between",
        ),
        (
            {
                "signed_at": "2016-02-01T10:00:00",
                "periods": [{"start": "2019-02-01", "end": "2019-02-14", "degree": 100}],
            },
            "periods",
            "after signed_at",
        ),
        ({"type": "FK7263"}, "type", "FK7804"),
        ({"doctor": {"id": "D001", "name": "X"}}, "doctor.id", "HSA"),
        ({"replaces": "c-1"}, "replaces", "itself"),
        ({"extra": 1}, "extra", "unknown field"),
        ({"patient": {"id": pnr(1), "name": "X", "phone": "1"}}, "patient.phone", "unknown field"),
    ],
)
def test_it_names_the_field_and_the_reason(change: dict[str, Any], field: str, reason: str) -> None:
    error = rejected({**certificate("c-1"), **change})
    assert error.field == field
    assert reason in error.reason


def test_a_missing_field_is_named() -> None:
    doc = certificate("c-1")
    del doc["signed_at"]
    assert (rejected(doc).field, rejected(doc).reason) == ("signed_at", "Field required")


def test_bad_json_and_non_objects_are_rejected_as_the_whole_line() -> None:
    with pytest.raises(FieldError, match="not valid JSON"):
        parse_line("{not json")
    with pytest.raises(FieldError, match="JSON object"):
        parse_line("[1, 2]")


def test_rejection_reasons_never_contain_the_personnummer() -> None:
    error = rejected({**certificate("c-1"), "patient": {"id": "19121212-1213", "name": "X"}})
    assert "19121212" not in str(error)


def test_the_published_schema_is_the_one_the_models_generate() -> None:
    published = json.loads((DOCS / "certificate.schema.json").read_text(encoding="utf-8"))
    assert published == json_schema()


def test_a_synthetic_patient_is_accepted_by_default() -> None:
    # pnr() makes synthetic numbers (month + 20): the factories' certificates pass.
    parsed = parse_line(line(certificate(patient=pnr(7))))
    assert isinstance(parsed, Certificate)


def test_production_rejects_a_synthetic_patient_naming_the_field(configure: Configure) -> None:
    configure(accept_synthetic_ids="false")  # as a production installation is set up
    error = rejected(certificate(patient=pnr(7)))
    assert error.field == "patient.id"
    assert "synthetic" in error.reason
    assert pnr(7)[:8] not in error.reason
    # A real-form number still passes.
    assert isinstance(parse_line(line(certificate(patient="19121212-1212"))), Certificate)
