"""Searching the access log page by page (no cut-off: every entry can be
reached), and a patient's log extract (registerutdrag) as CSV and PDF, in the
words the web shows: Swedish roles and actions, units and users by name, times
in Swedish local time."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from rehabkoll.accounts.models import User
from rehabkoll.accounts.roles import Role
from rehabkoll.audit.details import detail_text
from rehabkoll.audit.models import AccessLog, Action
from rehabkoll.certificates.models import Doctor, Unit
from rehabkoll.lib.formats import moment

PAGE_SIZE = 200
ROLE_WORDS = {"cli": "Kommandorad"}


@dataclass(frozen=True, slots=True)
class Filters:
    patient_id: str | None = None
    username: str | None = None
    unit_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None  # exclusive


def _where(query: Select[Any], f: Filters) -> Select[Any]:
    if f.patient_id is not None:
        query = query.where(AccessLog.patient_id == f.patient_id)
    if f.username is not None:
        query = query.where(AccessLog.username == f.username)
    if f.unit_id is not None:
        query = query.where(AccessLog.unit_id == f.unit_id)
    if f.since is not None:
        query = query.where(AccessLog.at >= f.since)
    if f.until is not None:
        query = query.where(AccessLog.at < f.until)
    return query


def page(
    session: Session, filters: Filters, *, number: int = 1, size: int = PAGE_SIZE
) -> tuple[list[AccessLog], int]:
    """Page ``number`` (from 1) of the matching entries, newest first, and how many match."""
    total: int = session.scalar(_where(select(func.count(AccessLog.id)), filters)) or 0
    rows = session.scalars(
        _where(select(AccessLog), filters)
        .order_by(AccessLog.at.desc(), AccessLog.id.desc())
        .offset((max(number, 1) - 1) * size)
        .limit(size)
    )
    return list(rows), total


def every(session: Session, filters: Filters) -> list[AccessLog]:
    """Every matching entry, newest first (a patient's extract)."""
    return list(
        session.scalars(
            _where(select(AccessLog), filters).order_by(AccessLog.at.desc(), AccessLog.id.desc())
        )
    )


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


def names(session: Session, rows: Sequence[AccessLog]) -> Names:
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


def _line(row: AccessLog, known: Names) -> list[str]:
    return [
        moment(row.at),
        known.user(row.username),
        role_word(row.role),
        known.unit(row.unit_id),
        row.unit_id or "",
        row.patient_id or "",
        action_word(row.action),
        row.purpose,
        detail_text(row.detail),
    ]


def extract_csv(rows: Sequence[AccessLog], known: Names) -> bytes:
    """The extract for Swedish Excel: UTF-8 with BOM, semicolons, Swedish headers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow(_line(row, known))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def extract_pdf(
    rows: Sequence[AccessLog], known: Names, *, patient_id: str, made: datetime
) -> bytes:
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
