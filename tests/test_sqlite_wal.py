"""SQLite's write-ahead log stays bounded while readers keep it busy."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from sqlalchemy import text

from rehabkoll.db.session import make_engine
from tests.conftest import Configure

WRITES = 600
READERS = 4
MB = 1024 * 1024


def test_the_write_ahead_log_stays_bounded_under_steady_reading_and_writing(
    tmp_path: Path, configure: Configure
) -> None:
    # Four readers run short queries without pause (as a busy web server's
    # requests do) while one writer commits 600 rows of 4 kB (as the access
    # log does). SQLite's own checkpoints cannot restart the log while some
    # reader is always on it: before, it grew with every commit, to about
    # 9 MB here (about 15 kB of log a commit; 381 MB in an hour of load tests).
    # With a limit of 1 MB it is cut back to empty each time it passes 1 MB
    # (1.0-1.3 MB at most in five runs on a busy machine); a checkpoint held up
    # by readers is tried again 0.1 s later, so 3 MB leaves room for a few
    # such tries. No row is lost.
    configure(sqlite_wal_limit_mb="1")
    path = tmp_path / "wal.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)"))
        connection.execute(
            text(
                "INSERT INTO t (body) SELECT hex(randomblob(500)) FROM (WITH RECURSIVE "
                "n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 2000) SELECT x FROM n)"
            )
        )
    stop = threading.Event()

    def read() -> None:
        query = text("SELECT max(length(body)) FROM t WHERE id BETWEEN :a AND :a + 200")
        while not stop.is_set():
            with engine.connect() as connection:
                for first in range(0, 2000, 250):
                    connection.execute(query, {"a": first}).all()

    readers = [threading.Thread(target=read) for _ in range(READERS)]
    for reader in readers:
        reader.start()
    largest = 0
    try:
        for _ in range(WRITES):
            with engine.begin() as connection:
                connection.execute(text("INSERT INTO t (body) VALUES (hex(randomblob(2000)))"))
            largest = max(largest, os.path.getsize(f"{path}-wal"))
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM t")).scalar_one() == 2000 + WRITES
    engine.dispose()
    assert largest < 3 * MB, largest / MB
