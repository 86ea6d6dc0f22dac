"""Admission: at most as many requests inside the application at once as the
database pool has connections (REHABKOLL_DB_POOL_SIZE); the others wait in
line, in the order they came, for at most REHABKOLL_DB_WAIT_SECONDS and are
then answered 503 with Retry-After.

Why: a request takes a worker thread for each of its steps (dependencies, the
route) but keeps its database connection between them. With more requests
than connections in flight, every thread could end up waiting for a
connection held by a request that waits for a thread, until the pool gives
up. Letting in no more requests than connections means an admitted request
always finds one, and the worker threads are made at least as many.

The line also makes a quiet moment when SQLite's write-ahead log is overdue
for a checkpoint that overlapping readers keep holding up (rehabkoll.db.wal):
no one new is let in until those inside are done, the checkpoint runs, and
the line moves on; at most once in 5 s.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Callable
from typing import Protocol

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

Busy = Callable[[Request], Response]
QUIET_EVERY_SECONDS = 5.0  # at most one quiet moment in this long


class Quiet(Protocol):
    """Something that now and then needs a moment with no request inside
    (rehabkoll.db.wal.WalKeeper: a checkpoint that readers keep holding up)."""

    @property
    def overdue(self) -> bool: ...

    def checkpoint_now(self) -> bool: ...


class _Line:
    """The line of one event loop: the slots, and the gate closed for a quiet moment."""

    def __init__(self, limit: int) -> None:
        self.slots = asyncio.Semaphore(limit)
        self.gate = asyncio.Event()
        self.gate.set()
        self.inside = 0
        self.empty = asyncio.Event()
        self.empty.set()


class Admission:
    """ASGI middleware that lets ``limit`` requests in at once; static files pass."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int,
        wait_seconds: float,
        busy: Busy,
        quiet: Quiet | None = None,
    ) -> None:
        self.app = app
        self.limit = limit
        self.wait_seconds = wait_seconds
        self.busy = busy
        self.quiet = quiet
        self._next_quiet = 0.0
        # One line per event loop (the test client may run several, one after another).
        self._lines: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Line]
        self._lines = weakref.WeakKeyDictionary()

    def _line(self) -> _Line:
        loop = asyncio.get_running_loop()
        line = self._lines.get(loop)
        if line is None:
            line = self._lines[loop] = _Line(self.limit)
            threads = anyio.to_thread.current_default_thread_limiter()
            threads.total_tokens = max(threads.total_tokens, self.limit)
        return line

    async def _quiet_moment(self, line: _Line) -> None:
        """Close the gate, wait until nobody is inside, run the checkpoint, open."""
        assert self.quiet is not None
        line.gate.clear()
        try:
            await line.empty.wait()
            await anyio.to_thread.run_sync(self.quiet.checkpoint_now)
        finally:
            line.gate.set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        line = self._line()
        if (
            self.quiet is not None
            and line.gate.is_set()
            and time.monotonic() >= self._next_quiet
            and self.quiet.overdue
        ):
            self._next_quiet = time.monotonic() + QUIET_EVERY_SECONDS
            await self._quiet_moment(line)
        try:
            async with asyncio.timeout(self.wait_seconds):
                await line.gate.wait()
                await line.slots.acquire()
        except TimeoutError:
            response = self.busy(Request(scope, receive))
            await response(scope, receive, send)
            return
        line.inside += 1
        line.empty.clear()
        try:
            await self.app(scope, receive, send)
        finally:
            line.inside -= 1
            if not line.inside:
                line.empty.set()
            line.slots.release()
