"""RIVTA import speed: LISJP RegisterCertificate messages (written from the
storage benchmark's certificates) in a zip, imported into a fresh SQLite
database with ``rehabkoll import`` (XSD validation, rules, storing, archive).

    .venv/bin/python -m benchmarks.bench_rivta_import --messages 10000

Each run starts a fresh Python process that runs the ``rehabkoll import``
command itself (the CLI, in-process) and measures the CPU time of every
process that works on the import: the storing (main) process, each reading
process of the pool, which writes its own cumulative CPU time to a file after
every chunk it reads, and the fork server they come from (read from /proc).
On a shared machine the wall time says how loaded it was; the CPU time says
what the import costs, and from it the rate on two free cores is bounded by
``1 / max(main, (main + readers) / 2)``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rehabkoll.exchange.reader import Item
# Nothing else at module level: the reading processes import this module (for
# timed_read_chunk), and what they import here would count as their CPU time.

_CPU_DIR = "REHABKOLL_BENCH_CPU_DIR"


def write_zip(path: Path, count: int) -> int:
    """``count`` LISJP messages in a zip; returns the bytes of XML written."""
    from benchmarks.certgen import certificate_lines
    from rehabkoll.certificates.schema import Certificate, parse_line
    from rehabkoll.exchange import writing

    size = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number, line in enumerate(certificate_lines(count, units=20), start=1):
            cert = parse_line(line)
            assert isinstance(cert, Certificate)
            data = writing.register_certificate(cert)
            size += len(data)
            archive.writestr(f"{number:08d}.xml", data)
    return size


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


_original_read_chunk: Callable[[list[tuple[int, str, bytes]]], list[Item]] | None = None
"""In the measured process: the import's own read_chunk (replaced there)."""


def timed_read_chunk(chunk: list[tuple[int, str, bytes]]) -> list[Item]:
    """The import's read_chunk; in a reading process, also notes that
    process's CPU time so far (start, schema loading and every chunk) in a
    file of its own. (The first chunk is read in the main process.)"""
    from rehabkoll.exchange import reader

    if _original_read_chunk is not None:  # the main process
        return _original_read_chunk(chunk)
    result = reader.read_chunk(chunk)
    (Path(os.environ[_CPU_DIR]) / str(os.getpid())).write_text(f"{_cpu()}\n")
    return result


def child(bundle: str, db: str) -> None:
    """In the measured process: ``rehabkoll import BUNDLE --db DB`` (the CLI,
    in-process) with the readers noting their CPU time; prints the wall and CPU
    seconds of this process's import."""
    global _original_read_chunk

    from rehabkoll.cli import app
    from rehabkoll.exchange import importing

    _original_read_chunk = importing.read_chunk
    importing.read_chunk = timed_read_chunk  # submitted to the pool by this name
    before, started = _cpu(), time.perf_counter()
    try:
        app(["import", bundle, "--db", db], standalone_mode=False)
    finally:
        importing.read_chunk = _original_read_chunk
    print(f"{time.perf_counter() - started} {_cpu() - before} {children_cpu()}")


def children_cpu() -> float:
    """CPU seconds so far of this process's living children: the fork server
    (its start and the modules it loads once for the readers), which nobody
    waits for before this process ends."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        for pid in (task / "children").read_text().split():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def run_once(bundle: Path, workdir: Path, turn: int) -> tuple[float, float, float, float]:
    """Wall seconds of the whole command (with Python's start), wall seconds of
    the import itself, CPU seconds of the main process and of the readers."""
    db = f"sqlite:///{workdir / f'bench-{turn}.db'}"
    # Migrate first, so that the timing is the import alone.
    subprocess.run(
        [sys.executable, "-m", "rehabkoll", "import", "/dev/null", "--db", db],
        check=False,
        capture_output=True,
    )
    cpu_dir = workdir / f"cpu-{turn}"
    cpu_dir.mkdir()
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_rivta_import", "--child", str(bundle), db],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, _CPU_DIR: str(cpu_dir)},
    )
    wall = time.perf_counter() - started
    inner, main_cpu, server = (float(x) for x in done.stdout.strip().splitlines()[-1].split())
    readers = sum(float(p.read_text()) for p in cpu_dir.iterdir()) + server
    return wall, inner, main_cpu, readers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("BUNDLE", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1])
        return
    from benchmarks.machine import describe

    print(describe())
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        bundle = workdir / "lisjp.zip"
        size = write_zip(bundle, args.messages)
        print(f"{args.messages} messages, {size / args.messages:,.0f} bytes each on average")
        loads = []
        runs = []
        for turn in range(args.runs):
            runs.append(run_once(bundle, workdir, turn))
            loads.append(os.getloadavg()[0])
    n = args.messages
    for (wall, inner, main_cpu, readers), load in zip(runs, loads, strict=True):
        print(
            f"  wall {wall:.2f} s with Python's start ({n / wall:,.0f}/s), import {inner:.2f} s "
            f"({n / inner:,.0f}/s); CPU per message: main {main_cpu / n * 1000:.3f} ms, "
            f"readers and fork server {readers / n * 1000:.3f} ms; load average {load:.1f}"
        )
    inner = statistics.median(r[1] for r in runs)
    main_cpu = statistics.median(r[2] for r in runs) / n
    readers = statistics.median(r[3] for r in runs) / n
    bound = 1 / max(main_cpu, (main_cpu + readers) / 2)
    print(
        f"median: import {inner:.2f} s = {n / inner:,.0f} messages/s at load "
        f"{statistics.median(loads):.1f}; CPU per message main {main_cpu * 1000:.3f} ms + "
        f"readers {readers * 1000:.3f} ms = {(main_cpu + readers) * 1000:.3f} ms "
        f"→ at most {bound:,.0f} messages/s on two free cores"
    )


if __name__ == "__main__":
    main()
