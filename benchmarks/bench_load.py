"""Load benchmark: many readers at once against a served rehabkoll.

    .venv/bin/python -m benchmarks.bench_load [--readers 50] [--api-readers 100]
                                              [--seconds 60] [--think 1.0]
                                              [--patients 1500] [--workers 1]
    scripts/with-postgres.sh .venv/bin/python -m benchmarks.bench_load --postgres

1. Builds a database as ``bench_web`` does (``--patients`` ongoing cases at
   one unit, a coordinator account per reader) in a new SQLite file, or in
   the PostgreSQL database REHABKOLL_TEST_POSTGRES_URL names (``--postgres``).
2. Starts ``rehabkoll serve`` on a free port of 127.0.0.1, a separate process
   with its default settings, as in production, and reads the work list once
   (the server then keeps the unit's rows until the next import).
3. ``--readers`` logged-in users read the work list (``/cases``, every row
   rendered and logged) in a loop for ``--seconds``, ``--think`` seconds
   apart (0: no pause at all). Target: no errors, p95 at most 500 ms.
4. Then ``--api-readers`` clients read the unit's cases from the API in the
   same way. Target: no errors.
5. On SQLite, the largest size the write-ahead log reached during the run.

An error is any answer but 200, or no answer within 60 s. Only 127.0.0.1 is
contacted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx2 as httpx

from benchmarks.bench_web import UNIT, build, free_port, log_in, percentile

Reader = Callable[[httpx.Client], None]


@dataclass
class Run:
    seconds: float
    think: float
    times: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def summary(self, clients: int) -> dict[str, object]:
        times = self.times or [0.0]
        return {
            "clients": clients,
            "requests": len(self.times),
            "per_second": round(len(self.times) / self.seconds, 1),
            "errors": sum(self.errors.values()),
            "error_kinds": dict(self.errors),
            "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 0.95), 1),
            "max_ms": round(max(times), 1),
        }


LOGINS = threading.Semaphore(4)  # the readers log in four at a time, before the measured time


def loop(
    base: str,
    run: Run,
    ready: threading.Barrier,
    seed: int,
    start: Reader,
    path: str,
    headers: dict[str, str],
) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=base, timeout=60) as client:
        try:
            with LOGINS:
                start(client)
        except Exception as err:  # a failed login counts as an error of the run
            with run.lock:
                run.errors[f"login: {type(err).__name__}"] += 1
            ready.wait()
            return
        ready.wait()
        time.sleep(rng.uniform(0, max(run.think, 0.05)))  # do not all start at once
        until = time.monotonic() + run.seconds
        while time.monotonic() < until:
            began = time.perf_counter()
            try:
                answer = client.get(path, headers=headers)
                kind = "" if answer.status_code == 200 else str(answer.status_code)
            except httpx.HTTPError as err:
                kind = type(err).__name__
            ms = (time.perf_counter() - began) * 1000
            with run.lock:
                run.times.append(ms)
                if kind:
                    run.errors[kind] += 1
            if run.think:
                time.sleep(rng.uniform(0.5 * run.think, 1.5 * run.think))


def load(
    base: str,
    clients: int,
    seconds: float,
    think: float,
    path: str,
    start: Callable[[int], Reader],
    headers: dict[str, str],
) -> dict[str, object]:
    run = Run(seconds=seconds, think=think)
    ready = threading.Barrier(clients + 1)
    threads = [
        threading.Thread(target=loop, args=(base, run, ready, n, start(n), path, headers))
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    ready.wait()
    for thread in threads:
        thread.join()
    return run.summary(clients)


def watch_wal(path: Path, stop: threading.Event, largest: list[int]) -> None:
    while not stop.wait(0.5):
        with contextlib.suppress(OSError):
            largest[0] = max(largest[0], path.stat().st_size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--api-readers", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=1.0, help="seconds between requests")
    parser.add_argument("--patients", type=int, default=1500)
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--postgres", action="store_true", help="REHABKOLL_TEST_POSTGRES_URL")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="rehabkoll-bench-load-"))
    url = (
        os.environ["REHABKOLL_TEST_POSTGRES_URL"]
        if args.postgres
        else (f"sqlite:///{folder / 'load.db'}")
    )
    started = time.perf_counter()
    build(url, args.patients, args.readers)
    print(f"database built in {time.perf_counter() - started:.1f} s", flush=True)
    token = Path(tempfile.gettempdir(), "rehabkoll-bench-token").read_text()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        "-m",
        "rehabkoll",
        "serve",
        "--port",
        str(port),
        "--db",
        url,
        "--workers",
        str(args.workers),
    ]
    result: dict[str, object] = {
        "database": "postgresql" if args.postgres else "sqlite",
        "server": f"rehabkoll serve --workers {args.workers}",
        "patients": args.patients,
        "think_s": args.think,
        "seconds": args.seconds,
    }
    stop, largest = threading.Event(), [0]
    wal = Path(f"{folder / 'load.db'}-wal")
    watcher = threading.Thread(target=watch_wal, args=(wal, stop, largest), daemon=True)
    with (folder / "server.log").open("w") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            # Up to 3 minutes: worker processes start slowly on a loaded machine.
            deadline = time.monotonic() + 180
            while True:
                try:
                    httpx.get(f"{base}/login", timeout=1)
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline:
                        raise SystemExit("the server did not answer within 180 s") from None
                    time.sleep(0.2)
            with httpx.Client(base_url=base, timeout=120) as client:  # warm: rows cached
                log_in(client, "koord0")
                client.get("/cases")
                client.get(f"/api/units/{UNIT}/cases", headers={"Authorization": f"Bearer {token}"})
            watcher.start()

            def page_reader(n: int) -> Reader:
                def start(client: httpx.Client) -> None:
                    log_in(client, f"koord{n}")

                return start

            def api_reader(n: int) -> Reader:
                return lambda client: None

            result["work_list_page"] = load(
                base, args.readers, args.seconds, args.think, "/cases", page_reader, {}
            )
            print(json.dumps(result, indent=2), flush=True)
            result["work_list_api"] = load(
                base,
                args.api_readers,
                args.seconds,
                args.think,
                f"/api/units/{UNIT}/cases",
                api_reader,
                {"Authorization": f"Bearer {token}"},
            )
        finally:
            stop.set()
            server.terminate()
            server.wait(timeout=30)
    if not args.postgres:
        result["largest_wal_mb"] = round(largest[0] / 1e6, 1)
    result["server_errors_in_log"] = (folder / "server.log").read_text().count("Traceback")
    result["when"] = datetime.now().isoformat(timespec="seconds")
    result["load_average_after"] = [round(x, 1) for x in os.getloadavg()]
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
