"""Editing an agreement field by field on the admin pages (the national
coordinator), on SQLite and PostgreSQL: saved and logged, refused with the
field named in Swedish and everything typed kept, decisions untouched."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from rehabkoll.accounts.models import User
from rehabkoll.agreement import service
from rehabkoll.agreement.document import AgreementDocument
from rehabkoll.audit.models import AccessLog
from rehabkoll.db.session import session_scope
from tests.web.conftest import csrf_of
from tests.web.test_agreement import Clients, clients

pytestmark = pytest.mark.postgres
__all__ = ["clients"]

EDIT = "/agreement/2016/edit"


def _form(client: TestClient) -> dict[str, str]:
    page = client.get(EDIT).text
    version = re.search(r'name="version" value="([^"]+)"', page)
    assert version is not None
    return {"csrf_token": csrf_of(page), "version": version.group(1)}


def _facts(clients: Clients, **change: str) -> dict[str, str]:
    """The facts form as the page fills it in, with ``change`` typed over it."""
    document = _agreement(clients)
    return {
        **_form(clients.national),
        "title": document.title,
        "signed": document.signed.isoformat() if document.signed else "",
        "total": str(document.total or ""),
        "key_date": document.key_date.isoformat() if document.key_date else "",
        "unearned": str(document.unearned),
        "note": document.note,
        "sources": "\n".join(document.sources),
        **change,
    }


def _agreement(clients: Clients) -> AgreementDocument:
    with session_scope(clients.engine) as session:
        return service.document_of(service.get(session, year=2016))


def _logged(clients: Clients) -> list[str]:
    with session_scope(clients.engine) as session:
        return [d for d in session.scalars(select(AccessLog.detail)) if d and "ändrad" in d]


def test_only_the_national_coordinator_edits(clients: Clients) -> None:
    assert clients.national.get(EDIT).status_code == 200
    assert clients.sormland.get(EDIT).status_code == 403
    answer = clients.sormland.post(
        "/agreement/2016/edit/facts",
        data={"csrf_token": csrf_of(clients.sormland.get("/agreement").text), "title": "X"},
    )
    assert answer.status_code == 403
    assert clients.national.get("/agreement/1999/edit").status_code == 404
    assert "Redigera" in clients.national.get("/agreement/2016").text


def test_facts_are_saved_and_every_change_logged(clients: Clients) -> None:
    answer = clients.national.post(
        "/agreement/2016/edit/facts",
        data=_facts(clients, title="Ny rubrik", signed="2015-12-10", total="5 000 000"),
    )
    assert answer.status_code == 303
    document = _agreement(clients)
    assert (document.title, str(document.signed), document.total) == (
        "Ny rubrik",
        "2015-12-10",
        5_000_000,
    )
    (entry,) = _logged(clients)
    assert "överenskommelse 2016 ändrad (uppgifter)" in entry
    assert "title:" in entry
    assert "total: 1500000000 → 5000000" in entry
    # Saving the same again changes nothing and logs nothing more.
    clients.national.post(
        "/agreement/2016/edit/facts",
        data=_facts(clients, title="Ny rubrik", signed="2015-12-10", total="5000000"),
    )
    assert len(_logged(clients)) == 1


def test_a_bad_field_is_named_in_swedish_and_the_typing_kept(clients: Clients) -> None:
    answer = clients.national.post(
        "/agreement/2016/edit/facts",
        data=_facts(clients, title="Rubrik som jag skrev", total="-5", note="Min text"),
    )
    assert answer.status_code == 422
    assert "Totalbelopp: får inte vara negativt" in answer.text
    assert "Rubrik som jag skrev" in answer.text
    assert "Min text" in answer.text
    assert re.search(r'id="facts-total"[^>]*value="-5"', answer.text)
    answer = clients.national.post(
        "/agreement/2016/edit/facts", data=_facts(clients, title="", total="tusen")
    )
    assert answer.status_code == 422
    assert "Totalbelopp: skriv ett heltal" in answer.text
    answer = clients.national.post("/agreement/2016/edit/facts", data=_facts(clients, title=""))
    assert "Rubrik: får inte vara tom" in answer.text
    assert _agreement(clients).title != ""  # nothing saved
    assert _logged(clients) == []


def _condition(client: TestClient, **change: str) -> dict[str, str]:
    return {
        **_form(client),
        "index": "0",
        "rows": "2",
        "number": "1",
        "title": "Överenskommelsens krav 2016",
        "asks": "",
        "evidence": "",
        "deadline": "2016-10-31",
        "ind-0-indicator": "coordination_function.primary_care",
        "ind-0-comparison": ">=",
        "ind-0-threshold": "80",
        "ind-1-indicator": "sick_leave.length_difference",
        "ind-1-comparison": "<=",
        "ind-1-threshold": "",
        "ind-2-indicator": "",
        **change,
    }


def test_a_condition_with_its_indicators_and_thresholds(clients: Clients) -> None:
    answer = clients.national.post(
        "/agreement/2016/edit/condition",
        data=_condition(
            clients.national,
            title="Koordinering",
            **{"ind-0-threshold": "80,5", "ind-2-indicator": "plan_for_closing.over_365"},
        ),
    )
    assert answer.status_code == 303
    (condition,) = _agreement(clients).conditions
    assert condition.title == "Koordinering"
    assert str(condition.deadline) == "2016-10-31"
    assert [(r.indicator, r.comparison, r.threshold) for r in condition.indicators] == [
        ("coordination_function.primary_care", ">=", 80.5),
        ("sick_leave.length_difference", "<=", None),
        ("plan_for_closing.over_365", ">=", None),
    ]
    bad = clients.national.post(
        "/agreement/2016/edit/condition",
        data=_condition(clients.national, **{"ind-1-threshold": "mycket", "deadline": "31/10"}),
    )
    assert bad.status_code == 422
    assert "Tröskel: skriv ett tal" in bad.text
    assert "Sista dag för underlag: är inget datum" in bad.text
    assert 'value="mycket"' in bad.text


def test_adding_and_removing_a_condition_and_a_part(clients: Clients) -> None:
    new = _condition(clients.national, index="new", rows="0", number="2", title="Nytt villkor")
    new.pop("ind-1-indicator")
    new["ind-0-indicator"] = ""
    assert clients.national.post("/agreement/2016/edit/condition", data=new).status_code == 303
    assert [c.number for c in _agreement(clients).conditions] == ["1", "2"]
    # The same number twice is refused, named.
    again = clients.national.post(
        "/agreement/2016/edit/condition", data={**new, **_form(clients.national)}
    )
    assert again.status_code == 422
    assert "Nummer: finns redan" in again.text
    part = {
        **_form(clients.national),
        "index": "new",
        "rows": "0",
        "id": "villkor-2",
        "kind": "conditional",
        "title": "Villkor 2",
        "amount": "100 000 000",
        "condition": "2",
        "recipient": "",
        "note": "",
        "inst-0-date": "2016-04-30",
        "inst-0-amount": "60 000 000",
        "inst-0-note": "",
    }
    assert clients.national.post("/agreement/2016/edit/part", data=part).status_code == 303
    added = _agreement(clients).parts[-1]
    assert (added.amount, added.condition, [i.amount for i in added.instalments]) == (
        100_000_000,
        "2",
        [60_000_000],
    )
    # Instalments over the part's amount: refused, named.
    index = str(len(_agreement(clients).parts) - 1)
    over = {**part, **_form(clients.national), "index": index, "inst-0-amount": "2e8"}
    answer = clients.national.post("/agreement/2016/edit/part", data=over)
    assert "Belopp: skriv ett heltal" in answer.text
    over["inst-0-amount"] = "200 000 000"
    answer = clients.national.post("/agreement/2016/edit/part", data=over)
    assert answer.status_code == 422
    assert "utbetalningarna är tillsammans mer än delens belopp" in answer.text
    # A conditional part without its condition: named in Swedish.
    answer = clients.national.post(
        "/agreement/2016/edit/part",
        data={**part, **_form(clients.national), "index": "new", "id": "x", "condition": ""},
    )
    assert "Villkor: en villkorad del måste ange sitt villkor" in answer.text
    # Condition 2 has a part: it cannot be removed before the part.
    remove = {**_form(clients.national), "what": "condition", "index": "1"}
    answer = clients.national.post("/agreement/2016/edit/remove", data=remove)
    assert answer.status_code == 422
    assert "delen villkor-2 hör till villkoret" in answer.text
    remove_part = {**_form(clients.national), "what": "part", "index": index}
    assert clients.national.post("/agreement/2016/edit/remove", data=remove_part).status_code == 303
    remove = {**_form(clients.national), "what": "condition", "index": "1"}
    assert clients.national.post("/agreement/2016/edit/remove", data=remove).status_code == 303
    assert [c.number for c in _agreement(clients).conditions] == ["1"]


def test_a_published_decision_is_never_changed_by_editing(clients: Clients) -> None:
    with session_scope(clients.engine) as session:
        user = session.scalar(select(User).where(User.username == "nationell"))
        assert user is not None
        decision = service.decide(
            session, year=2016, condition="1", region="04", met=True, reason="Ok", user=user
        )
        service.publish_decisions(session, year=2016, user=user)
        decision_id = decision.id
    # Renumbering condition 1 is refused: it has a published decision.
    answer = clients.national.post(
        "/agreement/2016/edit/condition", data=_condition(clients.national, number="1a")
    )
    assert answer.status_code == 422
    assert "villkor 1: det finns publicerade beslut" in answer.text
    # Changing its title is allowed and leaves the decision as it was.
    assert (
        clients.national.post(
            "/agreement/2016/edit/condition", data=_condition(clients.national, title="Ny")
        ).status_code
        == 303
    )
    with session_scope(clients.engine) as session:
        (kept,) = service.decisions(session, year=2016)
        assert (kept.id, kept.met, kept.reason, kept.published_at is not None) == (
            decision_id,
            True,
            "Ok",
            True,
        )
    assert "har publicerade beslut" in clients.national.get(EDIT).text


def test_a_change_made_meanwhile_is_not_overwritten(clients: Clients) -> None:
    stale = _facts(clients, title="Min ändring")
    clients.national.post("/agreement/2016/edit/facts", data=_facts(clients, title="Först"))
    answer = clients.national.post("/agreement/2016/edit/facts", data=stale)
    assert answer.status_code == 409
    assert "ändrats av någon annan" in answer.text
    assert "Min ändring" in answer.text
    assert _agreement(clients).title == "Först"
