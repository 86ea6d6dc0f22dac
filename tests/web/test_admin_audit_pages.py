"""The access-log search pages through every entry, shows roles, actions and
units in Swedish words, and gives a patient's log extract as PDF and CSV."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from sqlalchemy import Engine

from rehabkoll.accounts import service as accounts
from rehabkoll.audit.models import Action
from rehabkoll.audit.service import log_access
from rehabkoll.db.session import session_scope
from tests.factories import UNIT, pnr
from tests.web.conftest import Data, Login, form_token
from tests.web.test_patient import ref_of

START = datetime(2026, 11, 2, 8, 0)


def test_the_search_pages_through_more_than_a_thousand_entries(
    as_user: Login, engine: Engine
) -> None:
    # 1,050 entries by koord, more than the old cut-off at 1,000: first a work
    # list of 1,500 patients (one entry), then 1,049 patient pages, a minute apart.
    with session_scope(engine) as session:
        koord = accounts.get_user(session, username="koord")
        assert koord is not None
        for n in range(1050):
            log_access(
                session,
                user=koord,
                role=koord.role,
                unit_id=UNIT,
                patient_ids=[f"p-{m:04d}" for m in range(1500)] if n == 0 else [f"p-{n:04d}"],
                action=Action.WORKLIST_VIEW if n == 0 else Action.PATIENT_VIEW,
                purpose="Rehabiliteringskoordinering",
                at=START + timedelta(minutes=n),
            )
    admin = as_user("admin")
    token = form_token(admin, "/admin/audit")
    first = admin.post("/admin/audit", data={"username": "koord", "csrf_token": token})
    assert "1050 loggposter" in first.text
    assert "sida 1 av 6" in first.text  # 200 a page: 5 full pages and 50
    last = admin.post("/admin/audit", data={"username": "koord", "page": "6", "csrf_token": token})
    assert "visar 1001–1050" in last.text
    assert last.text.count("<tr><td>") == 50
    # Swedish words and names: the role, the action, the unit by name with its id on hover.
    assert "Rehabkoordinator" in last.text
    assert "Arbetslista visad" in last.text
    # The oldest entry, the work list, names 1,500 patients; the others one each.
    assert "<td>1\u00a0500\u00a0patienter</td>" in last.text
    assert "<td>p-0001</td>" in last.text
    assert f'title="HSA-id {UNIT}">Vårdcentralen' in last.text


def test_a_patients_log_extract_as_csv_and_pdf_is_itself_logged(
    as_user: Login, data: Data, engine: Engine
) -> None:
    reader = as_user("koord")
    reader.get(f"/patients/{ref_of(engine, data.anna)}")
    reader.post("/logout", data={"csrf_token": form_token(reader)})
    admin = as_user("admin")
    token = form_token(admin, "/admin/audit")
    page = admin.post("/admin/audit", data={"patient": data.anna, "csrf_token": token})
    assert "Registerutdrag för patienten" in page.text
    answer = admin.post(
        "/admin/audit/extract", data={"patient": data.anna, "format": "csv", "csrf_token": token}
    )
    assert answer.status_code == 200
    assert data.anna not in answer.headers.get("content-disposition", "")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Tid", "Användare", "Roll"]
    assert [r[6] for r in rows[1:]] == ["Patient visad"]
    pdf = admin.post(
        "/admin/audit/extract", data={"patient": data.anna, "format": "pdf", "csrf_token": token}
    )
    assert pdf.content.startswith(b"%PDF")
    again = admin.post("/admin/audit", data={"patient": data.anna, "csrf_token": token})
    assert again.text.count("Export") == 2  # the two extracts are in the log too


def test_only_an_admin_takes_out_an_extract(as_user: Login, data: Data) -> None:
    client = as_user("koord")
    answer = client.post(
        "/admin/audit/extract",
        data={"patient": data.anna, "format": "csv", "csrf_token": form_token(client)},
    )
    assert answer.status_code == 403


def test_an_extract_needs_a_valid_personnummer(as_user: Login) -> None:
    admin = as_user("admin")
    token = form_token(admin, "/admin/audit")
    answer = admin.post(
        "/admin/audit/extract", data={"patient": pnr(1)[:-1] + "0", "csrf_token": token}
    )
    assert answer.status_code == 422
