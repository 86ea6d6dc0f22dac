"""Bad input never stops an import: every malformed line is one rejection with
its field and reason, and the rest of the file is stored. The kinds below are
the ones that crashed `rehabkoll import` with a traceback (storing nothing),
or slipped past validation, before issue 13. Runs on SQLite and PostgreSQL
(where a NUL byte in a name used to end the import in the database)."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from typer.testing import CliRunner

from rehabkoll.certificates import batches, models, service
from rehabkoll.certificates.schema import FieldError, parse_line
from rehabkoll.cli import app
from rehabkoll.db.session import session_scope
from tests.factories import certificate, pnr

GOOD = json.dumps(certificate("good-1", patient=pnr(1)))
GOOD_AFTER = json.dumps(certificate("good-2", patient=pnr(2)))


def with_change(**change: Any) -> str:
    return json.dumps({**certificate("bad-1", patient=pnr(3)), **change})


def named(name: str) -> str:
    return with_change(patient={"id": pnr(3), "name": name})


# (line, field, a word of the reason). Each was a crash, or was accepted, before.
MALFORMED: dict[str, tuple[str, str, str]] = {
    # json.loads raised RecursionError.
    "nested 100,000 deep": ("[" * 100_000 + "]" * 100_000, "(line)", "nested too deeply"),
    # Year 9999: the check "end at most 730 days after signed_at" overflowed
    # (OverflowError), and so did converting a time with an offset.
    "signed_at in 9999": (with_change(signed_at="9999-12-31T23:59:59"), "signed_at", "between"),
    "signed_at in 9999 with offset": (
        with_change(signed_at="9999-12-31T23:59:59-05:00"),
        "signed_at",
        "between",
    ),
    "revoked_at in 9999 with offset": (
        json.dumps({"revokes": "good-1", "revoked_at": "9999-12-31T23:59:59+14:00"}),
        "revoked_at",
        "between",
    ),
    "revoked_at in 9999": (
        json.dumps({"revokes": "good-1", "revoked_at": "9999-12-31T23:59:59"}),
        "revoked_at",
        "between",
    ),
    # int() refuses 4,300 digits and more with ValueError.
    "a 5,000-digit number": (
        GOOD[:-1] + ', "degree": ' + "7" * 5000 + "}",
        "degree",
        "5000 digits",
    ),
    # Control characters in any text field were accepted and stored (and a
    # NUL ended the import on PostgreSQL).
    "NUL in a name": (named("Test\u0000Testsson"), "patient.name", "U+0000"),
    "NUL in an id": (with_change(id="bad\u00001"), "id", "U+0000"),
    "escape character in a unit name": (
        with_change(unit={"id": "SE2321000016-U001", "name": "Vårdcentralen\u001b[31m"}),
        "unit.name",
        "U+001B",
    ),
    "C1 control in a doctor's name": (
        with_change(doctor={"id": "SE2321000016-D001", "name": "Doktor\u0085X"}),
        "doctor.name",
        "U+0085",
    ),
    "line feed in a name": (named("Test\nTestsson"), "patient.name", "U+000A"),
    "lone surrogate in a name": (named("Test\ud800"), "patient.name", "surrogate"),
    "NUL in an unknown field's name": (GOOD[:-1] + ', "x\\u0000": 1}', "x\\u0000", "U+0000"),
    # "yes" was taken as true.
    "test as a string": (with_change(test="yes"), "test", "true or false"),
    "test as a number": (with_change(test=1), "test", "true or false"),
    # A number of seconds was taken as a date and time.
    "signed_at as seconds": (with_change(signed_at=1454320800), "signed_at", "ISO 8601"),
    # Whole-certificate errors were reported as "(line)".
    "replaces itself": (with_change(replaces="bad-1"), "replaces", "itself"),
    "period too far ahead": (
        with_change(periods=[{"start": "2019-02-01", "end": "2019-02-14", "degree": 100}]),
        "periods",
        "after signed_at",
    ),
    "NaN": (GOOD[:-1] + ', "degree": NaN}', "(line)", "NaN"),
}


@pytest.mark.parametrize("kind", list(MALFORMED))
def test_a_malformed_line_is_rejected_naming_its_field(kind: str) -> None:
    line, field, reason = MALFORMED[kind]
    with pytest.raises(FieldError) as info:
        parse_line(line)
    assert info.value.field == field
    assert reason in info.value.reason


def stored_ids(engine: Engine) -> list[str]:
    with session_scope(engine) as session:
        return sorted(session.scalars(select(models.Certificate.id)))


@pytest.mark.postgres
def test_every_malformed_line_is_one_rejection_and_the_rest_is_stored(engine: Engine) -> None:
    lines = [GOOD, *(line for line, _, _ in MALFORMED.values()), GOOD_AFTER]
    stream = io.BytesIO("\n".join(lines).encode("utf-8", "surrogatepass"))
    _, result = service.import_stream(engine, stream, source="test")
    assert result.stored == 2
    assert [(e.line, e.field) for e in result.errors] == [
        (number, field) for number, (_, field, _) in enumerate(MALFORMED.values(), start=2)
    ]
    assert stored_ids(engine) == ["good-1", "good-2"]
    with session_scope(engine) as session:
        kept = session.scalar(select(func.count()).select_from(models.Rejection))
        assert kept == len(MALFORMED)


@pytest.mark.postgres
def test_bytes_that_are_not_utf8_reject_their_line_naming_the_field(engine: Engine) -> None:
    # Such bytes used to become U+FFFD and be stored as part of the name.
    name = named("Test Testsson").encode()
    bad_name = name.replace(b"Testsson", b"Tests\xf6on")  # Latin-1 ö
    bad_structure = GOOD.encode().replace(b'"type"', b'\xff"type"')
    stream = io.BytesIO(b"\n".join([GOOD.encode(), bad_name, bad_structure, GOOD_AFTER.encode()]))
    _, result = service.import_stream(engine, stream, source="test")
    assert [(e.line, e.field, e.reason) for e in result.errors] == [
        (2, "patient.name", "is not UTF-8 text (byte 0xF6)"),
        # '{"id": "good-1", ' is 17 characters: the byte is the 18th.
        (3, "(line)", "is not UTF-8 text (byte 0xFF at column 18)"),
    ]
    assert stored_ids(engine) == ["good-1", "good-2"]


def test_a_byte_order_mark_is_accepted_on_any_line(sqlite_url: str) -> None:
    # Editors on Windows start a file with one; the API accepted it, the
    # import rejected the first line as "not valid JSON".
    stream = io.BytesIO(("\ufeff" + GOOD + "\n\ufeff" + GOOD_AFTER + "\n\ufeff\n").encode())
    from rehabkoll.db.session import make_engine

    engine = make_engine(sqlite_url)
    _, result = service.import_stream(engine, stream, source="test")
    assert (result.stored, result.errors) == (2, [])


def test_the_import_command_reports_every_kind_and_stores_the_rest(
    tmp_path: Path, sqlite_url: str
) -> None:
    file = tmp_path / "bad.jsonl"
    lines = [GOOD, *(line for line, _, _ in MALFORMED.values()), GOOD_AFTER]
    file.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass") + b"\n\xff\n")
    result = CliRunner().invoke(app, ["import", str(file), "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    assert result.exception is None
    assert "Traceback" not in result.output
    assert f"2 stored, 0 unchanged, {len(MALFORMED) + 1} rejected" in result.output
    assert "rejected line 2: (line): is not valid JSON here: nested too deeply" in result.output
    assert "rejected line 3: signed_at: must lie between" in result.output


def test_a_line_the_database_refuses_is_rejected_and_the_rest_is_stored(sqlite_url: str) -> None:
    # A refusal that validation does not foresee (here a trigger standing in
    # for any constraint) rejects that line only; it used to end the import.
    from rehabkoll.db.session import make_engine

    engine = make_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TRIGGER refuse BEFORE INSERT ON patients WHEN NEW.id = :pnr "
                "BEGIN SELECT RAISE(ABORT, 'refused'); END".replace(":pnr", f"'{pnr(3)}'")
            )
        )
    lines = [GOOD, named("Test Testsson"), GOOD_AFTER]
    _, result = service.import_stream(engine, io.BytesIO("\n".join(lines).encode()), source="test")
    assert [(e.line, e.field, e.reason) for e in result.errors] == [
        (2, "(line)", "the database refused it (IntegrityError)")
    ]
    assert stored_ids(engine) == ["good-1", "good-2"]


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def unfinished(engine: Engine, owner: str | None) -> int:
    with session_scope(engine) as session:
        batch = service.start_batch(session, "killed.jsonl")
        batch.owner = owner
        return batch.id


@pytest.mark.postgres
def test_a_killed_imports_batch_is_marked_interrupted_when_the_next_starts(
    engine: Engine,
) -> None:
    host = socket.gethostname()
    killed = unfinished(engine, f"{host}:{dead_pid()}")
    before_owners = unfinished(engine, None)  # left by a version that kept no owner
    running = unfinished(engine, batches.this_process())  # an import running alongside
    elsewhere = unfinished(engine, "another-host:12345")  # cannot be seen from here
    _, result = service.import_stream(engine, io.BytesIO(GOOD.encode()), source="next")
    assert result.interrupted == [killed, before_owners]
    with session_scope(engine) as session:
        state = {
            b.id: (b.finished_at is None, b.interrupted_at is not None)
            for b in session.scalars(select(models.ImportBatch))
        }
    assert state[killed] == state[before_owners] == (True, True)
    assert state[running] == state[elsewhere] == (True, False)
    assert list(state.values()).count((False, False)) == 1  # the new import, finished


def test_an_import_that_fails_marks_its_own_batch_interrupted(sqlite_url: str) -> None:
    from rehabkoll.db.session import make_engine

    class Broken(io.BytesIO):
        def read1(self, size: int | None = -1, /) -> bytes:
            raise OSError("the disk went away")

        read = read1

    engine = make_engine(sqlite_url)
    with pytest.raises(OSError, match="disk"):
        service.import_stream(engine, Broken(b""), source="broken")
    with session_scope(engine) as session:
        batch = session.scalars(select(models.ImportBatch)).one()
        assert batch.finished_at is None
        assert isinstance(batch.interrupted_at, datetime)


def test_the_import_command_names_batches_it_found_interrupted(
    tmp_path: Path, sqlite_url: str
) -> None:
    from rehabkoll.db.session import make_engine

    killed = unfinished(make_engine(sqlite_url), f"{socket.gethostname()}:{dead_pid()}")
    file = tmp_path / "good.jsonl"
    file.write_text(GOOD + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["import", str(file), "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    assert f"Import batch {killed} had stopped before it finished" in result.output
