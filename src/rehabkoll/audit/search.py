"""Searching the access log page by page (no cut-off: every entry can be
reached), and a patient's log extract (registerutdrag) as CSV and PDF, in the
words the web shows: Swedish roles and actions, units and users by name, times
in Swedish local time.

An entry is one access (a work list, a patient page, an API call) and names
a patient list; a search by patient finds the lists of that patient (index
of ``access_log_patients``) and then every entry that names one of them
(index on ``access_log.patient_list_id``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, func, select
from sqlalchemy.orm import Session

from rehabkoll.accounts.models import User
from rehabkoll.accounts.roles import Role
from rehabkoll.audit.details import detail_text
from rehabkoll.audit.models import AccessLog, AccessLogList, AccessLogPatient, Action
from rehabkoll.certificates.models import Doctor, Unit
from rehabkoll.lib.formats import count, moment

PAGE_SIZE = 200
ROLE_WORDS = {"cli": "Kommandorad"}
_PATIENTS = cast(Table, AccessLogPatient.__table__)
_LISTS = cast(Table, AccessLogList.__table__)


@dataclass(frozen=True, slots=True)
class Filters:
    patient_id: str | None = None
    username: str | None = None
    unit_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None  # exclusive


@dataclass(frozen=True, slots=True)
class Entry:
    """One access-log entry as it is shown: ``patients`` is how many patients
    the entry read; ``patient_id`` the patient searched for, else the entry's
    only patient (None for an entry of several patients or of none)."""

    id: int
    at: datetime
    user_id: int | None
    username: str
    role: str
    unit_id: str | None
    action: str
    purpose: str
    detail: str
    patients: int
    patient_id: str | None

    @property
    def patient_text(self) -> str:
        """The Patient column: the personnummer, "1 500 patienter", or "–"."""
        if self.patient_id is not None:
            return self.patient_id
        return count(self.patients, "patient", "patienter") if self.patients else "–"


def _where(query: Select[Any], f: Filters) -> Select[Any]:
    if f.patient_id is not None:
        lists = select(_PATIENTS.c.list_id).where(_PATIENTS.c.patient_id == f.patient_id)
        query = query.where(AccessLog.patient_list_id.in_(lists))
    if f.username is not None:
        query = query.where(AccessLog.username == f.username)
    if f.unit_id is not None:
        query = query.where(AccessLog.unit_id == f.unit_id)
    if f.since is not None:
        query = query.where(AccessLog.at >= f.since)
    if f.until is not None:
        query = query.where(AccessLog.at < f.until)
    return query


_COLUMNS = [
    getattr(AccessLog, name)
    for name in (
        "id",
        "at",
        "user_id",
        "username",
        "role",
        "unit_id",
        "action",
        "purpose",
        "detail",
    )
]


def _entries(
    session: Session, filters: Filters, *, offset: int = 0, limit: int | None = None
) -> list[Entry]:
    query = (
        _where(select(*_COLUMNS, AccessLog.patient_list_id, _LISTS.c.patients), filters)
        .outerjoin(_LISTS, _LISTS.c.id == AccessLog.patient_list_id)
        .order_by(AccessLog.at.desc(), AccessLog.id.desc())
        .offset(offset)
        .limit(limit)
    )
    rows = session.execute(query).all()
    # The patient of each list of one patient on the page, to show it.
    singles = sorted({int(r[-2]) for r in rows if r[-1] == 1})
    only: dict[int, str] = {}
    for start in range(0, len(singles), 500):
        chunk = singles[start : start + 500]
        for list_id, patient in session.execute(
            select(_PATIENTS.c.list_id, _PATIENTS.c.patient_id).where(
                _PATIENTS.c.list_id.in_(chunk)
            )
        ):
            only[int(list_id)] = str(patient)
    found = []
    for row in rows:
        entry_id, at, user_id, username, role, unit_id, action, purpose, detail = row[:9]
        list_id, patients = row[9], int(row[10] or 0)
        shown = filters.patient_id or (only.get(int(list_id)) if patients == 1 else None)
        found.append(
            Entry(
                id=entry_id,
                at=at,
                user_id=user_id,
                username=username,
                role=role,
                unit_id=unit_id,
                action=action,
                purpose=purpose,
                detail=detail,
                patients=patients,
                patient_id=shown,
            )
        )
    return found


def page(
    session: Session, filters: Filters, *, number: int = 1, size: int = PAGE_SIZE
) -> tuple[list[Entry], int]:
    """Page ``number`` (from 1) of the matching entries, newest first, and how many match."""
    total: int = session.scalar(_where(select(func.count(AccessLog.id)), filters)) or 0
    return _entries(session, filters, offset=(max(number, 1) - 1) * size, limit=size), total


def every(session: Session, filters: Filters, *, limit: int | None = None) -> list[Entry]:
    """Every matching entry (or the newest ``limit``), newest first: a patient's extract."""
    return _entries(session, filters, limit=limit)


