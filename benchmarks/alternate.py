"""The code of an earlier commit against the working tree, alternately, in one run.

The project's machine changes speed from minute to minute, so a change is
judged by timing the code before and after it in turns: each turn runs in a
fresh process, the earlier commit checked out in a temporary ``git worktree``.

    .venv/bin/python -m benchmarks.alternate build-cases REV [--turns 3]
    .venv/bin/python -m benchmarks.alternate work-list REV --db URL [--turns 3]
    .venv/bin/python -m benchmarks.alternate web-work-list REV --db URL [--turns 3]

``build-cases`` times ``build_cases_file`` on the 10 M-certificate periods of
``bench_build_cases``; ``work-list`` gives the median of 20 work lists of the
storage benchmark's busiest unit (``bench_storage.work_list_times``) on the
database at URL, filled by an earlier ``bench_storage`` run;
``web-work-list`` the same unit's work list as the page builds it, with its
columns (``bench_storage.web_work_list_times``: patients, doctors and, since
issue 16, FMB), its memory of built lists cleared before each call.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PERIODS = ROOT / "benchmarks" / "data" / "periods-10000000.parquet"

_BUILD = """
import os, time
from pathlib import Path
from rehabkoll.cases.bulk import build_cases_file
os.sync()
began = time.perf_counter()
build_cases_file(Path({source!r}), Path({target!r}), gap=5)
print(f"{{(time.perf_counter() - began) * 1000:.0f}}")
"""
_WORK_LIST = """
import statistics
from benchmarks.bench_storage import busiest_unit, work_list_times
rows, times = work_list_times({url!r}, busiest_unit({url!r}), 20)
print(f"{{statistics.median(times) * 1000:.1f}}")
"""

_WEB_WORK_LIST = """
import statistics
from benchmarks.bench_storage import busiest_unit, web_work_list_times
rows, times = web_work_list_times({url!r}, busiest_unit({url!r}), 20)
print(f"{{statistics.median(times) * 1000:.1f}}")
"""


def turn(code: str, src: Path) -> float:
    """Milliseconds the code prints, run with the package from ``src``."""
    env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{ROOT}"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=ROOT
    )
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["build-cases", "work-list", "web-work-list"])
    parser.add_argument("rev", help="the earlier commit, such as HEAD~1")
    parser.add_argument("--db", help="database URL (work-list)")
    parser.add_argument("--turns", type=int, default=3)
    args = parser.parse_args()
    if args.what != "build-cases" and not args.db:
        parser.error(f"{args.what} needs --db")

    with tempfile.TemporaryDirectory() as scratch:
        earlier = Path(scratch) / "earlier"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(earlier), args.rev],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        try:
            trees = {args.rev: earlier / "src", "working tree": ROOT / "src"}
            if args.what == "build-cases":
                code = _BUILD.format(source=str(PERIODS), target=f"{scratch}/cases.parquet")
                unit = "ms, build_cases_file"
            elif args.what == "work-list":
                code = _WORK_LIST.format(url=args.db)
                unit = "ms, median of 20 work lists"
            else:
                code = _WEB_WORK_LIST.format(url=args.db)
                unit = "ms, median of 20 work lists with their columns"
            times: dict[str, list[float]] = {name: [] for name in trees}
            for _ in range(args.turns):
                for name, src in trees.items():
                    times[name].append(turn(code, src))
                    print(f"{name}: {times[name][-1]:.1f} {unit}", flush=True)
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(earlier)], cwd=ROOT, check=True
            )
    for name, values in times.items():
        each = ", ".join(f"{value:.1f}" for value in values)
        print(f"{name}: median {statistics.median(values):.1f} ({each})")


if __name__ == "__main__":
    main()
