"""Shared fixtures. Database tests take ``db_url`` (or ``engine``), which runs
each test on a fresh SQLite file and on a fresh PostgreSQL database.

PostgreSQL comes from REHABKOLL_TEST_POSTGRES_URL, which scripts/with-postgres.sh
sets for `make test`. Without it the PostgreSQL half is skipped, except in CI
(CI=true), where a missing PostgreSQL fails the test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from rehabkoll.db.session import make_engine, upgrade

PG_URL = os.environ.get("REHABKOLL_TEST_POSTGRES_URL", "")
IN_CI = os.environ.get("CI", "").lower() == "true"
_TEMPLATE = "rehabkoll_template"


Configure = Callable[..., None]


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch) -> Iterator[Configure]:
    """Settings for this test only: ``configure(accept_synthetic_ids="false")``
    sets REHABKOLL_ACCEPT_SYNTHETIC_IDS and makes the next read see it."""
    from rehabkoll.config import get_settings

    def set_settings(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(f"REHABKOLL_{name.upper()}", value)
        get_settings.cache_clear()

    yield set_settings
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _default_database(tmp_path: Path, configure: Configure) -> None:
    """A command run without --db uses a database of the test's own, never the
    rehabkoll.db of the working directory (which parallel workers would share)."""
    configure(database_url=f"sqlite:///{tmp_path / 'default.db'}")


def _admin_engine() -> Engine:
    return create_engine(PG_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A PostgreSQL database with every migration applied, copied for each test."""
    if not PG_URL:
        if IN_CI:
            pytest.fail(
                "CI=true but REHABKOLL_TEST_POSTGRES_URL is not set: PostgreSQL is required"
            )
        pytest.skip("no PostgreSQL (REHABKOLL_TEST_POSTGRES_URL unset); run `make test`")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"{_TEMPLATE}_{worker}"
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield name
    admin.dispose()


def _fresh_postgres(template: str) -> Iterator[str]:
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield PG_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, migrated database: SQLite, then PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
    else:
        template: str = request.getfixturevalue("pg_template")
        yield from _fresh_postgres(template)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh, migrated SQLite database only (for tests that need no PostgreSQL twin)."""
    url = f"sqlite:///{tmp_path / 'test.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url
