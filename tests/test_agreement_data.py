"""The agreement as data: the JSON file and its schema, the shipped 2016 and 2017
shapes, the regions' population from an SCB-style CSV, and the allocation,
decisions and evidence in the database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from rehabkoll.accounts import service as accounts
from rehabkoll.accounts.models import User
from rehabkoll.accounts.roles import Role
from rehabkoll.agreement import evidence, population, service
from rehabkoll.agreement.document import AgreementDocument
from rehabkoll.agreement.errors import (
    AllocationUnavailableError,
    InvalidInputError,
    PublishedError,
)
from rehabkoll.agreement.models import AgreementCondition, AgreementPart, Evidence
from rehabkoll.agreement.regions import REGIONS
from rehabkoll.audit.models import AccessLog
from rehabkoll.cli import app
from rehabkoll.db.session import session_scope
from tests.conftest import Configure

DATA = Path(__file__).resolve().parent.parent / "src" / "rehabkoll" / "agreement" / "data"
DOCS = Path(__file__).resolve().parent.parent / "docs" / "agreement"
runner = CliRunner()


def load(year: int) -> AgreementDocument:
    return AgreementDocument.model_validate_json((DATA / f"agreement-{year}.json").read_bytes())


def test_the_shipped_agreements_validate_and_leave_unknown_amounts_empty() -> None:
    a2016, a2017 = load(2016), load(2017)
    assert a2016.total == 1_500_000_000
    assert a2016.population_date.isoformat() == "2015-12-31"
    # the April 2016 instalment is known, February 2017's amount is not
    instalments = a2016.parts[0].instalments
    assert [i.amount for i in instalments] == [500_000_000, None]
    assert a2017.total is None
    assert [c.title for c in a2017.conditions][:2] == [
        "Kompetenssatsning i försäkringsmedicin",
        "Funktion för koordinering",
    ]
    assert all(p.amount is None for p in a2017.parts)
    assert a2016.sources
    assert a2017.sources


def test_the_agreement_schema_is_published_and_matches_the_docs_copy() -> None:
    result = runner.invoke(app, ["agreement", "schema", "agreement"])
    assert result.exit_code == 0
    assert json.loads(result.output) == json.loads(
        (DOCS / "agreement.schema.json").read_text(encoding="utf-8")
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"parts": [{"id": "a", "kind": "conditional", "title": "A"}]}, "names its condition"),
        (
            {"parts": [{"id": "a", "kind": "conditional", "title": "A", "condition": "9"}]},
            "parts[0].condition: no condition '9'",
        ),
        ({"conditions": [{"number": "1", "title": "A"}] * 2}, "conditions[1].number"),
        (
            {
                "conditions": [
                    {
                        "number": "1",
                        "title": "A",
                        "indicators": [{"indicator": "x", "threshold": 1}],
                    }
                ]
            },
            "indicator: unknown 'x'",
        ),
        (
            {
                "parts": [
                    {
                        "id": "a",
                        "kind": "fixed",
                        "title": "A",
                        "amount": 10,
                        "instalments": [{"amount": 6}, {"amount": 5}],
                    }
                ]
            },
            "more than the part's amount",
        ),
        ({"total": 5, "parts": [{"id": "a", "kind": "fixed", "title": "A", "amount": 9}]}, "total"),
    ],
)
def test_a_bad_agreement_file_is_refused_naming_the_field(
    change: dict[str, object], message: str
) -> None:
    data = {"year": 2020, "title": "T", **change}
    with pytest.raises(ValidationError, match=message.replace("[", r"\[").replace("]", r"\]")):
        AgreementDocument.model_validate(data)


def test_import_command_names_the_field_of_a_bad_file(tmp_path: Path, sqlite_url: str) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"year": 2020, "title": "T", "parts": [{"id": "a"}]}))
    result = runner.invoke(app, ["agreement", "import", str(path), "--db", sqlite_url])
    assert result.exit_code == 2
    assert "parts[0].kind: missing" in result.output


# --- population ---------------------------------------------------------------


def test_the_shipped_population_file_reads_with_its_sources() -> None:
    figures = population.read_csv(DATA / "scb-folkmangd-lan-2015.csv")
    by_code = {f.region: f for f in figures}
    assert by_code["04"].population == 283_712
    assert by_code["05"].population == 445_661
    assert by_code["04"].key_date.isoformat() == "2015-12-31"
    assert "SCB" in by_code["04"].source


def test_the_shipped_population_file_has_17_sourced_counties_and_the_country() -> None:
    # 17 counties with a named source each (docs/agreement.md); Uppsala (03),
    # Gävleborg (21), Västernorrland (22) and Västerbotten (24) could not be
    # found, so they are absent rather than invented. Värmland is derived:
    # 279 334 at the end of 2016 minus the 3 430 it grew in 2016 = 275 904.
    figures, country = population.read_with_country(DATA / "scb-folkmangd-lan-2015.csv")
    by_code = {f.region: f.population for f in figures}
    assert country == {2015: 9_851_017}
    assert len(by_code) == 17
    assert not {"03", "21", "22", "24"} & by_code.keys()
    assert by_code["17"] == 279_334 - 3_430
    assert (by_code["18"], by_code["19"], by_code["20"], by_code["23"]) == (
        291_012,
        264_276,
        281_028,
        127_376,
    )
    assert 9_851_017 - sum(by_code.values()) == 1_143_724


def test_population_csv_in_scb_form_with_semicolons_and_spaces(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text('"region";"2015";"2016"\n"04 Södermanlands län";"283 712";"286 165"\n')
    figures = population.read_csv(path, source="SCB")
    assert [(f.region, f.key_date.year, f.population) for f in figures] == [
        ("04", 2015, 283_712),
        ("04", 2016, 286_165),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("län,2015\n04,1\n", "first column must be region"),
        ("region,år\n04,1\n", "no year column"),
        ("region,2015\n99 Okänt,1\n", "line 2: region: '99 Okänt' is not a county code"),
        ("region,2015\n04,tusen\n", "line 2: 2015: 'tusen' is not a whole number"),
    ],
)
def test_a_bad_population_file_is_named(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "p.csv"
    path.write_text(text)
    with pytest.raises(population.InvalidPopulationFileError, match=message):
        population.read_csv(path, source="SCB")


def test_a_population_file_needs_a_source(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("region,2015\n04,1\n")
    with pytest.raises(population.InvalidPopulationFileError, match="källa"):
        population.read_csv(path)


def test_all_21_regions_must_add_up_to_the_country(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    lines = ["region,2015", "00 Riket,22"] + [f"{code},1" for code in REGIONS]
    path.write_text("\n".join(lines))
    with pytest.raises(population.InvalidPopulationFileError, match="add up to 21"):
        population.read_csv(path, source="test")


# --- the database ----------------------------------------------------------------

# Round test populations, 100 000 × the region's position (01: 100 000 … 25: 2 100 000)
POPULATION = {code: 100_000 * (i + 1) for i, code in enumerate(REGIONS)}


def seed(session: Session) -> User:
    national = accounts.create_user(
        session,
        username="nationell",
        role=Role.NATIONAL_COORDINATOR,
        unit_ids=[],
        password="lösenord-för-test",
    )
    service.import_document(session, document=load(2016), user=national)
    population.store(
        session,
        [
            population.Figure(code, load(2016).population_date, n, "test")
            for code, n in POPULATION.items()
        ],
    )
    return national


@pytest.mark.postgres
def test_importing_twice_changes_nothing(engine: Engine) -> None:
    with session_scope(engine) as session:
        national = seed(session)
        service.import_document(session, document=load(2016), user=national)
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(AgreementPart)) == 2
        assert session.scalar(select(func.count()).select_from(AgreementCondition)) == 1
        agreement = service.get(session, year=2016)
        assert service.document_of(agreement) == load(2016)
        assert [i.amount for i in agreement.parts[0].instalments] == [500_000_000, None]


@pytest.mark.postgres
def test_allocation_pays_the_april_instalment_to_regions_with_a_published_decision(
    engine: Engine,
) -> None:
    # Total population 100 000 × (1 + … + 21) = 23 100 000. 500 000 000 kr over
    # it: region 04 (third, 300 000) gets 500 000 000 × 3/231 = 6 493 506,49 →
    # 6 493 506 or 6 493 507 depending on the remainders. Only 04 and 05 have a
    # published "met" decision; the setting is "kept", so everyone else's share
    # is unpaid, and a draft decision (06) counts for nothing.
    with session_scope(engine) as session:
        national = seed(session)
        for region in ("04", "05"):
            service.decide(
                session, year=2016, condition="1", region=region, met=True, reason="Redovisat",
                user=national,
            )  # fmt: skip
        assert service.publish_decisions(session, year=2016, user=national) == 2
        service.decide(
            session, year=2016, condition="1", region="06", met=True, reason="Utkast", user=national
        )
        result = service.allocate(session, year=2016)
    rows = {(r.region, r.part): r.amount for r in result.rows}
    # the one part has two instalments, so its payments are numbered; only the
    # first has an amount
    assert {part for _, part in rows} == {"landstingen/1"}
    over_all = {code: 500_000_000 * n / 23_100_000 for code, n in POPULATION.items()}
    assert rows[("04", "landstingen/1")] in (int(over_all["04"]), int(over_all["04"]) + 1)
    assert rows[("06", "landstingen/1")] == 0
    paid = rows[("04", "landstingen/1")] + rows[("05", "landstingen/1")]
    assert result.unpaid[0].amount == 500_000_000 - paid


@pytest.mark.postgres
def test_allocation_names_the_regions_without_population(engine: Engine) -> None:
    with session_scope(engine) as session:
        national = seed(session)
        service.import_document(session, document=load(2017), user=national)
        with pytest.raises(AllocationUnavailableError, match="2016-12-31 saknas för region 01"):
            service.allocate(session, year=2017)


@pytest.mark.postgres
def test_a_published_decision_is_corrected_only_by_a_new_decision_referring_to_it(
    engine: Engine,
) -> None:
    with session_scope(engine) as session:
        national = seed(session)
        first = service.decide(
            session, year=2016, condition="1", region="04", met=True, reason="Ok", user=national
        )
        service.publish_decisions(session, year=2016, user=national)
        with pytest.raises(PublishedError, match=f"beslutet {first.id} är publicerat"):
            service.decide(
                session, year=2016, condition="1", region="04", met=False, reason="Nej",
                user=national,
            )  # fmt: skip
        correction = service.decide(
            session, year=2016, condition="1", region="04", met=False,
            reason="Underlaget saknade handlingsplan", user=national, corrects_id=first.id,
        )  # fmt: skip
        # not in force until published
        assert service.met_by_region(session, year=2016) == {"04": ["1"]}
        service.publish_decisions(session, year=2016, user=national)
        assert service.met_by_region(session, year=2016) == {}
        assert first.met is True  # the published decision itself is unchanged
        assert correction.corrects_id == first.id
        with pytest.raises(InvalidInputError, match="motivering"):
            service.decide(
                session, year=2016, condition="1", region="05", met=True, reason=" ",
                user=national,
            )  # fmt: skip
        logged = session.scalars(select(AccessLog.detail).order_by(AccessLog.id)).all()
    assert any("rättar beslut" in d for d in logged)
    assert any("publicerade" in d for d in logged)


@pytest.mark.postgres
def test_evidence_is_versioned_size_limited_and_logged(
    engine: Engine, configure: Configure
) -> None:
    configure(agreement_max_file_bytes="10")
    with session_scope(engine) as session:
        national = seed(session)
        first = evidence.submit(
            session, year=2016, condition="1", region="04", text="Handlingsplan antagen",
            links="https://example.org/plan", upload=None, user=national,
        )  # fmt: skip
        second = evidence.submit(
            session, year=2016, condition="1", region="04", text="", links="",
            upload=evidence.Upload("plan.txt", "text/plain", b"0123456789"), user=national,
        )  # fmt: skip
        assert (first.version, second.version) == (1, 2)
        assert first.text == "Handlingsplan antagen"  # the first version is kept as it was
        with pytest.raises(InvalidInputError, match="mer än gränsen 10 byte"):
            evidence.submit(
                session, year=2016, condition="1", region="04", text="", links="",
                upload=evidence.Upload("big.txt", "text/plain", b"01234567890"), user=national,
            )  # fmt: skip
        with pytest.raises(InvalidInputError, match="typen application/x-sh"):
            evidence.submit(
                session, year=2016, condition="1", region="04", text="", links="",
                upload=evidence.Upload("x.sh", "application/x-sh", b"1"), user=national,
            )  # fmt: skip
        with pytest.raises(InvalidInputError, match="länkar"):
            evidence.submit(
                session, year=2016, condition="1", region="04", text="", links="javascript:x",
                upload=None, user=national,
            )  # fmt: skip
        with pytest.raises(InvalidInputError, match="underlag"):
            evidence.submit(
                session, year=2016, condition="1", region="04", text=" ", links="",
                upload=None, user=national,
            )  # fmt: skip
        assert session.scalar(select(func.count()).select_from(Evidence)) == 2
        logged = session.scalars(select(AccessLog.detail)).all()
    assert sum("underlag 2016 villkor 1 region 04" in d for d in logged) == 2


def test_the_demo_uses_the_sourced_figures_and_fills_only_the_four_unknown(
    sqlite_url: str,
) -> None:
    # The demo keeps the 17 sourced counties as shipped and splits the rest of
    # Riket (1 143 724) among 03, 21, 22 and 24, labelled as invented, so the
    # 21 add up to 9 851 017 and Sörmland's 2016 kronor are the real ones.
    from rehabkoll.agreement.demo_data import _fill_population
    from rehabkoll.db.session import make_engine

    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        _fill_population(session, date(2015, 12, 31))
        rows = population.on(session, date(2015, 12, 31))
    engine.dispose()
    assert set(rows) == set(REGIONS)
    assert sum(r.population for r in rows.values()) == 9_851_017
    assert rows["04"].population == 283_712
    assert "SCB" in rows["04"].source
    assert rows["20"].population == 281_028
    invented = {code for code, r in rows.items() if r.source.startswith("Demo:")}
    assert invented == {"03", "21", "22", "24"}
    assert sum(rows[c].population for c in invented) == 1_143_724


@pytest.mark.postgres
def test_importing_the_year_again_keeps_its_decisions_and_evidence(engine: Engine) -> None:
    # The agreement used to be deleted and added again, and the database's
    # ON DELETE CASCADE took the year's published decisions, evidence and
    # allocations with it. Now it is changed in place.
    with session_scope(engine) as session:
        national = seed(session)
        service.decide(
            session, year=2016, condition="1", region="04", met=True, reason="Ok", user=national
        )
        service.publish_decisions(session, year=2016, user=national)
        evidence.submit(
            session, year=2016, condition="1", region="04", text="Plan", links="",
            upload=None, user=national,
        )  # fmt: skip
        service.import_document(session, document=load(2016), user=national)
        assert service.met_by_region(session, year=2016) == {"04": ["1"]}
        assert len(evidence.versions(session, year=2016, region="04")) == 1
        # A condition a published decision is about cannot be taken away.
        data = load(2016).model_dump(mode="json")
        data["conditions"] = [c for c in data["conditions"] if c["number"] != "1"]
        data["parts"] = [p for p in data["parts"] if p.get("condition") != "1"]
        with pytest.raises(PublishedError, match="villkor 1: det finns publicerade beslut"):
            service.import_document(
                session, document=AgreementDocument.model_validate(data), user=national
            )
