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
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

Busy = Callable[[Request], Response]


class Admission:
    """ASGI middleware that lets ``limit`` requests in at once; static files pass."""

    def __init__(self, app: ASGIApp, *, limit: int, wait_seconds: float, busy: Busy) -> None:
        self.app = app
        self.limit = limit
        self.wait_seconds = wait_seconds
        self.busy = busy
        # One line per event loop (the test client may run several, one after another).
        self._lines: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]
        self._lines = weakref.WeakKeyDictionary()

    def _line(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        line = self._lines.get(loop)
        if line is None:
            line = self._lines[loop] = asyncio.Semaphore(self.limit)
            threads = anyio.to_thread.current_default_thread_limiter()
            threads.total_tokens = max(threads.total_tokens, self.limit)
        return line

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        line = self._line()
        try:
            async with asyncio.timeout(self.wait_seconds):
                await line.acquire()
        except TimeoutError:
            response = self.busy(Request(scope, receive))
            await response(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            line.release()