@dataclass(frozen=True, slots=True)
class Names:
    """What the pages show instead of ids: units, users and doctors by name."""

    units: dict[str, str]
    users: dict[str, str]  # username → the person's name (doctors: from the register)

    def unit(self, unit_id: str | None) -> str:
        return "–" if not unit_id else self.units.get(unit_id, unit_id)

    def user(self, username: str) -> str:
        name = self.users.get(username)
        return f"{name} ({username})" if name else username


def names(session: Session, rows: Sequence[Entry]) -> Names:
    unit_ids = sorted({r.unit_id for r in rows if r.unit_id})
    usernames = sorted({r.username for r in rows})
    units = (
        {
            str(i): str(n)
            for i, n in session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids)))
        }
        if unit_ids
        else {}
    )
    users: dict[str, str] = {}
    if usernames:
        for username, full_name, doctor_name in session.execute(
            select(User.username, User.full_name, Doctor.name)
            .outerjoin(Doctor, Doctor.id == User.hsa_id)
            .where(User.username.in_(usernames))
        ):
            name = full_name or doctor_name
            if name:
                users[str(username)] = str(name)
    return Names(units, users)


def role_word(role: str) -> str:
    try:
        return Role(role).label
    except ValueError:
        return ROLE_WORDS.get(role, role)


def action_word(action: str) -> str:
    try:
        return Action(action).label
    except ValueError:
        return action


HEADERS = (
    "Tid",
    "Användare",
    "Roll",
    "Vårdenhet",
    "Vårdenhetens HSA-id",
    "Patient",
    "Händelse",
    "Syfte",
    "Detalj",
)


def _line(row: Entry, known: Names) -> list[str]:
    return [
        moment(row.at),
        known.user(row.username),
        role_word(row.role),
        known.unit(row.unit_id),
        row.unit_id or "",
        row.patient_id or (row.patient_text if row.patients else ""),
        action_word(row.action),
        row.purpose,
        detail_text(row.detail),
    ]


def extract_csv(rows: Sequence[Entry], known: Names) -> bytes:
    """The extract for Swedish Excel: UTF-8 with BOM, semicolons, Swedish headers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow(_line(row, known))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def extract_pdf(rows: Sequence[Entry], known: Names, *, patient_id: str, made: datetime) -> bytes:
    """The patient's log extract as a PDF: who read or changed their data, when, why."""
    from fpdf import FPDF

    def text(value: str) -> str:
        return value.replace("–", "-").encode("latin-1", "replace").decode("latin-1")

    pdf = FPDF(orientation="L", format="A4")
    pdf.set_title(text("Registerutdrag ur åtkomstloggen"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 9, text("Registerutdrag ur åtkomstloggen"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(
        0,
        5,
        text(
            f"Patient {patient_id}. Alla läsningar och ändringar av patientens uppgifter i "
            f"rehabkoll, nyaste först, {len(rows)} poster. Tider i svensk tid. "
            f"Utdraget gjordes {moment(made)}."
        ),
    )
    pdf.ln(2)
    widths = (30, 50, 30, 55, 40, 35, 37)
    heads = ("Tid", "Användare", "Roll", "Vårdenhet", "Händelse", "Syfte", "Detalj")
    pdf.set_font("Helvetica", "B", 8)
    for width, head in zip(widths, heads, strict=True):
        pdf.cell(width, 6, text(head), border="B")
    pdf.ln()
    pdf.set_font("Helvetica", "", 8)
    for row in rows:
        line = _line(row, known)
        cells = (line[0], line[1], line[2], line[3], line[6], line[7], line[8])
        for width, value in zip(widths, cells, strict=True):
            pdf.cell(width, 5, text(value[: int(width / 1.6)]))
        pdf.ln()
    return bytes(pdf.output())
