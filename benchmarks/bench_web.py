"""Benchmark of the web application: a unit with about 1,500 ongoing cases.

    .venv/bin/python -m benchmarks.bench_web [--patients 1500] [--users 50] [--seconds 60]
                                             [--db URL] [--workers N]

1. Builds (once per run) a database: ``--patients`` patients with an ongoing
   case at one unit (chains of 1–8 certificates), as many whose case has
   ended, and a second unit; a coordinator account per simulated user.
2. Starts ``rehabkoll serve`` on a free port on 127.0.0.1 (a separate process,
   as in production).
3. Latency, one user at a time: the work-list page (every row rendered and
   logged) and the work-list API, 30 requests each after 3 warm-ups
   (target: median and p95 at most 150 ms).
4. Load: ``--users`` logged-in users for ``--seconds`` seconds, each in a loop
   of work list → patient → coordination record → overview → API, with 1–3 s
   of think time between pages (target: p95 at most 300 ms, no errors).
5. Checks that the server's access log holds no personnummer.

Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx2 as httpx
from sqlalchemy import select

from rehabkoll.accounts import service as accounts
from rehabkoll.certificates import service as certificates
from rehabkoll.certificates.models import Patient
from rehabkoll.certificates.schema import parse_document
from rehabkoll.db.session import open_database, session_scope
from rehabkoll.lib.personnummer import synthetic

UNIT = "SE2321000016-U001"
OTHER_UNIT = "SE2321000016-U002"
PROVIDER = "SE2321000016-0001"
DIAGNOSES = ("F43.8A", "F32.9", "F41.1", "M54.5", "M75.1", "S82.6", "C50.9", "G43.9", "R53.9")
PASSWORD = "benchmark-lösenord"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
REF = re.compile(r'href="/patients/([A-Za-z0-9_-]+)')


def patient_number(index: int) -> str:
    born = date(1960, 1, 1) + timedelta(days=(index * 7) % 14600)
    return synthetic(born, 100 + index // 2000)


def documents(patients: int, today: date, rng: random.Random) -> list[dict[str, object]]:
    docs: list[dict[str, object]] = []
    for index in range(patients * 2 + patients // 5):
        ongoing = index < patients
        unit = UNIT if index < patients * 2 else OTHER_UNIT
        chain = rng.randint(1, 8)
        length_days = [rng.randint(14, 60) for _ in range(chain)]
        total = sum(length_days) + chain
        if ongoing:
            start = today - timedelta(days=total - rng.randint(5, 30))
        else:
            start = today - timedelta(days=total + rng.randint(10, 400))
        for n, days in enumerate(length_days):
            stop = start + timedelta(days=days - 1)
            docs.append(
                {
                    "id": f"w-{index:06d}-{n}",
                    "type": "FK7804",
                    "signed_at": f"{start.isoformat()}T09:00:00",
                    "patient": {"id": patient_number(index), "name": f"Patient {index}"},
                    "doctor": {
                        "id": f"SE2321000016-D{index % 12:03d}",
                        "name": f"Läkare {index % 12}",
                    },
                    "unit": {"id": unit, "name": "Vårdcentralen Mätpunkten"},
                    "care_provider": {"id": PROVIDER, "name": "Region Exempel"},
                    "diagnosis": {"code": rng.choice(DIAGNOSES), "secondary": []},
                    "occupation": ["CURRENT_JOB"],
                    "periods": [
                        {
                            "start": start.isoformat(),
                            "end": stop.isoformat(),
                            "degree": rng.choice((25, 50, 75, 100)),
                        }
                    ],
                    "replaces": None,
                    "test": False,
                }
            )
            start = stop + timedelta(days=rng.choice((1, 1, 2, 4)))
    return docs


def build(url: str, patients: int, users: int) -> None:
    engine = open_database(url)
    rng = random.Random(1)
    docs = documents(patients, date.today(), rng)
    with session_scope(engine) as session:
        batch = certificates.start_batch(session, "bench_web")
        for start in range(0, len(docs), 5000):
            chunk = [
                (i, parse_document(d)) for i, d in enumerate(docs[start : start + 5000], start)
            ]
            certificates.ingest(session, batch, chunk)
        certificates.finish_batch(session, batch)
        for n in range(users):
            user = accounts.create_user(
                session,
                username=f"koord{n}",
                role="coordinator",
                unit_ids=[UNIT],
                password=PASSWORD,
            )
            accounts.accept_notice(session, user=user)
        token = accounts.issue_token(session, user=user)
    Path(tempfile.gettempdir(), "rehabkoll-bench-token").write_text(token)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def log_in(client: httpx.Client, username: str) -> str:
    page = client.get("/login")
    token = CSRF.search(page.text)
    assert token
    answer = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert answer.status_code == 303, answer.status_code
    session_token = CSRF.search(client.get("/notice").text)
    assert session_token
    return session_token.group(1)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(client: httpx.Client, path: str, **kwargs: object) -> tuple[float, httpx.Response]:
    start = time.perf_counter()
    answer = client.get(path, **kwargs)  # type: ignore[arg-type]
    return (time.perf_counter() - start) * 1000, answer


def latency(base: str, token: str) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    with httpx.Client(base_url=base, timeout=30) as client:
        log_in(client, "koord0")
        api = {"Authorization": f"Bearer {token}"}
        for name, path, headers in (
            ("work-list page", "/cases", {}),
            ("work-list API", f"/api/units/{UNIT}/cases", api),
        ):
            for _ in range(3):
                client.get(path, headers=headers)
            times = []
            for _ in range(30):
                ms, answer = timed(client, path, headers=headers)
                assert answer.status_code == 200, (path, answer.status_code)
                times.append(ms)
            results[name] = {
                "median_ms": round(statistics.median(times), 1),
                "p95_ms": round(percentile(times, 0.95), 1),
                "max_ms": round(max(times), 1),
            }
        rows = client.get("/cases").text.count("<tr class=")
        results["work-list page"]["rows"] = rows
    return results


@dataclass
class Load:
    ready: threading.Barrier
    seconds: int
    times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def user_loop(base: str, n: int, token: str, load: Load) -> None:
    rng = random.Random(n)
    api = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, timeout=30) as client:
        try:
            log_in(client, f"koord{n}")
            refs = REF.findall(client.get("/cases").text)
        except Exception as err:  # a failed login is an error of the run
            with load.lock:
                load.errors.append(f"login {n}: {err!r}")
            load.ready.wait()
            return
        load.ready.wait()  # every user logged in: the measured time starts
        until = time.monotonic() + load.seconds
        time.sleep(rng.uniform(0, 2))
        while time.monotonic() < until:
            ref = rng.choice(refs)
            for path, headers in (
                ("/cases", {}),
                (f"/patients/{ref}", {}),
                (f"/patients/{ref}/coordination", {}),
                ("/", {}),
                (f"/api/patients/{ref}?unit={UNIT}", api),
            ):
                if time.monotonic() >= until:
                    break
                try:
                    ms, answer = timed(client, path, headers=headers)
                    ok = answer.status_code == 200
                except httpx.HTTPError as err:
                    ms, ok = 0.0, False
                    answer = None
                    with load.lock:
                        load.errors.append(f"{path}: {err!r}")
                with load.lock:
                    load.times.append(ms)
                    if not ok and answer is not None:
                        load.errors.append(f"{path}: {answer.status_code}")
                time.sleep(rng.uniform(1, 3))


def concurrent(base: str, token: str, users: int, seconds: int) -> dict[str, float]:
    load = Load(ready=threading.Barrier(users + 1), seconds=seconds)
    threads = [
        threading.Thread(target=user_loop, args=(base, n, token, load)) for n in range(users)
    ]
    for thread in threads:
        thread.start()
    load.ready.wait()
    for thread in threads:
        thread.join()
    return {
        "requests": len(load.times),
        "errors": len(load.errors),
        "median_ms": round(statistics.median(load.times), 1),
        "p95_ms": round(percentile(load.times, 0.95), 1),
        "max_ms": round(max(load.times), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=1500)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--db", default="")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="rehabkoll-bench-web-"))
    url = args.db or f"sqlite:///{folder / 'bench.db'}"
    started = time.perf_counter()
    build(url, args.patients, args.users)
    print(f"database built in {time.perf_counter() - started:.1f} s: {url}", flush=True)
    token = Path(tempfile.gettempdir(), "rehabkoll-bench-token").read_text()
    port = free_port()
    log_path = folder / "server.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "rehabkoll",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--db",
                url,
                "--workers",
                str(args.workers),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    httpx.get(f"{base}/login", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.2)
            result: dict[str, object] = {"latency": latency(base, token)}
            print(json.dumps(result, indent=2), flush=True)
            result["concurrent"] = concurrent(base, token, args.users, args.seconds)
        finally:
            server.terminate()
            server.wait(timeout=20)
    with session_scope(open_database(url)) as session:
        numbers = list(session.scalars(select(Patient.id)))
    text = log_path.read_text()
    leaked = [n for n in numbers if n in text or n.replace("-", "") in text]
    result["access_log"] = {"lines": text.count("\n"), "personnummer_found": len(leaked)}
    result["when"] = datetime.now().isoformat(timespec="seconds")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
