"""The access log's "Detalj" column is Swedish for every detail the web
pages, the API and the CLI write (audit/details.py, one mapping)."""

from __future__ import annotations

import html
import re

from sqlalchemy import Engine, select

from rehabkoll.accounts import service as accounts
from rehabkoll.audit.details import WORDS, detail_text
from rehabkoll.audit.models import AccessLog, Action
from rehabkoll.audit.service import log_access
from rehabkoll.db.session import session_scope
from tests.factories import UNIT
from tests.web.conftest import Data, Login, form_token
from tests.web.test_patient import ref_of

ENGLISH = re.compile(
    r"\b(record|unit|units|tasks?|my|done|message|contact|meeting|referral|withdrawn|"
    r"consent|name|diagnosis|days|end|start|degrees|doctor|age|sex|occupation)\b"
)
"""Developer words the callers write (matched case-sensitively: Swedish words
such as "Status", "Plan" and "Start" are written with a capital)."""


def test_known_details_read_in_swedish() -> None:
    # Hand-worked: each written form → the words in the table.
    assert detail_text("coordination record") == "Koordineringsjournalen"
    assert detail_text("done") == "Uppgift markerad som klar"
    assert detail_text("unit tasks") == "Enhetens uppgifter"
    assert detail_text("unit SE2321000016-0002") == "Annan enhet: SE2321000016-0002"
    assert detail_text("message 17") == "Meddelande 17"
    assert detail_text("rehabkoll cases, 2026-12-05") == "Kommandot rehabkoll cases, 2026-12-05"
    # an old export's column keys, and a new one's labels (unchanged)
    assert detail_text("Excel: name, days, end") == "Excel: Namn, Dagar, Slut"
    assert detail_text("Excel: Namn, Dagar") == "Excel: Namn, Dagar"
    # unknown details, and those already Swedish, stay as written
    assert detail_text("12 poster, csv") == "12 poster, csv"
    assert detail_text("") == ""
    for written, shown in WORDS.items():
        assert not ENGLISH.search(shown), (written, shown)


def detail_cells(page: str) -> list[str]:
    rows = re.findall(r"<tr><td>.*?</tr>", page, flags=re.S)
    return [html.unescape(re.findall(r"<td>(.*?)</td>", row, flags=re.S)[-1]) for row in rows]


def test_the_admin_audit_page_shows_no_english_detail(
    as_user: Login, data: Data, engine: Engine
) -> None:
    koord = as_user("koord")
    ref = ref_of(engine, data.anna)
    koord.get(f"/patients/{ref}/coordination")  # "coordination record"
    koord.get("/tasks")  # "my tasks"
    koord.get("/tasks/unit")  # "unit tasks"
    koord.get("/cases/export.xlsx")  # "Excel: …" with the columns
    # What the other writers put in (the forms of the record, another unit's
    # case, a message handled, the CLI's reads), written as they write them.
    written = [*WORDS, "unit SE0000000000-OTHER", "message 3", "rehabkoll patient, 2026-12-05"]
    with session_scope(engine) as session:
        user = accounts.get_user(session, username="koord")
        assert user is not None
        for detail in written:
            log_access(
                session,
                user=user,
                role=user.role,
                unit_id=UNIT,
                patient_ids=[data.anna],
                action=Action.PATIENT_VIEW,
                purpose="Rehabiliteringskoordinering",
                detail=detail,
            )
    with session_scope(engine) as session:
        stored = set(session.scalars(select(AccessLog.detail).where(AccessLog.username == "koord")))
    assert {"coordination record", "my tasks", "unit tasks"} <= stored  # the pages wrote them
    admin = as_user("admin")
    token = form_token(admin, "/admin/audit")
    page = admin.post("/admin/audit", data={"username": "koord", "csrf_token": token}).text
    cells = detail_cells(page)
    assert "Koordineringsjournalen" in cells
    assert "Mina uppgifter" in cells
    assert "Annan enhet: SE0000000000-OTHER" in cells
    assert any(c.startswith("Excel: Namn") for c in cells)
    english = [c for c in cells if ENGLISH.search(c)]
    assert english == []
