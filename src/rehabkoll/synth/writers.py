"""Streaming writers: certificate JSON Lines, the Parquet periods table that
``build-cases`` reads, and the truth side file (CSV or Parquet).

Each writer takes one chunk at a time, so memory stays bounded by the chunk.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

import pyarrow as pa
import pyarrow.parquet as pq

from rehabkoll.cases import bulk
from rehabkoll.synth.certificates import MINUTES_PER_DAY, Cert
from rehabkoll.synth.population import TEST_PATIENTS, Population, date_of, day_of, person_name
from rehabkoll.synth.population import personal_number as number_of
from rehabkoll.synth.regions import Region

# The periods table of the bulk engine, plus what the statistics want of a
# person without a database to look it up in.
PERIODS_SCHEMA = (
    bulk.PERIODS_SCHEMA.append(pa.field("sex", pa.string()))
    .append(pa.field("birth_date", pa.date32()))
    .append(pa.field("doctor_id", pa.string()))
)
TRUTH_SCHEMA = pa.schema(
    [
        ("patient_id", pa.string()),
        ("care_provider_id", pa.string()),
        ("case_start", pa.date32()),
        ("first_certificate_id", pa.string()),
        ("sex", pa.string()),
        ("age", pa.int16()),
        ("diagnosis_group", pa.string()),
        ("diagnosis", pa.string()),
        ("occupation", pa.string()),
        ("p_over_90", pa.float64()),
        ("planned_days", pa.int32()),
        ("over_90", pa.bool_()),
        ("covered_days", pa.int32()),
        ("censored", pa.bool_()),
        ("p_over_90_observed", pa.float64()),
        ("p15_over_90", pa.float64()),
        ("oracle_p15_over_90", pa.float64()),
        ("reached_day_15", pa.bool_()),
        ("degree_at_start", pa.int16()),
        ("unit_kind", pa.string()),
        ("previous_days", pa.int32()),
        ("history_complete", pa.bool_()),
    ]
)
TRUTH_COLUMNS = tuple(TRUTH_SCHEMA.names)
_TEST_BIRTH_DAY = day_of(date(1912, 12, 12))


class Patients:
    """Personal numbers and names of one chunk's people, made when first needed."""

    def __init__(self, population: Population) -> None:
        self.population = population
        self._numbers: dict[int, str] = {}

    def number(self, person: int) -> str:
        if person < 0:
            return TEST_PATIENTS[-1 - person][0]
        known = self._numbers.get(person)
        if known is None:
            known = self._numbers[person] = number_of(self.population, person)
        return known

    def name(self, person: int) -> str:
        if person < 0:
            return TEST_PATIENTS[-1 - person][1]
        return person_name(self.population, person)

    def sex(self, person: int) -> str:
        if person < 0:
            return "M" if int(self.number(person)[-2]) % 2 else "F"
        return "F" if self.population.woman[person] else "M"

    def birth_day(self, person: int) -> int:
        if person < 0:
            return _TEST_BIRTH_DAY
        return int(self.population.birth[person])


