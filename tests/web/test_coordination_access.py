"""The coordination routes that take a patient *and* an entry id
(``…/consent/{id}/withdraw``, ``…/task/{id}/done``): each tries the swap.

Before the fix the route checked only that the user could open the patient
in the URL, then changed whatever entry the id named at the unit: another
patient's consent could be withdrawn through Anna's page (and the access log
then named Anna), even a protected patient's whose page the coordinator may
not open. Every test below that expects 404 got 303 on that code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from rehabkoll.accounts import service as accounts
from rehabkoll.audit.models import AccessLog
from rehabkoll.coordination import service as coordination
from rehabkoll.coordination.models import Consent, Task
from rehabkoll.db.session import session_scope
from tests.audit_helpers import patients_read
from tests.factories import OTHER_UNIT, UNIT
from tests.web.conftest import Data, Login, form_token
from tests.web.test_patient import ref_of

TODAY = date.today()


@dataclass(frozen=True)
class Entries:
    """One consent and one task per (patient, unit) the tests swap in."""

    consents: dict[tuple[str, str], int]
    tasks: dict[tuple[str, str], int]


def make_entries(engine: Engine, data: Data) -> Entries:
    """Entries recorded by coordinators (koord works in both units, so the
    other unit's entry is one that koord's colleague there could have made)."""
    owners = [
        (data.anna, UNIT),
        (data.bertil, UNIT),
        (data.cecilia, UNIT),  # protected: koord may not open her page
        (data.anna, OTHER_UNIT),  # the same patient at another unit
    ]
    consents: dict[tuple[str, str], int] = {}
    tasks: dict[tuple[str, str], int] = {}
    with session_scope(engine) as session:
        user = accounts.get_user(session, username="koord")
        assert user is not None
        for patient, unit in owners:
            consents[patient, unit] = coordination.add_consent(
                session,
                patient_id=patient,
                unit_id=unit,
                parties=["employer"],
                valid_from=TODAY,
                valid_to=None,
                user=user,
            ).id
            tasks[patient, unit] = coordination.add_task(
                session,
                patient_id=patient,
                unit_id=unit,
                title="Ring arbetsgivaren",
                due=None,
                assignee="koord",
                user=user,
            ).id
    return Entries(consents, tasks)


def withdrawn(engine: Engine, consent_id: int) -> bool:
    with session_scope(engine) as session:
        return session.get_one(Consent, consent_id).withdrawn_on is not None


def done(engine: Engine, task_id: int) -> bool:
    with session_scope(engine) as session:
        return session.get_one(Task, task_id).done


def changes_logged(engine: Engine) -> list[str]:
    """The patients of every coordination change in the access log."""
    with session_scope(engine) as session:
        return patients_read(session, AccessLog.action == "coordination_update")


@dataclass(frozen=True)
class Route:
    """One route taking a patient and an entry: how to call it, how to see its effect."""

    name: str
    entries: Callable[[Entries], dict[tuple[str, str], int]]
    path: str
    fields: dict[str, str]
    changed: Callable[[Engine, int], bool]


ROUTES = [
    Route(
        "withdraw consent",
        lambda e: e.consents,
        "/patients/{ref}/coordination/consent/{id}/withdraw",
        {"on": TODAY.isoformat()},
        withdrawn,
    ),
    Route(
        "task done",
        lambda e: e.tasks,
        "/patients/{ref}/coordination/task/{id}/done",
        {},
        done,
    ),
]


def call(client: TestClient, engine: Engine, route: Route, patient: str, entry: int) -> int:
    path = route.path.format(ref=ref_of(engine, patient), id=entry)
    answer = client.post(path, data={**route.fields, "csrf_token": form_token(client)})
    return answer.status_code


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_another_patients_entry_cannot_be_changed_through_a_patients_url(
    route: Route, as_user: Login, data: Data, engine: Engine
) -> None:
    ids = route.entries(make_entries(engine, data))
    client = as_user("koord")  # works in UNIT now
    bertils = ids[data.bertil, UNIT]
    # Bertil's entry through Anna's URL: both patients at koord's unit, both
    # open to koord, but the entry is not Anna's.
    assert call(client, engine, route, data.anna, bertils) == 404
    assert not route.changed(engine, bertils)
    assert changes_logged(engine) == []
    # Through Bertil's own URL it works, and the log names Bertil.
    assert call(client, engine, route, data.bertil, bertils) == 303
    assert route.changed(engine, bertils)
    assert changes_logged(engine) == [data.bertil]


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_a_protected_patients_entry_cannot_be_reached_by_a_swap(
    route: Route, as_user: Login, data: Data, engine: Engine
) -> None:
    ids = route.entries(make_entries(engine, data))
    client = as_user("koord")
    cecilias = ids[data.cecilia, UNIT]
    assert call(client, engine, route, data.anna, cecilias) == 404
    # Her own URL is closed to a coordinator (protected identity).
    assert call(client, engine, route, data.cecilia, cecilias) == 403
    assert not route.changed(engine, cecilias)
    assert changes_logged(engine) == []


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_the_same_patients_entry_at_another_unit_cannot_be_changed(
    route: Route, as_user: Login, data: Data, engine: Engine
) -> None:
    ids = route.entries(make_entries(engine, data))
    client = as_user("koord")  # in UNIT; the entry is Anna's record at OTHER_UNIT
    elsewhere = ids[data.anna, OTHER_UNIT]
    assert call(client, engine, route, data.anna, elsewhere) == 404
    assert not route.changed(engine, elsewhere)
    # Anna's own entry at this unit: fine.
    assert call(client, engine, route, data.anna, ids[data.anna, UNIT]) == 303
    assert changes_logged(engine) == [data.anna]


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_another_users_entry_is_out_of_reach_of_a_doctor_and_an_unknown_id_is_404(
    route: Route, as_user: Login, data: Data, engine: Engine
) -> None:
    ids = route.entries(make_entries(engine, data))
    # koord's entry on Anna, whom doctor lakare may read: doctors do not keep
    # the record, so the change is refused by role before the entry is looked up.
    doctor = as_user("lakare")
    annas = ids[data.anna, UNIT]
    assert call(doctor, engine, route, data.anna, annas) == 403
    assert not route.changed(engine, annas)
    coordinator = as_user("koord")
    assert call(coordinator, engine, route, data.anna, max(ids.values()) + 1000) == 404
    assert changes_logged(engine) == []
