"""Many coordinators editing one coordination record at the same moment."""

from __future__ import annotations

import threading
from collections import Counter

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.web.conftest import Data, Login, csrf_of
from tests.web.test_patient import ref_of

EDITORS = 10


def test_the_first_edit_by_many_at_once_has_one_winner_and_a_conflict_for_every_other(
    as_user: Login, data: Data, engine: Engine
) -> None:
    # Ten editors read the record before it exists (version 0) and set its
    # status at the same moment. The first change creates the record; exactly
    # one may win, and each of the other nine must see the conflict page
    # (409), never a server error.
    client: TestClient = as_user("koord")
    base = f"/patients/{ref_of(engine, data.anna)}/coordination"
    token = csrf_of(client.get(base).text)
    start = threading.Barrier(EDITORS)
    answers: list[int] = []
    texts: list[str] = []

    def edit(n: int) -> None:
        start.wait()
        answer = client.post(
            f"{base}/status",
            data={"status": "active" if n % 2 else "contacted", "version": 0, "csrf_token": token},
        )
        answers.append(answer.status_code)
        texts.append(answer.text)

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(EDITORS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Counter(answers) == {303: 1, 409: EDITORS - 1}, Counter(answers)
    assert sum("Någon annan sparade en annan status" in text for text in texts) == EDITORS - 1
    # One status change in the history (the record's version is not shown to users).
    assert client.get(base).text.count("– koord, ") == 1