class JsonlWriter:
    """Certificates and revocations, one JSON document per line, in time order per chunk."""

    def __init__(self, path: Path | None) -> None:
        self._file: IO[str] = (
            sys.stdout if path is None else open(path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        )
        self._close = path is not None
        self._days: dict[int, str] = {}
        self.lines = 0

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._close:
            self._file.close()
        else:
            self._file.flush()

    def day(self, day: int) -> str:
        text = self._days.get(day)
        if text is None:
            text = self._days[day] = date_of(day).isoformat()
        return text

    def timestamp(self, minutes: int) -> str:
        day, minute = divmod(minutes, MINUTES_PER_DAY)
        return f"{self.day(day)}T{minute // 60:02d}:{minute % 60:02d}:00"

    def write(self, region: Region, patients: Patients, certs: Sequence[Cert]) -> None:
        provider = _json({"id": region.provider_id, "name": region.name})
        units = [_json({"id": u.id, "name": u.name}) for u in region.units]
        doctors = [[_json({"id": d, "name": n}) for d, n in u.doctors] for u in region.units]
        people: dict[int, str] = {}
        events: list[tuple[int, str, str]] = []
        for cert in certs:
            patient = people.get(cert.person)
            if patient is None:
                patient = people[cert.person] = _json(
                    {"id": patients.number(cert.person), "name": patients.name(cert.person)}
                )
            periods = ",".join(
                f'{{"start":"{self.day(a)}","end":"{self.day(b)}","degree":{d}}}'
                for a, b, d in cert.periods
            )
            secondary = ",".join(f'"{c}"' for c in cert.secondary)
            occupation = ",".join(f'"{o}"' for o in cert.occupation)
            replaces = "null" if cert.replaces is None else f'"{cert.replaces}"'
            events.append(
                (
                    cert.signed,
                    cert.id,
                    f'{{"id":"{cert.id}","type":"FK7804",'
                    f'"signed_at":"{self.timestamp(cert.signed)}",'
                    f'"patient":{patient},"doctor":{doctors[cert.unit][cert.doctor]},'
                    f'"unit":{units[cert.unit]},"care_provider":{provider},'
                    f'"diagnosis":{{"code":"{cert.code}","secondary":[{secondary}]}},'
                    f'"occupation":[{occupation}],"periods":[{periods}],'
                    f'"replaces":{replaces},"test":{"true" if cert.test else "false"}}}\n',
                )
            )
            if cert.revoked_at is not None:
                events.append(
                    (
                        cert.revoked_at,
                        cert.id + "~",
                        f'{{"revokes":"{cert.id}",'
                        f'"revoked_at":"{self.timestamp(cert.revoked_at)}"}}\n',
                    )
                )
        events.sort()
        self._file.writelines(line for _, _, line in events)
        self.lines += len(events)


class ParquetPeriodsWriter:
    """The periods of the effective certificates (not test, revoked or replaced)."""

    def __init__(self, path: Path) -> None:
        self._writer = pq.ParquetWriter(path, PERIODS_SCHEMA, compression="zstd")
        self.rows = 0

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._writer.close()

    def write(self, region: Region, patients: Patients, certs: Sequence[Cert]) -> None:
        columns: dict[str, list[Any]] = {name: [] for name in PERIODS_SCHEMA.names}
        for cert in certs:
            if not cert.effective:
                continue
            unit = region.units[cert.unit]
            patient = patients.number(cert.person)
            sex = patients.sex(cert.person)
            birth = patients.birth_day(cert.person)
            for first, last, degree in cert.periods:
                columns["certificate_id"].append(cert.id)
                columns["patient_id"].append(patient)
                columns["unit_id"].append(unit.id)
                columns["signed_at"].append(cert.signed * 60_000_000)  # minutes → µs
                columns["start"].append(first)
                columns["end"].append(last)
                columns["degree"].append(degree)
                columns["diagnosis"].append(cert.code)
                columns["sex"].append(sex)
                columns["birth_date"].append(birth)
                columns["doctor_id"].append(unit.doctors[cert.doctor][0])
        count = len(columns["certificate_id"])
        columns["care_provider_id"] = [region.provider_id] * count
        table = pa.table(
            {
                name: pa.array(columns[name], type=PERIODS_SCHEMA.field(name).type)
                for name in PERIODS_SCHEMA.names
            },
            schema=PERIODS_SCHEMA,
        )
        self._writer.write_table(table)
        self.rows += count


class TruthWriter:
    """Per generated case, the known chance that it lasts more than 90 days."""

    def __init__(self, path: Path) -> None:
        self._parquet = path.suffix.lower() == ".parquet"
        self._pq: pq.ParquetWriter | None = None
        self._csv_file: IO[str] | None = None
        self.rows = 0
        if self._parquet:
            self._pq = pq.ParquetWriter(path, TRUTH_SCHEMA, compression="zstd")
        else:
            self._csv_file = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
            csv.writer(self._csv_file).writerow(TRUTH_COLUMNS)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._csv_file is not None:
            self._csv_file.close()
        if self._pq is not None:
            self._pq.close()

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        self.rows += len(rows)
        if self._csv_file is not None:
            writer = csv.writer(self._csv_file)
            for row in rows:
                writer.writerow(f"{v:.6f}" if isinstance(v, float) else v for v in row)
            return
        assert self._pq is not None
        columns = {
            field.name: pa.array([row[k] for row in rows], type=field.type)
            for k, field in enumerate(TRUTH_SCHEMA)
        }
        self._pq.write_table(pa.table(columns, schema=TRUTH_SCHEMA))


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
