"""Keeping SQLite's write-ahead log small under steady reading.

SQLite checkpoints the log by itself every 1,000 pages, but it can start
writing the log from its beginning again only at a moment when no reader is
using it; with readers overlapping all day (a web server) that moment never
comes and the log grows without end (381 MB in an hour of load tests). So:
``journal_size_limit`` cuts the file back whenever it is restarted, and when
it has grown past REHABKOLL_SQLITE_WAL_LIMIT_MB a connection returning to the
pool runs a TRUNCATE checkpoint, which copies every page into the database,
waits (at most a quarter of a second) for the readers still on the log, and
empties the file. At most one such checkpoint at a time; after one that could
not finish (readers came and went without a gap, or one long reader) the
next comes 0.1 s later, then after 0.2, 0.4 … up to 30 s, so that a long
reader does not stall the writers often. (Measured: a short wait tried again
soon succeeds where one long wait under steady reading often does not.)

Under overload, when every request reads for seconds, no such gap comes and
the log passed 780 MB in a benchmark. So when it is past twice its limit
(``overdue``) the web server lets no new request in until those inside have
finished, checkpoints in that quiet moment and goes on (web/admission.py):
a pause of one request's length, at most once in 5 s.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from typing import Any

from sqlalchemy import Engine, event

log = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 0.1
LAST_RETRY_SECONDS = 30.0
WAIT_MS = 250


class WalKeeper:
    """Checkpoints one database's log when a connection is checked in."""

    def __init__(self, database: str, limit_bytes: int, busy_timeout_ms: int) -> None:
        self.wal = f"{database}-wal"
        self.limit_bytes = limit_bytes
        self.busy_timeout_ms = busy_timeout_ms
        self._lock = threading.Lock()
        self._not_before = 0.0
        self._retry_seconds = FIRST_RETRY_SECONDS
        self.engine: Engine | None = None

    @property
    def overdue(self) -> bool:
        """The log is past twice its limit: checkpoints at check-in keep failing
        (readers overlap without a gap), so the web server should make a quiet
        moment for one (rehabkoll.web.admission)."""
        try:
            return os.path.getsize(self.wal) > 2 * self.limit_bytes
        except OSError:
            return False

    def checkpoint_now(self) -> bool:
        """A TRUNCATE checkpoint on a connection of the engine's own, now."""
        assert self.engine is not None
        with self._lock, self.engine.connect() as connection:
            return self.checkpoint(connection.connection.dbapi_connection)

    def connected(self, dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA journal_size_limit={self.limit_bytes}")
        cursor.close()

    def checked_in(self, dbapi_connection: Any, _record: Any) -> None:
        try:
            size = os.path.getsize(self.wal)
        except OSError:
            return
        if size <= self.limit_bytes or time.monotonic() < self._not_before:
            return
        if not self._lock.acquire(blocking=False):
            return  # another thread is at it
        try:
            self.checkpoint(dbapi_connection)
        finally:
            self._lock.release()

    def checkpoint(self, dbapi_connection: Any) -> bool:
        """A TRUNCATE checkpoint on this connection; False if readers held it up."""
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout={WAIT_MS}")
            busy, _, _ = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            cursor.execute(f"PRAGMA busy_timeout={self.busy_timeout_ms}")
            cursor.close()
        if not busy:
            self._retry_seconds = FIRST_RETRY_SECONDS
            return True
        log.info("write-ahead log checkpoint held up; next try in %.1f s", self._retry_seconds)
        self._not_before = time.monotonic() + self._retry_seconds
        self._retry_seconds = min(2 * self._retry_seconds, LAST_RETRY_SECONDS)
        return False


def keep_small(engine: Engine, *, limit_mb: int, busy_timeout_ms: int) -> WalKeeper | None:
    """Watch the log of the SQLite file of ``engine`` (nothing for in-memory ones)."""
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    keeper = WalKeeper(database, limit_mb * 1024 * 1024, busy_timeout_ms)
    keeper.engine = engine
    event.listen(engine, "connect", keeper.connected)
    event.listen(engine, "checkin", keeper.checked_in)
    _KEEPERS[engine] = keeper
    return keeper


_KEEPERS: weakref.WeakKeyDictionary[Engine, WalKeeper] = weakref.WeakKeyDictionary()


def keeper_of(engine: Engine) -> WalKeeper | None:
    """The keeper of the engine's log, if it is a SQLite file."""
    return _KEEPERS.get(engine)
