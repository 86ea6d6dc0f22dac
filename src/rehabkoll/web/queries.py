"""What the pages read from the database, gathered into the plain rows of
``rehabkoll.web.worklist``: the work list with patients, doctors and the
coordination state, and the patients' facts."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from rehabkoll.accounts import access
from rehabkoll.cases import service as cases_service
from rehabkoll.cases.engine import DEFAULT_GAP, CaseRow
from rehabkoll.certificates.models import Doctor, ImportBatch, Patient, Unit
from rehabkoll.db.listed import listed
from rehabkoll.exchange import matters
from rehabkoll.fmb import service as fmb_service
from rehabkoll.fmb.rules import Assessment
from rehabkoll.lib import diagnosis_texts
from rehabkoll.risk.answers import Scored
from rehabkoll.web import coordination_facts, risk_rows
from rehabkoll.web.worklist import (
    DIAGNOSIS_GROUPS,
    ENDING_DAYS,
    LENGTH_BANDS,
    CoordinationFacts,
    WorkRow,
    attention,
    case_day,
    diagnosis_group,
    length_band,
    next_milestone,
)

CHUNK = 900


@dataclass(frozen=True, slots=True)
class PatientFacts:
    id: str
    ref: str
    name: str
    birth_date: date
    sex: str
    protected: bool

    def age_on(self, day: date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


def patients_by_id(session: Session, ids: Iterable[str]) -> dict[str, PatientFacts]:
    wanted = sorted(set(ids))
    found: dict[str, PatientFacts] = {}
    for i in range(0, len(wanted), CHUNK):
        query = select(
            Patient.id,
            Patient.ref,
            Patient.name,
            Patient.birth_date,
            Patient.sex,
            Patient.protected,
        ).where(Patient.id.in_(wanted[i : i + CHUNK]))
        for row in session.execute(query):
            found[row[0]] = PatientFacts(*row)
    return found


def patient_by_ref(session: Session, ref: str) -> PatientFacts | None:
    row = session.execute(
        select(
            Patient.id,
            Patient.ref,
            Patient.name,
            Patient.birth_date,
            Patient.sex,
            Patient.protected,
        ).where(Patient.ref == ref)
    ).first()
    return PatientFacts(*row) if row else None


def doctor_names(session: Session, ids: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {
        str(i): str(n)
        for i, n in session.execute(select(Doctor.id, Doctor.name).where(Doctor.id.in_(wanted)))
    }


def unit_names(session: Session, ids: Iterable[str] | None = None) -> dict[str, str]:
    query = select(Unit.id, Unit.name)
    if ids is not None:
        query = query.where(Unit.id.in_(sorted(set(ids))))
    return {str(i): str(n) for i, n in session.execute(query)}


def data_version(session: Session) -> tuple[object, ...]:
    """Changes whenever certificates change: every import, HTTP intake and
    revocation runs in an import batch, whose counters grow as it goes. Summed
    over all batches, so two imports running at once are both seen."""
    row = session.execute(
        select(func.max(ImportBatch.id), func.sum(ImportBatch.lines), func.sum(ImportBatch.stored))
    ).one()
    return tuple(row)


@dataclass(frozen=True, slots=True)
class UnitList:
    """A unit's work list with the facts that do not change between imports:
    the case rows, and per row the work-list row without coordination state."""

    rows: tuple[CaseRow, ...]
    base: dict[CaseRow, WorkRow]
    risks: risk_rows.Risks = field(default_factory=risk_rows.Risks)
    """The risk of each row with the model in force (part of the key)."""


_CACHE: OrderedDict[tuple[object, ...], UnitList] = OrderedDict()
_CACHE_SIZE = 32
_LOCK = threading.Lock()


def unit_list(session: Session, *, unit_id: str, as_of: date, gap: int, recent: int) -> UnitList:
    """The unit's work list, kept in memory until the next import changes the
    certificates (the version check is one indexed query)."""
    bind = session.get_bind()
    database = (bind if isinstance(bind, Engine) else bind.engine).url.render_as_string()
    fmb = fmb_service.catalogue(session, as_of)
    fmb_version = fmb.version.id if fmb is not None else None
    risk = (risk_rows.model_version(session), risk_rows.thresholds())
    key = (database, unit_id, as_of, gap, recent, fmb_version, risk, *data_version(session))
    with _LOCK:
        found = _CACHE.get(key)
        if found is not None:
            _CACHE.move_to_end(key)
            return found
    rows = cases_service.work_list(session, unit_id=unit_id, as_of=as_of, gap=gap, recent=recent)
    patients = patients_by_id(session, (r.patient_id for r in rows))
    doctors = doctor_names(session, (r.doctor_id for r in rows))
    risks = risk_rows.for_rows(session, rows, unit_id=unit_id, as_of=as_of, gap=gap)
    built = UnitList(
        rows=tuple(rows),
        base={
            row: _base_row(row, patients[row.patient_id], doctors, as_of, fmb, risks)
            for row in rows
        },
        risks=risks,
    )
    with _LOCK:
        _CACHE[key] = built
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return built


def protected_ids(session: Session, ids: Iterable[str]) -> set[str]:
    """Which of these patients have a protected identity (read fresh each time:
    the patient register import changes it without an import batch)."""
    wanted = sorted(set(ids))
    found: set[str] = set()
    for i in range(0, len(wanted), CHUNK):
        query = select(Patient.id).where(
            Patient.protected.is_(True), listed(session, Patient.id, wanted[i : i + CHUNK])
        )
        found.update(str(p) for p in session.scalars(query))
    return found


def visible(
    session: Session, listing: UnitList, *, role: str, hsa_id: str | None
) -> tuple[list[CaseRow], set[str]]:
    """The rows of the unit's list this user may see, and which of the unit's
    patients are protected."""
    protected = protected_ids(session, (r.patient_id for r in listing.rows))
    rows = access.visible_rows(
        listing.rows, role=role, hsa_id=hsa_id, protected_patient_ids=protected
    )
    return rows, protected


def _base_row(
    row: CaseRow,
    patient: PatientFacts,
    doctors: dict[str, str],
    as_of: date,
    fmb: fmb_service.Catalogue | None = None,
    risks: risk_rows.Risks | None = None,
) -> WorkRow:
    assessment = fmb.assess((row.diagnosis, *row.secondary_diagnoses), row.days) if fmb else None
    risk = risks.get(row) if risks is not None else None
    day = case_day(row.days, row.days_left)
    milestone, to_milestone = (None, None) if row.recently_ended else next_milestone(day)
    return WorkRow(
        ref=patient.ref,
        patient_id=row.patient_id,
        name=patient.name,
        protected=patient.protected,
        age=patient.age_on(as_of),
        sex=patient.sex,
        diagnosis=row.diagnosis,
        diagnosis_text=diagnosis_texts.text(row.diagnosis),
        occupation=row.occupation,
        start=row.start,
        end=row.end,
        days=row.days,
        net_days=row.net_days,
        certificates=row.certificates,
        degree=row.degree,
        degrees=row.degrees,
        doctor_id=row.doctor_id,
        doctor_name=doctors.get(row.doctor_id, row.doctor_id),
        status="",
        milestone=milestone,
        days_to_milestone=to_milestone,
        recently_ended=row.recently_ended,
        attention=_attention(
            row, milestone, to_milestone, coordination_facts.NONE, as_of, fmb=assessment, risk=risk
        )[0],
        fmb=assessment,
        risk=risk,
        risk_reason=(risk.reason if risk is not None else risks.reason if risks else None) or "",
        fmb_source=f"{fmb_service.SOURCE_NAME} ({fmb.version.label})" if fmb else "",
    )


def _attention(
    row: CaseRow,
    milestone: int | None,
    to_milestone: int | None,
    facts: CoordinationFacts,
    as_of: date,
    ending_days: int = ENDING_DAYS,
    *,
    fmb: Assessment | None = None,
    risk: Scored | None = None,
) -> tuple[tuple[str, ...], int]:
    return attention(
        as_of=as_of,
        days=case_day(row.days, row.days_left),
        days_to_milestone=to_milestone,
        milestone=milestone,
        recently_ended=row.recently_ended,
        facts=facts,
        days_left=row.days_left,
        ending_days=ending_days,
        fmb=fmb,
        risk=risk,
    )


def work_rows(
    session: Session,
    *,
    unit_id: str,
    as_of: date,
    gap: int,
    recent: int,
    role: str,
    hsa_id: str | None,
    ending_days: int = ENDING_DAYS,
) -> list[WorkRow]:
    """The unit's work list as this user may see it, with the coordination state
    and why each case needs attention (``ending_days``: a certificate ending
    within that many days is a reason)."""
    listing = unit_list(session, unit_id=unit_id, as_of=as_of, gap=gap, recent=recent)
    shown, protected = visible(session, listing, role=role, hsa_id=hsa_id)
    facts = coordination_facts.load(
        session, unit_id=unit_id, patient_ids=[r.patient_id for r in shown], as_of=as_of
    )
    open_matters = matters.open_counts(
        session, unit_id=unit_id, patient_ids=[r.patient_id for r in shown], as_of=as_of
    )
    result = []
    for row in shown:
        base = listing.base[row]
        fact = facts.get(row.patient_id, coordination_facts.NONE)
        counts = open_matters.get(row.patient_id, matters.NO_MATTERS)
        if counts.overdue_completion_since is not None:
            fact = replace(fact, overdue_completion=counts.overdue_completion_since)
        reasons, urgency = _attention(
            row,
            base.milestone,
            base.days_to_milestone,
            fact,
            as_of,
            ending_days,
            fmb=base.fmb,
            risk=base.risk,
        )
        base = replace(base, status=fact.status, attention=reasons, urgency=urgency, matters=counts)
        if base.protected != (row.patient_id in protected):
            base = replace(base, protected=row.patient_id in protected)
        result.append(base)
    return result


@dataclass(frozen=True, slots=True)
class Overview:
    """The unit's ongoing cases counted by group, women and men apart."""

    total: int
    women: int
    men: int
    groups: dict[str, dict[str, tuple[int, int]]]
    """dimension → label → (women, men)."""


