"""Swedish diagnosis texts on the pages, and the work list's free-text search
over Swedish titles and synonyms (reads the reference data: ../shared/data or
REHABKOLL_DATA_DIR)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from rehabkoll.certificates.models import Patient
from rehabkoll.config import Settings
from rehabkoll.db.session import session_scope
from tests.factories import OTHER_UNIT
from tests.web.conftest import Data, Login, form_token

DATA = Settings().reference_data()
pytestmark = pytest.mark.skipif(
    not (DATA / "diagnoskoder" / "KSH97P_KOD.ANS").is_file(),
    reason=f"no reference data at {DATA} (set REHABKOLL_DATA_DIR)",
)


def search(client_page: Login, username: str, text: str) -> str:
    client = client_page(username)
    client.post("/cases/filters", data={"text": text, "csrf_token": form_token(client)})
    return client.get("/cases").text


def test_the_work_list_shows_swedish_titles_not_who_english(as_user: Login) -> None:
    page = as_user("koord").get("/cases").text
    assert "Utmattningssyndrom" in page  # Anna, F43.8A
    assert "Lumbago" in page  # Bertil, M54.5
    assert "Low back pain" not in page
    assert "engelska" not in page  # no English text where a Swedish one exists


@pytest.mark.parametrize(
    ("username", "text", "found", "not_found"),
    [
        # M54.5 "Lumbago": FMB names its category M54 "Ryggvärk".
        ("koord", "ryggvärk", "bertil", "anna"),
        ("koord", "RYGGSKOTT", "bertil", "anna"),  # a KSH97-P synonym of M54.5, any case
        ("koord", "utmattning", "anna", "bertil"),  # F43.8A's own title
        # Cecilia (protected, F32.1) is in Dr 1's list: F32's synonym "Depression".
        ("lakare", "depression", "cecilia", "anna"),
    ],
)
def test_free_text_search_matches_swedish_titles_and_synonyms(
    as_user: Login, data: Data, engine: Engine, username: str, text: str, found: str, not_found: str
) -> None:
    with session_scope(engine) as session:
        refs = {str(i): str(r) for i, r in session.execute(select(Patient.id, Patient.ref))}
    page = search(as_user, username, text)
    assert refs[getattr(data, found)] in page
    assert refs[getattr(data, not_found)] not in page


def test_the_patient_page_says_when_a_text_is_a_parents(
    as_user: Login, data: Data, engine: Engine
) -> None:
    with session_scope(engine) as session:
        ref = session.scalar(select(Patient.ref).where(Patient.id == data.anna))
    client = as_user("koord")
    page = client.get(f"/patients/{ref}").text
    assert "Utmattningssyndrom" in page
    # Anna's certificate at the other unit: J06.9 has no title, J06's is shown.
    page = client.get(f"/patients/{ref}?other_unit={OTHER_UNIT}").text
    assert "Akut övre luftvägsinfektion" in page
    assert 'title="Texten gäller den överordnade koden J06"' in page
