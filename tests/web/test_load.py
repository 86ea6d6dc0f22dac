"""More users than database connections: requests wait in line for one
(never a server error), and one that cannot get a connection in time is
answered 503 with Retry-After: a Swedish page for people, JSON for the API."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import MutableMapping

import pytest
from fastapi.testclient import TestClient
from starlette.responses import PlainTextResponse
from starlette.types import Receive, Scope, Send

from rehabkoll.db import session as session_module
from rehabkoll.db.session import make_engine
from rehabkoll.web.admission import Admission
from rehabkoll.web.app import create_app
from tests.conftest import Configure
from tests.web.conftest import UNIT, login, seed, token_for

USERS = 70


def test_more_page_users_at_once_than_connections_and_threads_all_get_their_page(
    sqlite_url: str, configure: Configure
) -> None:
    # 70 users ask for the work list at the same moment: more than the
    # server's 40 threads and far more than the pool's connections. Before,
    # requests held connections while waiting for a thread and threads waited
    # for connections until the pool gave up (500 after 30 s). Now each gets
    # its page, the later ones after a short wait in line.
    configure(db_pool_size="3")
    engine = make_engine(sqlite_url)
    seed(engine)
    engine.dispose()
    app = create_app(sqlite_url)
    app.state.login_delay_scale = 0.0
    with TestClient(app, follow_redirects=False) as client:
        login(client, "koord")
        start = threading.Barrier(USERS)
        answers: list[int] = []

        def read() -> None:
            start.wait()
            answers.append(client.get("/cases").status_code)

        threads = [threading.Thread(target=read) for _ in range(USERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert Counter(answers) == {200: USERS}


def test_a_request_that_gets_no_connection_in_time_is_answered_503_with_retry_after(
    sqlite_url: str, configure: Configure
) -> None:
    # A pool of one connection, held elsewhere: the next request is let in
    # (nobody else is inside), waits 0.3 s for the connection and is answered
    # 503 with Retry-After, a Swedish page for a person and JSON for the API,
    # long before the old 30 s. Once the connection is back, pages work again.
    configure(db_pool_size="1", db_wait_seconds="0.3")
    engine = make_engine(sqlite_url)
    seed(engine)
    token = token_for(engine, "koord")
    engine.dispose()
    app = create_app(sqlite_url)
    app.state.login_delay_scale = 0.0
    with TestClient(app, follow_redirects=False) as client:
        login(client, "koord")
        held = app.state.engine.connect()
        held.exec_driver_sql("SELECT 1")
        try:
            began = time.monotonic()
            page = client.get("/cases")
            api = client.get(
                f"/api/units/{UNIT}/cases", headers={"Authorization": f"Bearer {token}"}
            )
            waited = time.monotonic() - began
        finally:
            held.close()
        assert page.status_code == 503
        assert page.headers["retry-after"] == "5"
        assert "Försök igen om 5 sekunder" in page.text
        assert api.status_code == 503
        assert api.headers["retry-after"] == "5"
        assert api.json()["detail"].startswith("busy")
        assert waited < 5, waited
        assert client.get("/cases").status_code == 200


async def _call(app: Admission, path: str) -> int:
    sent: list[int] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, object]) -> None:
        if message["type"] == "http.response.start":
            sent.append(int(str(message["status"])))

    scope = {"type": "http", "method": "GET", "path": path, "headers": [], "query_string": b""}
    await app(scope, receive, send)
    return sent[0]


def test_requests_beyond_the_limit_wait_in_line_and_only_a_long_wait_is_refused() -> None:
    # One request at a time. The first is inside and stays there; the second
    # waits its 0.2 s and is refused; the third waits too, and is let in as
    # soon as the first leaves, well within its time: queued, not failed.
    async def run() -> list[int]:
        leave = asyncio.Event()

        async def inner(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["path"] == "/stay":
                await leave.wait()
            await PlainTextResponse("ok")(scope, receive, send)

        admission = Admission(
            inner, limit=1, wait_seconds=0.2, busy=lambda _: PlainTextResponse("", 503)
        )
        first = asyncio.create_task(_call(admission, "/stay"))
        await asyncio.sleep(0)  # the first is inside
        second = await _call(admission, "/x")
        third = asyncio.create_task(_call(admission, "/x"))
        static = await _call(admission, "/static/app.css")  # files pass the line by
        await asyncio.sleep(0.05)
        leave.set()
        return [await first, second, await third, static]

    assert asyncio.run(run()) == [200, 503, 200, 200]


def test_a_request_that_cannot_get_sqlites_write_lock_in_time_is_answered_503(
    sqlite_url: str, configure: Configure, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another process holds SQLite's write lock longer than the busy timeout
    # (made 0.1 s here instead of 10 s): a page and an API call, which both
    # write (the access log, the token's last use), are answered 503 with
    # Retry-After, as under load, not 500.
    monkeypatch.setattr(session_module, "BUSY_TIMEOUT_MS", 100)
    engine = make_engine(sqlite_url)
    seed(engine)
    token = token_for(engine, "koord")
    engine.dispose()
    app = create_app(sqlite_url)
    app.state.login_delay_scale = 0.0
    with TestClient(app, follow_redirects=False) as client:
        login(client, "koord")
        other = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            page = client.get("/cases")
            api = client.get(
                f"/api/units/{UNIT}/cases", headers={"Authorization": f"Bearer {token}"}
            )
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert (page.status_code, page.headers["retry-after"]) == (503, "5")
        assert (api.status_code, api.headers["retry-after"]) == (503, "5")
        assert client.get("/cases").status_code == 200


def test_an_overdue_checkpoint_gets_a_quiet_moment_between_requests() -> None:
    # The write-ahead log is overdue (readers never left it alone). The next
    # request to arrive closes the gate: the request already inside finishes,
    # the checkpoint runs with nobody inside, then the new request goes in.
    events: list[str] = []

    class Overdue:
        overdue = True

        def checkpoint_now(self) -> bool:
            events.append("checkpoint")
            self.overdue = False
            return True

    async def run() -> list[int]:
        leave = asyncio.Event()

        async def inner(scope: Scope, receive: Receive, send: Send) -> None:
            events.append(f"in {scope['path']}")
            if scope["path"] == "/long":
                await leave.wait()
            await PlainTextResponse("ok")(scope, receive, send)
            events.append(f"out {scope['path']}")

        admission = Admission(
            inner, limit=4, wait_seconds=5, busy=lambda _: PlainTextResponse("", 503)
        )
        first = asyncio.create_task(_call(admission, "/long"))
        await asyncio.sleep(0)
        admission.quiet = Overdue()  # the log passes twice its limit now
        second = asyncio.create_task(_call(admission, "/next"))
        await asyncio.sleep(0.05)
        assert events == ["in /long"]  # the gate is closed: /next waits
        leave.set()
        return [await first, await second]

    assert asyncio.run(run()) == [200, 200]
    assert events == ["in /long", "out /long", "checkpoint", "in /next", "out /next"]