def overview(session: Session, *, unit_id: str, as_of: date) -> Overview:
    """Counts only: no patient is named, so nothing here is logged."""
    listing = unit_list(session, unit_id=unit_id, as_of=as_of, gap=DEFAULT_GAP, recent=0)
    rows = listing.rows
    sexes = {row.patient_id: listing.base[row].sex for row in rows}
    dims: dict[str, dict[str, list[int]]] = {
        "diagnosis": {label: [0, 0] for label in DIAGNOSIS_GROUPS.values()},
        "degree": {f"{d} %": [0, 0] for d in (25, 50, 75, 100)},
        "length": {band[1]: [0, 0] for band in LENGTH_BANDS},
    }
    women = men = 0
    for row in rows:
        index = 0 if sexes.get(row.patient_id) == "F" else 1
        if index == 0:
            women += 1
        else:
            men += 1
        dims["diagnosis"][DIAGNOSIS_GROUPS[diagnosis_group(row.diagnosis)]][index] += 1
        if row.degree:
            dims["degree"][f"{row.degree} %"][index] += 1
        band = length_band(case_day(row.days, row.days_left))
        dims["length"][next(b[1] for b in LENGTH_BANDS if b[0] == band)][index] += 1
    return Overview(
        total=len(rows),
        women=women,
        men=men,
        groups={
            dim: {label: (counts[0], counts[1]) for label, counts in values.items()}
            for dim, values in dims.items()
        },
    )
