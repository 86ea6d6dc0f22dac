"""Patients' names from the population register (``rehabkoll patients names``):
RIVTA messages carry none, the register (PU-tjänsten's answers) supplies them."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select, update
from typer.testing import CliRunner

from rehabkoll.certificates.models import Patient
from rehabkoll.db.session import session_factory
from rehabkoll.patients import cli as patients_cli
from rehabkoll.patients.names import fill_names, full_name, parse_line, register_line
from tests.factories import pnr
from tests.test_coordination import add_patients

NAMELESS, NAMED, UNKNOWN = pnr(1), pnr(2), pnr(3)


def lines(*objects: object) -> list[tuple[int, str]]:
    return [(n, o if isinstance(o, str) else json.dumps(o)) for n, o in enumerate(objects, start=1)]


def names(engine: Engine) -> dict[str, str]:
    with session_factory(engine)() as session:
        return {row.id: row.name for row in session.execute(select(Patient.id, Patient.name))}


def person(patient_id: str, given: str, surname: str, middle: str | None = None) -> dict[str, str]:
    found = {"id": patient_id, "given_name": given, "surname": surname}
    if middle is not None:
        found["middle_name"] = middle
    return found


def test_stored_patients_get_the_registers_names_and_a_second_run_changes_nothing(
    engine: Engine,
) -> None:
    with session_factory(engine)() as session:
        add_patients(session, NAMELESS, NAMED)
        # As from a RIVTA message: the patient is known, without a name.
        session.execute(update(Patient).where(Patient.id == NAMELESS).values(name=""))
        session.commit()
    register = lines(
        # 12 digits as in RIVTA's person-id; normalised to the stored form.
        person(NAMELESS.replace("-", ""), "Anna Maria", "Ek", middle="Lind"),
        person(NAMED, "Test", "Testsson"),  # the name already stored
        person(UNKNOWN, "Nils", "Holm"),  # not a patient here: nothing stored
    )
    with session_factory(engine)() as session:
        result = fill_names(session, register)
        session.commit()
    assert (result.updated, result.unchanged, result.unknown, result.rejected) == (1, 1, 1, 0)
    assert names(engine) == {NAMELESS: "Anna Maria Lind Ek", NAMED: "Test Testsson"}
    with session_factory(engine)() as session:
        again = fill_names(session, register)
        session.commit()
    assert (again.updated, again.unchanged, again.unknown) == (0, 2, 1)


def test_the_register_wins_over_a_different_stored_name(engine: Engine) -> None:
    # The register is the authority (a name changed since the certificate).
    with session_factory(engine)() as session:
        add_patients(session, NAMED)
        result = fill_names(session, lines(person(NAMED, "Test", "Nyberg")))
        session.commit()
    assert result.updated == 1
    assert names(engine)[NAMED] == "Test Nyberg"


def test_bad_lines_are_rejected_with_line_and_field_and_never_the_number() -> None:
    cases = [
        ("not json", "(line)"),
        ("[1, 2]", "(line)"),
        (json.dumps(person("19800101-0000", "A", "B")), "id"),  # wrong check digit
        (json.dumps({"given_name": "A", "surname": "B"}), "id"),
        (json.dumps(person(NAMED, "A", "B") | {"protected": True}), "protected"),
        (json.dumps({"id": NAMED, "given_name": "A"}), "surname"),
        (json.dumps(person(NAMED, " ", " ")), "surname"),
        (json.dumps(person(NAMED, "A", "B" * 300)), "surname"),
        (json.dumps({"id": NAMED, "given_name": 1, "surname": "B"}), "given_name"),
    ]
    for number, (line, field) in enumerate(cases, start=1):
        parsed = parse_line(number, line)
        assert not isinstance(parsed, tuple), line
        assert (parsed.line, parsed.field) == (number, field)
        assert "19800101" not in str(parsed)


@settings(max_examples=50, deadline=None)
@given(
    words=st.lists(
        st.text(st.characters(categories=["L"]), min_size=1, max_size=12),
        min_size=1,
        max_size=4,
    )
)
def test_a_synthetic_name_goes_through_the_register_unchanged(words: list[str]) -> None:
    # synth writes "Given Names Surname" as given_name + surname; read back, the
    # register gives the same whole name (the two forms of the same person).
    name = " ".join(words)
    parsed = parse_line(1, register_line(NAMED, name))
    assert parsed == (NAMED, name)
    assert full_name(" Anna ", "", "Ek ") == "Anna Ek"


def test_the_names_command_reports_counts_and_rejections(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    with session_factory(engine)() as session:
        add_patients(session, NAMED)
    register = tmp_path / "register.jsonl"
    register.write_text(
        json.dumps(person(NAMED, "Test", "Nyberg"))
        + "\n"
        + json.dumps(person("19800101-0000", "A", "B"))
        + "\n"
    )
    app = typer.Typer()
    app.callback()(lambda: None)
    patients_cli.register(app)
    result = CliRunner().invoke(app, ["patients", "names", str(register), "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "1 names filled or changed" in result.stdout
    assert "1 rejected" in result.stdout
    assert "line 2: id: the check digit is wrong" in result.output
    assert "19800101-0000" not in result.output
    assert names(engine)[NAMED] == "Test Nyberg"
    strict = CliRunner().invoke(
        app, ["patients", "names", str(register), "--strict", "--db", db_url]
    )
    assert strict.exit_code == 1
