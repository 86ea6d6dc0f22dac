"""The access rules (who may see which rows), as plain functions."""

from __future__ import annotations

from datetime import date

import pytest

from rehabkoll.accounts import access
from rehabkoll.accounts.roles import Role
from rehabkoll.cases.engine import CaseRow

ME = "SE-DOCTOR-ME"
OTHER = "SE-DOCTOR-OTHER"


def row(patient: str, doctor: str) -> CaseRow:
    return CaseRow(
        patient_id=patient,
        start=date(2024, 1, 1),
        end=date(2024, 3, 1),
        days=61,
        net_days=61.0,
        certificates=1,
        degree=100,
        degrees=(100,),
        diagnosis="F43.8A",
        secondary_diagnoses=(),
        doctor_id=doctor,
        unit_id="U1",
        occupation=("CURRENT_JOB",),
        days_left=10,
        recently_ended=False,
    )


ROWS = [row("plain-mine", ME), row("plain-other", OTHER), row("secret-mine", ME)]
ROWS.append(row("secret-other", OTHER))
PROTECTED = {"secret-mine", "secret-other"}


def shown(role: Role, hsa_id: str | None = None) -> list[str]:
    rows = access.visible_rows(ROWS, role=role, hsa_id=hsa_id, protected_patient_ids=PROTECTED)
    return [r.patient_id for r in rows]


def test_a_coordinator_sees_every_case_of_the_unit_but_protected_patients() -> None:
    assert shown(Role.COORDINATOR) == ["plain-mine", "plain-other"]


def test_a_doctor_sees_the_cases_they_signed_protected_ones_included() -> None:
    # The signing doctor is the one person a protected patient is listed to.
    assert shown(Role.DOCTOR, ME) == ["plain-mine", "secret-mine"]


def test_a_doctor_without_an_hsa_id_sees_nothing() -> None:
    assert shown(Role.DOCTOR, None) == []


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ANALYST, Role.ADMIN])
def test_managers_analysts_and_admins_see_no_patient(role: Role) -> None:
    assert shown(role, ME) == []
    assert not access.can_view_patient_list(role)


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.DOCTOR])
def test_coordinators_and_doctors_have_a_patient_list(role: Role) -> None:
    assert access.can_view_patient_list(role)


def test_a_coordinator_may_open_a_patient_of_the_unit_unless_protected() -> None:
    mine = [row("p", OTHER)]
    assert access.can_view_patient(mine, role=Role.COORDINATOR, hsa_id=None, protected=False)
    assert not access.can_view_patient(mine, role=Role.COORDINATOR, hsa_id=None, protected=True)


def test_a_doctor_may_open_a_patient_only_with_a_case_they_signed() -> None:
    cases = [row("p", OTHER), row("p", ME)]
    assert access.can_view_patient(cases, role=Role.DOCTOR, hsa_id=ME, protected=True)
    assert not access.can_view_patient(cases[:1], role=Role.DOCTOR, hsa_id=ME, protected=False)


def test_nobody_may_open_a_patient_without_cases_at_the_unit() -> None:
    assert not access.can_view_patient([], role=Role.COORDINATOR, hsa_id=None, protected=False)


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ANALYST])
def test_managers_and_analysts_may_not_open_a_patient(role: Role) -> None:
    cases = [row("p", ME)]
    assert not access.can_view_patient(cases, role=role, hsa_id=ME, protected=False)


def test_a_unit_outside_the_users_units_is_refused() -> None:
    access.check_unit("U1", allowed=["U1", "U2"])
    with pytest.raises(access.AccessDeniedError):
        access.check_unit("U3", allowed=["U1", "U2"])


def test_the_role_rules_for_pages() -> None:
    assert access.can_view_overview(Role.MANAGER)
    assert not access.can_view_overview(Role.ADMIN)
    assert access.can_edit_coordination(Role.COORDINATOR)
    assert not access.can_edit_coordination(Role.DOCTOR)
    assert access.can_manage_users(Role.ADMIN)
    assert not access.can_manage_users(Role.COORDINATOR)
    assert access.can_read_access_log(Role.ADMIN)


def test_an_analyst_sees_provider_and_national_statistics_and_nothing_else() -> None:
    assert access.can_view_provider_statistics(Role.ANALYST)
    assert not access.can_view_unit_statistics(Role.ANALYST)
    assert not access.can_view_overview(Role.ANALYST)
    assert not access.can_view_patient_list(Role.ANALYST)
    assert not access.can_edit_coordination(Role.ANALYST)
    assert not access.can_manage_users(Role.ANALYST)
    assert not access.can_read_access_log(Role.ANALYST)


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.DOCTOR, Role.MANAGER])
def test_the_roles_of_a_unit_see_its_statistics_only(role: Role) -> None:
    assert access.can_view_unit_statistics(role)
    assert not access.can_view_provider_statistics(role)


def test_an_admin_sees_no_statistics() -> None:
    assert not access.can_view_unit_statistics(Role.ADMIN)
    assert not access.can_view_provider_statistics(Role.ADMIN)


def test_every_role_but_the_admin_needs_a_unit() -> None:
    # Besides the admin, the agreement's coordinators and the integration
    # account (a system posting RIVTA messages) work for no unit.
    assert [role for role in Role if not access.needs_unit(role)] == [
        Role.ADMIN,
        Role.REGION_COORDINATOR,
        Role.NATIONAL_COORDINATOR,
        Role.INTEGRATION,
    ]
    assert Role.ANALYST.label == "Analytiker"
