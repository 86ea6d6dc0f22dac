"""How long ``rehabkoll demo --no-serve`` takes, and what it costs in CPU time
in every process: the demo's own, and each reading process of the import
pools (RIVTA XML, or JSON Lines when the region is imported that way).

    .venv/bin/python -m benchmarks.bench_demo            # the region as RIVTA XML
    .venv/bin/python -m benchmarks.bench_demo --jsonl    # as JSON Lines (no schemas)

``--jsonl`` points ``REHABKOLL_RIVTA_SCHEMAS`` at a folder without schemas,
so the demo imports the region as JSON Lines and posts no RIVTA messages (what
it did before the region went through the SOAP path). On a shared machine
the wall time says how loaded it was; from the CPU times, on two free cores
the demo takes at least max(demo process, (demo + readers) / 2).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

_CPU_DIR = "REHABKOLL_BENCH_CPU_DIR"


def _cpu(who: int = resource.RUSAGE_SELF) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _note() -> None:
    (Path(os.environ[_CPU_DIR]) / str(os.getpid())).write_text(f"{_cpu()}\n")


def timed_read_chunk(chunk: list[tuple[int, str, bytes]]) -> Any:
    """A RIVTA reading process: the import's read_chunk, then its CPU so far."""
    from rehabkoll.exchange import reader

    result = reader.read_chunk(chunk)
    _note()
    return result


def timed_read_lines(lines: Any, keep: Any) -> Any:
    """A JSON Lines reading process: read_lines, then its CPU so far."""
    from rehabkoll.certificates import reading

    result = reading.read_lines(lines, keep)
    _note()
    return result


def child(folder: str) -> None:
    """In the measured process: the demo, with the pools' functions replaced
    by the timed ones (only what is submitted to a pool; the first chunk,
    read in this process, is counted with it)."""
    from unittest import mock

    from rehabkoll.certificates import reading
    from rehabkoll.cli import app
    from rehabkoll.exchange import importing

    original_chunk, original_lines = importing.read_chunk, reading.read_lines

    def submit(pool: Any, function: Any, *args: Any) -> Any:
        replaced = {original_chunk: timed_read_chunk, original_lines: timed_read_lines}
        return real_submit(pool, replaced.get(function, function), *args)

    from concurrent.futures import ProcessPoolExecutor

    real_submit = ProcessPoolExecutor.submit
    before, started = _cpu(), time.perf_counter()
    with mock.patch.object(ProcessPoolExecutor, "submit", submit):
        app(["demo", "--dir", folder, "--no-serve"], standalone_mode=False)
    print(f"{time.perf_counter() - started} {_cpu() - before} {_cpu(resource.RUSAGE_CHILDREN)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jsonl", action="store_true", help="Import the region as JSON Lines.")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    from benchmarks.machine import describe

    print(describe())
    with tempfile.TemporaryDirectory() as tmp:
        cpu_dir = Path(tmp) / "cpu"
        cpu_dir.mkdir()
        env = {**os.environ, _CPU_DIR: str(cpu_dir)}
        if args.jsonl:
            env["REHABKOLL_RIVTA_SCHEMAS"] = str(Path(tmp) / "no-schemas")
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.bench_demo", "--child", str(Path(tmp) / "demo")],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        )
        wall = time.perf_counter() - started
        inner, demo_cpu, children = (float(x) for x in done.stdout.strip().splitlines()[-1].split())
        readers = sum(float(p.read_text()) for p in cpu_dir.iterdir())
    print(describe())
    print(
        f"{'JSON Lines' if args.jsonl else 'RIVTA XML'}: wall {wall:.1f} s with Python's start "
        f"(demo {inner:.1f} s); CPU: demo process {demo_cpu:.1f} s (+ {children:.1f} s in "
        f"processes it waited for), readers {readers:.1f} s → on two free cores at least "
        f"{max(demo_cpu, (demo_cpu + readers) / 2):.1f} s"
    )


if __name__ == "__main__":
    main()
