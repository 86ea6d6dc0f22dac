"""The patient page's risk section and the doctor's own view of the risk
(läkarens bedömning): what is shown, who may give a view, what is stored and
logged, and that a form with a problem comes back as it was filled in.

The web tests' data (tests/web/conftest.py) with the test model of
tests/risk_helpers.py stored as version 1: Anna's case at unit 1 started 100
days ago and is ongoing (her doctor is ``lakare``); Bertil's started 20 days
ago (``lakare2``); Erik's ended 3 days ago."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from rehabkoll.accounts import service as accounts
from rehabkoll.audit.models import AccessLog
from rehabkoll.db.session import session_scope
from rehabkoll.lib.formats import percent
from rehabkoll.risk.opinions import Opinion, RiskOpinion
from tests.factories import DOCTOR, OTHER_UNIT
from tests.risk_helpers import store_model
from tests.web.conftest import PASSWORD, TODAY, Data, Login, csrf_of, day, login
from tests.web.test_patient import actions, ref_of

ANNA_START = day(-100)
BERTIL_START = day(-20)


@pytest.fixture
def model(engine: Engine) -> int:
    return store_model(engine)


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden field {name}"
    return found.group(1)


def _opinion_form(html: str) -> dict[str, str]:
    """The fields of the (first) opinion form of the page, as the browser sends them."""
    form = html[html.index('class="risk-opinion') :]
    return {
        "csrf_token": csrf_of(html),
        **{name: _hidden(form, name) for name in ("case", "version", "horizon", "given")},
    }


def _opinions(engine: Engine) -> list[RiskOpinion]:
    with session_scope(engine) as session:
        rows = list(session.scalars(select(RiskOpinion).order_by(RiskOpinion.id)))
        session.expunge_all()
        return rows


def test_the_coordinator_sees_the_risk_with_its_parts(
    as_user: Login, data: Data, engine: Engine, model: int
) -> None:
    page = as_user("koord").get(f"/patients/{ref_of(engine, data.anna)}")
    assert page.status_code == 200
    text = page.text
    assert f'id="risk-{ANNA_START}"' in text
    # The risk in percent with a decimal comma, and its Swedish category.
    value = re.search(r'class="risk-value">([^<]+)<', text)
    assert value
    assert re.fullmatch(r"\d{1,3},\d\u00a0%", value.group(1))
    assert re.search(r"(Måttlig|Hög|Mycket hög) risk</span>", text)
    # The diagnosis average of the model's training cases of F43.
    assert "Genomsnitt för diagnosen F43 i regionens historik" in text
    assert text.count("<li>") >= 3
    assert re.search(r"<li>[^<]+: (höjer|sänker)</li>", text), "the explanation"
    assert f"Modellversion {model}, tränad på utfall kända 2024-12-31" in text
    assert f'id="risk-chart-{ANNA_START}"' in text, "the chart of the estimates"
    # Anna's case has covered 101 days (121 certified, 20 of them ahead): past
    # day 90 the question is more than 180 days, given more than 90; the
    # chart and its table keep every earlier estimate of "more than 90 days"
    # (from day 15, and the re-estimates from day 16, 31, 46 and 61) beside
    # those of 180 and 365 days made from day 91.
    assert (
        "Risk för sjukfall <strong>&gt;180 dagar</strong>, givet att det pågått mer än 90" in text
    )
    estimates = re.findall(r"<tr><td>(\d+)</td><td>&gt;(\d+) dagar</td>", text)
    assert estimates == [
        ("15", "90"),
        ("16", "90"),
        ("31", "90"),
        ("46", "90"),
        ("61", "90"),
        ("91", "180"),
        ("91", "365"),
    ]
    # A coordinator sees no form for the doctor's view.
    assert 'class="risk-opinion' not in text
    # The read of the page (risk included) is logged as a patient read.
    assert actions(engine, data.anna) == ["patient_view"]


def test_without_a_model_or_basis_the_risk_is_not_computed_and_says_why(
    as_user: Login, data: Data, engine: Engine
) -> None:
    client = as_user("koord")
    page = client.get(f"/patients/{ref_of(engine, data.anna)}").text
    assert "<strong>Ej beräknad:</strong> Ingen riskmodell är tränad." in page
    store_model(engine)
    ended = client.get(f"/patients/{ref_of(engine, data.erik)}").text
    assert "<strong>Ej beräknad:</strong> Sjukfallet är avslutat." in ended


def test_a_doctor_gives_a_view_it_is_stored_logged_and_shown_to_the_coordinator(
    as_user: Login, data: Data, engine: Engine, model: int, app_client: TestClient
) -> None:
    ref = ref_of(engine, data.anna)
    doctor = as_user("lakare")
    page = doctor.get(f"/patients/{ref}").text
    shown = re.search(r'class="risk-value">([^<]+)<', page)
    assert shown
    form = _opinion_form(page)
    assert form["case"] == ANNA_START
    assert form["version"] == str(model)
    saved = doctor.post(f"/patients/{ref}/risk/opinion", data={**form, "opinion": "higher"})
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"].endswith(f"#risk-{ANNA_START}")
    (row,) = _opinions(engine)
    assert (row.patient_id, row.unit_id, row.case_start.isoformat()) == (
        data.anna,
        "SE2321000016-U001",
        ANNA_START,
    )
    assert (row.model_version, str(row.horizon), str(row.given_days)) == (
        model,
        form["horizon"],
        form["given"],
    )
    assert percent(100 * row.probability, 1) == shown.group(1), "the probability shown"
    assert row.opinion is Opinion.HIGHER
    assert (row.username, row.doctor_hsa_id) == ("lakare", DOCTOR)
    assert row.at.date() <= TODAY
    # Logged: the page read and the view given.
    assert actions(engine, data.anna) == ["patient_view", "risk_opinion"]
    with session_scope(engine) as session:
        detail = session.scalar(select(AccessLog.detail).where(AccessLog.action == "risk_opinion"))
    assert detail is not None
    assert detail.startswith("Högre om risken >")
    after = doctor.get(saved.headers["location"]).text
    assert "Din bedömning av risken har sparats." in after
    assert 'value="higher" checked' in after
    # The same view again changes nothing: no new row, no new log entry.
    again = doctor.post(f"/patients/{ref}/risk/opinion", data={**form, "opinion": "higher"})
    assert again.status_code == 303
    assert len(_opinions(engine)) == 1
    assert actions(engine, data.anna).count("risk_opinion") == 1
    # A changed view is a new row; the newest is the one shown first.
    doctor.post(f"/patients/{ref}/risk/opinion", data={**form, "opinion": "cannot"})
    assert [o.opinion for o in _opinions(engine)] == [Opinion.HIGHER, Opinion.CANNOT]
    # The coordinator sees the doctor's views on the page.
    doctor.post("/logout", data={"csrf_token": csrf_of(after)})
    coordinator = login(app_client, "koord").get(f"/patients/{ref}").text
    assert "Läkarens bedömning" in coordinator
    latest = re.search(r'<li class="latest">([^<]+)</li>', coordinator)
    assert latest
    assert latest.group(1).startswith("Kan ej bedöma: lakare, ")
    assert f"om risken {shown.group(1)}" in latest.group(1)


def test_a_form_with_a_problem_comes_back_as_filled_in(
    as_user: Login, data: Data, engine: Engine, model: int
) -> None:
    ref = ref_of(engine, data.anna)
    doctor = as_user("lakare")
    form = _opinion_form(doctor.get(f"/patients/{ref}").text)
    # No choice: 422, the message beside the choices, nothing stored.
    empty = doctor.post(f"/patients/{ref}/risk/opinion", data=form)
    assert empty.status_code == 422
    assert "Välj en av bedömningarna" in empty.text
    assert 'aria-invalid="true"' in empty.text
    # A risk computed anew since the page was shown (another model version):
    # 409, the doctor's choice still checked, nothing stored.
    stale = doctor.post(
        f"/patients/{ref}/risk/opinion", data={**form, "version": "99", "opinion": "lower"}
    )
    assert stale.status_code == 409
    assert "Risken har beräknats om sedan sidan visades" in stale.text
    assert 'value="lower" checked' in stale.text
    # A choice that is not one of the four.
    odd = doctor.post(f"/patients/{ref}/risk/opinion", data={**form, "opinion": "maybe"})
    assert odd.status_code == 422
    assert _opinions(engine) == []
    assert "risk_opinion" not in actions(engine, data.anna)


def test_only_a_doctor_who_may_open_the_patient_gives_a_view(
    as_user: Login, data: Data, engine: Engine, model: int, app_client: TestClient
) -> None:
    ref = ref_of(engine, data.anna)
    form = _opinion_form(as_user("lakare").get(f"/patients/{ref}").text)
    # A coordinator may not (even with a valid session and token).
    coordinator = login(app_client, "koord")
    page = coordinator.get(f"/patients/{ref}").text
    answer = coordinator.post(
        f"/patients/{ref}/risk/opinion",
        data={**form, "csrf_token": csrf_of(page), "opinion": "correct"},
    )
    assert answer.status_code == 403
    # Another doctor of the unit who does not have the patient (Bertil's doctor).
    other = login(app_client, "lakare2")
    page = other.get("/cases").text
    answer = other.post(
        f"/patients/{ref}/risk/opinion",
        data={**form, "csrf_token": csrf_of(page), "opinion": "correct"},
    )
    assert answer.status_code == 403
    assert _opinions(engine) == []


def test_another_units_doctor_and_another_patients_case_are_refused(
    as_user: Login, data: Data, engine: Engine, model: int, app_client: TestClient
) -> None:
    with session_scope(engine) as session:
        accounts.create_user(
            session,
            username="lakare-u2",
            role="doctor",
            unit_ids=[OTHER_UNIT],
            password=PASSWORD,
            hsa_id=DOCTOR,
        )
    ref = ref_of(engine, data.anna)
    doctor = as_user("lakare")
    form = _opinion_form(doctor.get(f"/patients/{ref}").text)
    # Bertil's case start on Anna's page: not a case of hers.
    wrong_case = doctor.post(
        f"/patients/{ref}/risk/opinion", data={**form, "case": BERTIL_START, "opinion": "lower"}
    )
    assert wrong_case.status_code == 404
    # Anna's case on Bertil's page (whom this doctor may not open).
    wrong_patient = doctor.post(
        f"/patients/{ref_of(engine, data.bertil)}/risk/opinion", data={**form, "opinion": "lower"}
    )
    assert wrong_patient.status_code == 403
    # Without the session's CSRF token.
    no_token = doctor.post(
        f"/patients/{ref}/risk/opinion", data={**form, "csrf_token": "x", "opinion": "lower"}
    )
    assert no_token.status_code == 403
    # The same doctor working at unit 2, where Anna has a case of her own: the
    # unit-1 case is not one of unit 2's.
    doctor.post("/logout", data={"csrf_token": form["csrf_token"]})
    at_unit_2 = login(app_client, "lakare-u2")
    page = at_unit_2.get(f"/patients/{ref}")
    assert page.status_code == 200
    answer = at_unit_2.post(
        f"/patients/{ref}/risk/opinion",
        data={**form, "csrf_token": csrf_of(page.text), "opinion": "lower"},
    )
    assert answer.status_code == 404
    assert _opinions(engine) == []


def test_a_model_this_version_cannot_use_leaves_the_page_whole(
    as_user: Login, data: Data, engine: Engine, model: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As a model stored before a feature was added failed to compile
    # (KeyError 'previous_long'): the patient page stays, the risk says why.
    from rehabkoll.risk import service

    def broken(*_args: object, **_kwargs: object) -> None:
        raise KeyError("previous_long")

    monkeypatch.setattr(service, "current", broken)
    page = as_user("koord").get(f"/patients/{ref_of(engine, data.anna)}")
    assert page.status_code == 200
    assert "Riskmodellen i bruk kan inte användas" in page.text
    assert data.anna in page.text
