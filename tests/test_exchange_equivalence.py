"""A synthetic region sent as RIVTA XML gives exactly the cases it gives as
JSON Lines: every effective certificate, and every case of every patient at
every unit, on two days. The XML carries more (renewals, completions after
Försäkringskassan's requests, smittbärarpenning, statements), none of which
may change a case."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from rehabkoll.cases import service as cases
from rehabkoll.cases.engine import CaseRow
from rehabkoll.certificates import models
from rehabkoll.certificates import service as certificates
from rehabkoll.cli import app
from rehabkoll.db.session import make_engine, session_scope, upgrade
from rehabkoll.exchange import importing
from rehabkoll.exchange.models import CareMessage, CertificateOrigin, Statement
from rehabkoll.patients.names import fill_names
from tests.rivta_helpers import SCENARIOS

pytestmark = pytest.mark.skipif(not SCENARIOS.is_dir(), reason="shared RIVTA data missing")
END = date(2026, 11, 1)


def fresh(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    return engine


def effective(engine: Engine) -> set[tuple[object, ...]]:
    c = models.Certificate
    with session_scope(engine) as session:
        rows = session.execute(
            select(
                c.id, c.patient_id, c.unit_id, c.care_provider_id, c.signed_at, c.spans, c.diagnosis
            ).where(c.effective.is_(True))
        ).all()
    return {tuple(r) for r in rows}


def all_cases(engine: Engine, day: date) -> dict[tuple[str, str], list[CaseRow]]:
    with session_scope(engine) as session:
        pairs = session.execute(
            select(models.Certificate.patient_id, models.Certificate.unit_id).distinct()
        ).all()
        found = {
            (p, u): list(cases.patient_cases(session, patient_id=p, unit_id=u, as_of=day))
            for p, u in pairs
        }
    # The JSON's test certificates are stored there (in no case) and left out
    # of the XML: compare the pairs that have a case.
    return {pair: rows for pair, rows in found.items() if rows}


def names(engine: Engine) -> dict[str, str]:
    with session_scope(engine) as session:
        rows = session.execute(select(models.Patient.id, models.Patient.name))
        return {row.id: row.name for row in rows}


def test_a_synthetic_region_as_xml_gives_the_same_cases_as_json_lines(tmp_path: Path) -> None:
    runner = CliRunner()
    jsonl, bundle = tmp_path / "region.jsonl", tmp_path / "region.zip"
    common = ["--insured", "1200", "--years", "2", "--end-date", END.isoformat(), "--seed", "3"]
    assert runner.invoke(app, ["synth", "--out", str(jsonl), *common]).exit_code == 0
    out = runner.invoke(app, ["synth", "--out", str(bundle), "--format", "rivta", *common])
    assert out.exit_code == 0, out.output
    from_json, from_xml = fresh(tmp_path / "json.db"), fresh(tmp_path / "xml.db")
    with jsonl.open("rb") as stream:
        _, json_result = certificates.import_stream(from_json, stream, source="json")
    _, xml_result, _ = importing.import_path(from_xml, bundle)
    assert json_result.rejected == 0
    assert xml_result.errors == []

    assert effective(from_xml) == effective(from_json)
    for day in (END, date(2026, 3, 1)):
        json_cases = all_cases(from_json, day)
        assert all_cases(from_xml, day) == json_cases
        assert sum(len(v) for v in json_cases.values()) > 100
    # The extras really are there, and stay out of every case.
    with session_scope(from_xml) as session:
        relations = set(session.scalars(select(CertificateOrigin.relation)))
        assert {"FRLANG", "ERSATT", "KOMPLT"} <= relations
        assert (
            session.scalars(
                select(CertificateOrigin).where(CertificateOrigin.infection_carrier.is_(True))
            ).first()
            is not None
        )
        assert session.scalars(select(Statement)).first() is not None
        requests = session.scalars(select(CareMessage)).all()
        assert requests
        assert all(r.answered_by is not None for r in requests)  # each completed
    # The messages carry no names; the population register synth wrote beside
    # the zip gives every patient the name the JSON Lines gave.
    assert set(names(from_xml).values()) == {""}
    register = tmp_path / "region-population-register.jsonl"
    assert register.is_file()
    with register.open(encoding="utf-8") as lines, session_scope(from_xml) as session:
        filled = fill_names(session, enumerate(lines, start=1))
    assert filled.rejected == 0
    assert filled.updated == len(names(from_xml)) > 100
    json_names = names(from_json)
    assert all(json_names[p] == n for p, n in names(from_xml).items())
    from_json.dispose()
    from_xml.dispose()
