"""The admin's pages show an account as locked only while its lock lasts: the
lock after too many failed logins runs out by itself, and the account is
then "Aktiv" again (it used to show "Låst" until the next login attempt)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from rehabkoll.accounts import service as accounts
from rehabkoll.db.session import session_scope
from tests.web.conftest import Login


def _lock(engine: Engine, *, minutes: int) -> None:
    """koord's lock ends ``minutes`` from now (negative: it ended that long ago)."""
    with session_scope(engine) as session:
        user = accounts.get_user(session, username="koord")
        assert user is not None
        user.locked_until = accounts.utcnow() + timedelta(minutes=minutes)


def _status(html: str) -> str:
    row = re.search(r'href="/admin/users/koord">.*?</tr>', html, re.S)
    assert row is not None
    cells = re.findall(r"<td>(.*?)</td>", row.group(0), re.S)
    return str(cells[-2])


@pytest.mark.parametrize(("minutes", "locked"), [(15, True), (-1, False)])
def test_the_status_is_the_lock_as_it_is_now(
    as_user: Login, engine: Engine, minutes: int, locked: bool
) -> None:
    _lock(engine, minutes=minutes)
    admin = as_user("admin")
    listed = _status(admin.get("/admin/users").text)
    page = admin.get("/admin/users/koord").text
    if locked:
        assert listed.startswith("Låst till 20")  # the time the lock runs out
        assert "<strong>Låst</strong> till" in page
    else:
        assert listed == "Aktiv"
        assert "Status: Aktiv" in page
