"""Storing RIVTA messages: the national examples, idempotence, conflicts,
relations, revocations, smittbärarpenning, the archive and its re-import, and
an interrupted import. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import gzip
import shutil
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from rehabkoll.cases import service as cases
from rehabkoll.cases.engine import CaseRow
from rehabkoll.certificates import models as cert_models
from rehabkoll.certificates.schema import Certificate, parse_document
from rehabkoll.db.session import make_engine, session_scope, upgrade
from rehabkoll.exchange import importing, models, service, writing
from tests.factories import UNIT, certificate, pnr
from tests.rivta_helpers import EXAMPLES, SCENARIOS, example

pytestmark = pytest.mark.skipif(not SCENARIOS.is_dir(), reason="shared RIVTA data missing")
DAY = date(2016, 2, 10)


def cert(cert_id: str = "c-1", **changes: object) -> Certificate:
    doc = parse_document(certificate(cert_id, **changes))  # type: ignore[arg-type]
    assert isinstance(doc, Certificate)
    return doc


def write(folder: Path, *messages: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for number, data in enumerate(messages, start=1):
        (folder / f"{number:04d}.xml").write_bytes(data)
    return folder


def run(engine: Engine, path: Path) -> service.ReceiveResult:
    return importing.import_path(engine, path)[1]


def listed(engine: Engine, day: date = DAY, unit: str = UNIT) -> list[str]:
    with session_scope(engine) as session:
        return [r.lead_certificate_id for r in cases.work_list(session, unit_id=unit, as_of=day)]


def rows(engine: Engine, day: date = DAY) -> list[CaseRow]:
    with session_scope(engine) as session:
        return list(cases.work_list(session, unit_id=UNIT, as_of=day))


def count(engine: Engine, model: type[object]) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_the_national_examples_import_and_the_revocation_revokes(
    engine: Engine, tmp_path: Path
) -> None:
    # The pass examples share one id (1234567) with different content, so each
    # goes to a database of its own … here: the first stores, and later ones
    # with the same id are conflicts, never overwrites.
    folder = tmp_path / "in"
    write(
        folder,
        example(SCENARIOS / "pass-minimal.xml"),
        example(EXAMPLES / "webcert-signed-lisjp-i18n.xml"),
        example(EXAMPLES / "webcert-signed-after-new-schema.xml"),
    )
    result = run(engine, folder)
    assert [r.outcome for r in result.results] == ["stored", "stored", "stored"]
    # The revocation example revokes test-id: store that id first (pass-minimal
    # renamed), then revoke it.
    minimal = example(SCENARIOS / "pass-minimal.xml").replace(b">1234567<", b">test-id<")
    write(tmp_path / "rev", minimal, example(EXAMPLES / "common-revokeCertificate.xml"))
    result = run(engine, tmp_path / "rev")
    assert [r.outcome for r in result.results] == ["stored", "stored"]
    with session_scope(engine) as session:
        revoked = session.get_one(cert_models.Certificate, "test-id")
        assert revoked.revoked_at == datetime(2016, 8, 17, 12, 46, 31)
        assert not revoked.effective
        carrier = session.get_one(cert_models.Certificate, "b107dc65-5868-4a9e-a523-781c8b99dec7")
        assert carrier.test
        assert not carrier.effective
        origin = session.get_one(models.CertificateOrigin, carrier.id)
        assert origin.infection_carrier


def test_each_pass_example_imports_into_a_fresh_database(tmp_path: Path) -> None:
    for path in sorted(SCENARIOS.glob("pass-*.xml")):
        url = f"sqlite:///{tmp_path / (path.stem + '.db')}"
        engine = make_engine(url)
        upgrade(engine)
        write(tmp_path / path.stem, example(path))
        assert [r.outcome for r in run(engine, tmp_path / path.stem).results] == ["stored"]
        engine.dispose()


def test_the_same_messages_twice_change_nothing(engine: Engine, tmp_path: Path) -> None:
    folder = write(
        tmp_path / "in",
        writing.register_certificate(cert(patient=pnr(1))),
        writing.register_certificate(cert("c-2", patient=pnr(2))),
    )
    assert run(engine, folder).count("stored") == 2
    archived = count(engine, models.ArchivedMessage)
    again = run(engine, folder)
    assert again.count("unchanged") == 2
    assert count(engine, models.ArchivedMessage) == archived == 2
    assert count(engine, cert_models.Certificate) == 2


def test_the_same_id_with_other_content_is_a_conflict(engine: Engine, tmp_path: Path) -> None:
    run(engine, write(tmp_path / "a", writing.register_certificate(cert())))
    other = writing.register_certificate(cert(diagnosis="M54.5"))
    result = run(engine, write(tmp_path / "b", other))
    assert result.results[0].outcome == "rejected"
    assert "different certificate with this id" in str(result.results[0].error)
    with session_scope(engine) as session:
        assert session.get_one(cert_models.Certificate, "c-1").diagnosis == "F43.8A"


@pytest.mark.parametrize(
    ("kind", "earlier_listed"), [("ERSATT", False), ("KOMPLT", False), ("FRLANG", True)]
)
def test_replacing_relations_take_the_earlier_out_and_a_revocation_brings_it_back(
    engine: Engine, tmp_path: Path, kind: str, earlier_listed: bool
) -> None:
    # Earlier c-1 covers 1–14 Feb; c-2 (signed 8 Feb) covers 8–20 Feb. Under
    # ERSATT/KOMPLT c-1 leaves the case; under FRLANG both stay in it.
    earlier = cert("c-1", periods=[("2016-02-01", "2016-02-14", 100)])
    later = cert("c-2", periods=[("2016-02-08", "2016-02-20", 50)], signed_at="2016-02-08T09:00:00")
    run(
        engine,
        write(
            tmp_path / "a",
            writing.register_certificate(earlier),
            writing.register_certificate(later, relation=(kind, "c-1")),
        ),
    )
    with session_scope(engine) as session:
        assert session.get_one(cert_models.Certificate, "c-1").effective is earlier_listed
    run(engine, write(tmp_path / "b", writing.revoke_certificate(later, datetime(2016, 2, 9))))
    with session_scope(engine) as session:
        assert session.get_one(cert_models.Certificate, "c-1").effective
        assert not session.get_one(cert_models.Certificate, "c-2").effective


def test_smittbararpenning_never_enters_the_work_list(engine: Engine, tmp_path: Path) -> None:
    data = writing.register_certificate(cert(), infection_carrier=True)
    run(engine, write(tmp_path / "a", data))
    assert listed(engine) == []
    run(engine, write(tmp_path / "b", writing.register_certificate(cert("c-2", patient=pnr(2)))))
    assert listed(engine) == ["c-2"]


def test_a_revocation_for_an_unknown_certificate_or_another_patient_is_refused(
    engine: Engine, tmp_path: Path
) -> None:
    c = cert()
    first = run(engine, write(tmp_path / "a", writing.revoke_certificate(c, datetime(2016, 2, 9))))
    assert first.results[0].outcome == "rejected"
    assert first.results[0].error is not None
    assert first.results[0].error.error_id == "APPLICATION_ERROR"
    run(engine, write(tmp_path / "b", writing.register_certificate(c)))
    wrong = writing.revoke_certificate(c, datetime(2016, 2, 9), patient_id=pnr(7))
    assert run(engine, write(tmp_path / "c", wrong)).results[0].outcome == "rejected"
    assert listed(engine) == ["c-1"]


def test_other_types_are_ignored_and_stored_nowhere(engine: Engine, tmp_path: Path) -> None:
    result = run(engine, write(tmp_path / "a", writing.register_certificate(cert(), form="AG7804")))
    assert result.results[0].outcome == "ignored"
    assert count(engine, cert_models.Certificate) == 0


def test_a_zip_imports_and_the_archive_rebuilds_the_same_cases(
    engine: Engine, tmp_path: Path
) -> None:
    docs = [
        writing.register_certificate(cert("c-1", patient=pnr(1))),
        writing.register_certificate(
            cert(
                "c-2",
                patient=pnr(1),
                periods=[("2016-02-16", "2016-03-01", 50)],
                signed_at="2016-02-15T09:00:00",
            ),
            relation=("FRLANG", "c-1"),
        ),
        writing.register_certificate(cert("c-3", patient=pnr(2))),
        writing.revoke_certificate(cert("c-3", patient=pnr(2)), datetime(2016, 2, 3)),
    ]
    bundle = tmp_path / "in.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        for number, data in enumerate(docs):
            archive.writestr(f"m{number}.xml", data)
    assert run(engine, bundle).count("stored") == 4
    # One case of pnr(1): c-1 then its renewal c-2 (1 Feb–1 Mar); c-3 revoked.
    before = rows(engine)
    assert [(r.lead_certificate_id, r.certificates, r.end) for r in before] == [
        ("c-1", 2, date(2016, 3, 1))
    ]
    with session_scope(engine) as session:
        raw = session.scalars(
            select(models.ArchivedMessage.xml_gzip).order_by(models.ArchivedMessage.id)
        ).all()
    assert [gzip.decompress(r) for r in raw] == docs
    # Re-import the archive into an empty database: the same cases.
    replay = tmp_path / "replay"
    write(replay, *[gzip.decompress(r) for r in raw])
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    upgrade(fresh)
    run(fresh, replay)
    assert rows(fresh) == before
    fresh.dispose()


def test_an_interrupted_import_leaves_whole_messages_and_a_rerun_completes_it(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write(
        tmp_path / "in",
        *[writing.register_certificate(cert(f"c-{n}", patient=pnr(n))) for n in range(1, 6)],
    )
    monkeypatch.setattr(importing, "CHUNK_MESSAGES", 2)
    real = service.receive
    calls = {"n": 0}

    def dying(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # as if killed while storing the second chunk
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(service, "receive", dying)
    with pytest.raises(KeyboardInterrupt):
        run(engine, folder)
    # The first chunk whole, nothing of the second.
    assert count(engine, cert_models.Certificate) == 2
    assert count(engine, models.ArchivedMessage) == 2
    monkeypatch.setattr(service, "receive", real)
    result = run(engine, folder)
    assert (result.count("stored"), result.count("unchanged")) == (3, 2)


def test_the_import_command_reports_per_file(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from rehabkoll.cli import app

    folder = write(
        tmp_path / "in",
        writing.register_certificate(cert()),
        example(SCENARIOS / "fail-diagnosSaknas.xml"),
    )
    shutil.copy(EXAMPLES / "common-lisjp.xml", folder / "zz-bad-number.xml")
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    out = CliRunner().invoke(app, ["import", str(folder), "--db", db])
    assert out.exit_code == 0, out.output
    text = "".join(out.output.split())  # the terminal's line wrapping varies
    assert "1stored,0unchanged,0ignored,2rejected" in text
    assert "0002.xml:svar6(diagnosis):ismissing" in text
    assert "zz-bad-number.xml:patient/person-id/extension" in text
    assert "192703104321" not in out.output  # no personnummer in the report
