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
"""

from __future__ import annotations

import logging
import os
import threading
import time
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
    event.listen(engine, "connect", keeper.connected)
    event.listen(engine, "checkin", keeper.checked_in)
    return keeper
