"""Fuzzing the line reader: whatever a line holds (any JSON value, the kinds
of value that used to crash it, a certificate or revocation with any part
replaced by those, any text, any bytes), it is either a certificate or a
revocation or one rejection with a field and a reason, never an exception;
and an import of such lines stores or rejects every one of them, on SQLite
and PostgreSQL."""

from __future__ import annotations

import io
import json
from datetime import timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from rehabkoll.certificates import reading, service
from rehabkoll.certificates.reading import PreparedCertificate
from rehabkoll.certificates.schema import FieldError, Revocation
from rehabkoll.certificates.text import MAX_FIELD
from tests.factories import certificate, pnr

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**40, max_value=10**60)
    | st.floats(allow_nan=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


offsets = st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23))
raw_json = st.one_of(
    json_values.map(json.dumps),
    # What broke the reader before: very long numbers, deep nesting, NaN,
    # times at the ends of the calendar, with and without an offset.
    st.integers(1, 6000).map(lambda n: "9" * n),
    st.integers(1, 3000).map(lambda n: "[" * n + "]" * n),
    st.sampled_from(["NaN", "-Infinity", "1e999", '"\\u0000"', '"\\ud800"']),
    st.datetimes().map(lambda d: json.dumps(d.isoformat())),
    st.builds(
        lambda d, o: json.dumps(d.replace(tzinfo=timezone(o)).isoformat()), st.datetimes(), offsets
    ),
)
"""JSON text of any value, and of the kinds of value that used to crash."""

RAW = "__raw_json__"


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*path, index))
    return found


@st.composite
def mutated_certificates(draw: st.DrawFn) -> str:
    """A valid certificate or revocation with one part replaced by any JSON
    text (or dropped)."""
    doc: Any = draw(
        st.sampled_from(
            [
                certificate("fuzz-1", patient=pnr(7)),
                {"revokes": "fuzz-1", "revoked_at": "2016-02-03T09:00:00"},
            ]
        )
    )
    path = draw(st.sampled_from(_paths(doc)[1:]))
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    if draw(st.booleans()) and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = RAW
    text = json.dumps(doc, ensure_ascii=draw(st.booleans()))
    return text.replace(json.dumps(RAW), draw(raw_json))


lines = (
    raw_json | mutated_certificates() | st.text().filter(lambda t: "\n" not in t and "\r" not in t)
)


def assert_read(results: list[tuple[int, Any]]) -> None:
    for _, item in results:
        assert isinstance(item, PreparedCertificate | Revocation | FieldError)
        if isinstance(item, FieldError):
            assert item.field
            assert item.reason
            assert len(item.field) <= MAX_FIELD
            assert item.field.isprintable()


@FUZZ
@given(line=lines)
def test_every_line_is_read_or_rejected_with_field_and_reason(line: str) -> None:
    results = reading.parse_lines([(1, line)])
    assert len(results) == (1 if line.strip().removeprefix("\ufeff") else 0)
    assert_read(results)


@FUZZ
@given(data=st.binary(max_size=300))
def test_any_bytes_are_read_or_rejected_line_by_line(data: bytes) -> None:
    for chunk, _ in reading.numbered_chunks(io.BytesIO(data)):
        results = reading.parse_lines(chunk)
        assert {n for n, _ in results} == {n for n, t in chunk if t.strip().lstrip("\ufeff")}
        assert_read(results)


@pytest.mark.postgres
def test_an_import_stores_or_rejects_every_fuzzed_line(engine: Engine) -> None:
    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(batch=st.lists(lines | st.binary(max_size=200), min_size=1, max_size=6))
    def run(batch: list[str | bytes]) -> None:
        raw = b"\n".join(
            item if isinstance(item, bytes) else item.encode("utf-8", "surrogatepass")
            for item in batch
        )
        expected = sum(
            1
            for chunk, _ in reading.numbered_chunks(io.BytesIO(raw))
            for _, text in chunk
            if text.strip().lstrip("\ufeff")
        )
        _, result = service.import_stream(engine, io.BytesIO(raw), source="fuzz")
        assert result.stored + result.unchanged + result.rejected == expected
        for error in result.errors:
            assert error.field
            assert error.reason

    run()
