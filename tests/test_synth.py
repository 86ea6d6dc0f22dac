"""rehabkoll synth: valid, deterministic output whose replacements, revocations
and test certificates behave as the foundation's rules say."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import typer
from typer.testing import CliRunner

from rehabkoll.certificates.schema import Certificate, Revocation
from rehabkoll.lib import icd10, personnummer
from rehabkoll.synth import calibration, cli, model, regions
from rehabkoll.synth.options import OutputFormat
from rehabkoll.synth.population import TEST_PATIENTS, assign_serials, day_of, draw_population
from rehabkoll.synth.run import country_plan, region_plan, synthesize

END = date(2024, 6, 30)
HSA_ID = re.compile(r"^SE\d{10}-[0-9A-Za-z]{1,31}$")


@dataclass(frozen=True)
class Output:
    jsonl: Path
    parquet: Path
    lines: list[str]
    certificates: list[Certificate]
    revocations: list[Revocation]


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Output:
    folder = tmp_path_factory.mktemp("synth")
    plan = region_plan(insured=8_000, years=2, end_date=END, seed=11)
    synthesize(plan, out=folder / "a.jsonl")
    synthesize(plan, out=folder / "a.parquet", output_format=OutputFormat.parquet)
    lines = (folder / "a.jsonl").read_text(encoding="utf-8").splitlines()
    certificates, revocations = calibration.parse_file(lines)
    return Output(folder / "a.jsonl", folder / "a.parquet", lines, certificates, revocations)


def test_every_line_passes_the_foundations_validation(output: Output) -> None:
    assert len(output.certificates) + len(output.revocations) == len(output.lines) > 5_000


def test_the_same_seed_gives_the_same_bytes(output: Output, tmp_path: Path) -> None:
    plan = region_plan(insured=8_000, years=2, end_date=END, seed=11)
    synthesize(plan, out=tmp_path / "b.jsonl")
    synthesize(plan, out=tmp_path / "b.parquet", output_format=OutputFormat.parquet)
    assert (tmp_path / "b.jsonl").read_bytes() == output.jsonl.read_bytes()
    assert (tmp_path / "b.parquet").read_bytes() == output.parquet.read_bytes()


def test_another_seed_gives_other_certificates(tmp_path: Path) -> None:
    for seed in (1, 2):
        plan = region_plan(insured=1_000, years=1, end_date=END, seed=seed)
        synthesize(plan, out=tmp_path / f"{seed}.jsonl")
    assert (tmp_path / "1.jsonl").read_bytes() != (tmp_path / "2.jsonl").read_bytes()


def test_nothing_is_signed_after_the_end_date(output: Output) -> None:
    assert max(c.signed_at.date() for c in output.certificates) <= END
    assert max(r.revoked_at.date() for r in output.revocations) <= END


def test_ids_are_unique_and_hsa_ids_well_formed(output: Output) -> None:
    ids = [c.id for c in output.certificates]
    assert len(set(ids)) == len(ids)
    for cert in output.certificates[:2000]:
        for hsa in (cert.doctor.id, cert.unit.id, cert.care_provider.id):
            assert HSA_ID.match(hsa)


def test_a_revocation_follows_the_certificate_it_revokes(output: Output) -> None:
    seen: dict[str, Certificate] = {}
    revoked = 0
    for line in output.lines:
        document = json.loads(line)
        if "revokes" in document:
            target = seen[document["revokes"]]
            assert target.signed_at.isoformat() <= document["revoked_at"]
            revoked += 1
        else:
            seen[document["id"]] = Certificate.model_validate(document)
    assert revoked > 10


def test_a_replacement_points_to_an_earlier_certificate_of_the_same_patient(
    output: Output,
) -> None:
    by_id = {c.id: c for c in output.certificates}
    position = {json.loads(line).get("id"): n for n, line in enumerate(output.lines)}
    replacements = [c for c in output.certificates if c.replaces]
    assert len(replacements) > 20
    for cert in replacements:
        earlier = by_id[cert.replaces]  # type: ignore[index]
        assert earlier.patient.id == cert.patient.id
        assert earlier.care_provider.id == cert.care_provider.id
        assert earlier.signed_at < cert.signed_at
        assert position[earlier.id] < position[cert.id]


def test_a_revoked_replacement_brings_the_replaced_certificate_back(output: Output) -> None:
    revoked = {r.revokes for r in output.revocations}
    comebacks = [c for c in output.certificates if c.replaces and c.id in revoked]
    assert comebacks
    counted = {c.id for c in calibration.effective(output.certificates, output.revocations)}
    for cert in comebacks:
        assert cert.id not in counted
        assert cert.replaces in counted


def test_test_certificates_are_flagged_and_on_test_patients_only(output: Output) -> None:
    tests = [c for c in output.certificates if c.test]
    assert tests
    test_patients = {number for number, _ in TEST_PATIENTS}
    assert {c.patient.id for c in tests} <= test_patients
    assert not any(c.patient.id in test_patients for c in output.certificates if not c.test)


def test_the_parquet_file_holds_the_periods_of_the_effective_certificates(
    output: Output,
) -> None:
    table = pq.read_table(output.parquet)
    assert table.schema.names == [
        "certificate_id",
        "patient_id",
        "care_provider_id",
        "unit_id",
        "signed_at",
        "start",
        "end",
        "degree",
        "diagnosis",
        "sex",
        "birth_date",
        "doctor_id",
    ]
    assert pa.types.is_timestamp(table.schema.field("signed_at").type)
    assert table.schema.field("start").type == pa.date32()
    assert pa.types.is_integer(table.schema.field("degree").type)
    counted = calibration.effective(output.certificates, output.revocations)
    expected = sorted(
        (c.id, c.patient.id, p.start, p.end, p.degree, c.diagnosis.code, c.unit.id, c.doctor.id)
        for c in counted
        for p in c.periods
    )
    rows = table.to_pydict()
    actual = sorted(
        zip(
            *(
                rows[k]
                for k in (
                    "certificate_id",
                    "patient_id",
                    "start",
                    "end",
                    "degree",
                    "diagnosis",
                    "unit_id",
                    "doctor_id",
                )
            ),
            strict=True,
        )
    )
    assert actual == expected


def test_the_parquet_sex_and_birth_date_agree_with_the_personnummer(output: Output) -> None:
    rows = pq.read_table(output.parquet, columns=["patient_id", "sex", "birth_date"]).to_pylist()
    for row in rows[:3000]:
        number = personnummer.parse(row["patient_id"])
        assert number.sex == row["sex"]
        assert number.birth_date == row["birth_date"]


def test_each_personnummer_belongs_to_one_person(output: Output) -> None:
    names: dict[str, set[str]] = defaultdict(set)
    for cert in output.certificates:
        names[cert.patient.id].add(cert.patient.name)
    assert all(len(n) == 1 for n in names.values())
    test_patients = dict(TEST_PATIENTS)
    # Birth number 000 is never assigned to anyone: kept for the test patients.
    assert all(pid[9:12] != "000" for pid in names if pid not in test_patients)


def test_every_generated_person_has_a_synthetic_number(output: Output) -> None:
    # Month of birth + 20 (21–32) is never issued by Skatteverket, so no generated
    # person can share a real person's number; only the two test patients (on
    # test certificates) have ordinary-form numbers.
    test_patients = dict(TEST_PATIENTS)
    numbers = {cert.patient.id for cert in output.certificates}
    assert numbers - set(test_patients)
    for pid in numbers - set(test_patients):
        assert personnummer.parse(pid).synthetic
        assert 21 <= int(pid[4:6]) <= 32
    ordinary = {
        c.patient.id for c in output.certificates if not personnummer.parse(c.patient.id).synthetic
    }
    assert ordinary <= set(test_patients)
    assert all(c.test for c in output.certificates if c.patient.id in ordinary)


def test_birth_numbers_never_repeat_within_a_date_and_sex() -> None:
    rng = np.random.default_rng(3)
    facts = regions.find("Region Gotland")
    populations = []
    for insured in (150_000, 150_000):
        region = regions.build_region(facts, insured, rng)
        populations.append(draw_population(region, rng, day_of(END), 3000))
    assign_serials(populations)
    keys = np.concatenate(
        [p.birth.astype(np.int64) * 10_000 + p.serial * 10 + p.coordination for p in populations]
    )
    assert len(np.unique(keys)) == len(keys)
    serial = np.concatenate([p.serial for p in populations])
    woman = np.concatenate([p.woman for p in populations])
    assert ((serial % 2 == 0) == woman).all()
    assert serial.min() >= 1


def test_cases_show_the_patterns_the_model_describes(output: Output) -> None:
    cases = calibration.cases_of(output.certificates, output.revocations)
    per_patient = Counter(c.patient_id for c in cases)
    assert any(n >= 2 for n in per_patient.values())  # recurrences
    assert any(len({r.unit_id for r in c.certificates}) > 1 for c in cases)  # unit change
    assert any(len(r.periods) > 1 for c in cases for r in c.certificates)  # step within one
    assert any(c.days > 3 * 365 for c in cases)  # some last years
    degrees = Counter(p.degree for c in cases for r in c.certificates for p in r.periods)
    assert set(degrees) == {25, 50, 75, 100}
    occupations = Counter(o for c in output.certificates for o in c.occupation)
    assert set(occupations) == set(model.OCCUPATIONS)
    assert any(c.diagnosis.secondary for c in output.certificates)


def test_every_diagnosis_code_of_the_model_is_a_valid_icd10_se_code() -> None:
    for group in model.GROUPS:
        for code, _ in group.codes:
            assert icd10.normalize(code) == code
        for code in group.secondary:
            assert icd10.normalize(code) == code


def test_the_country_has_21_regions_with_people_spread_by_population(tmp_path: Path) -> None:
    assert regions.split_insured(6_300_000)[0] == pytest.approx(6_300_000 * 0.234, rel=0.02)
    assert sum(regions.split_insured(6_300_000)) == 6_300_000
    plan = country_plan(insured=42_000, years=1, end_date=END, seed=4)
    assert len(plan.regions) == 21
    summary = synthesize(plan, out=tmp_path / "country.parquet", output_format=OutputFormat.parquet)
    assert summary.insured == 42_000
    table = pq.read_table(tmp_path / "country.parquet", columns=["patient_id", "care_provider_id"])
    providers = set(table.column("care_provider_id").to_pylist())
    assert len(providers) == 21
    pairs = set(zip(*table.to_pydict().values(), strict=True))
    assert len({patient for patient, _ in pairs}) == len(pairs)  # one region per person


def _app() -> typer.Typer:
    app = typer.Typer()
    cli.register(app)
    app.callback()(lambda: None)
    return app


def test_the_command_writes_jsonl_to_standard_output() -> None:
    args = ["synth", "--insured", "500", "--years", "1", "--end-date", "2024-06-30", "--out", "-"]
    result = CliRunner().invoke(_app(), args)
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert lines
    calibration.parse_file(lines)


def test_the_command_writes_parquet_and_truth(tmp_path: Path) -> None:
    args = [
        "synth",
        "--insured",
        "2000",
        "--years",
        "1",
        "--end-date",
        "2024-06-30",
        "--seed",
        "3",
        "--format",
        "parquet",
        "--out",
        str(tmp_path / "p.parquet"),
        "--truth",
        str(tmp_path / "truth.csv"),
    ]
    result = CliRunner().invoke(_app(), args)
    assert result.exit_code == 0, result.output
    assert pq.read_table(tmp_path / "p.parquet").num_rows > 100
    assert (tmp_path / "truth.csv").read_text().startswith("patient_id,")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--end-date", "2024-13-01"], "--end-date"),
        (["--region", "Region Atlantis"], "--region"),
        (["--format", "parquet", "--out", "-"], "standard output"),
        (["--end-date", "2006-01-01", "--years", "3"], "2000-01-01"),
    ],
)
def test_the_command_explains_bad_options(args: list[str], message: str) -> None:
    base = ["synth", "--insured", "100", "--out", "/tmp/never-written.jsonl"]
    result = CliRunner().invoke(_app(), base + args)
    assert result.exit_code != 0
    assert message in result.output
