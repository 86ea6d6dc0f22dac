"""Benchmark of ``rehabkoll synth``: wall time and peak memory of generating
synthetic data, each run as its own ``rehabkoll synth`` process.

    .venv/bin/python -m benchmarks.bench_synth                      # the country, 3 years
    .venv/bin/python -m benchmarks.bench_synth --preset region-300k-5y
    .venv/bin/python -m benchmarks.bench_synth --preset all

Presets (files under benchmarks/data/, which git ignores):

- ``country-3y``: the whole country, 6.3 million insured in 21 regions, three
  years to 2024-12-31, seed 1, as Parquet (``country-3y.parquet``) and as JSON
  Lines (``country-3y.jsonl``): the issue's memory bound is 4 GB.
- ``region-300k-5y``: one region of 300,000 insured over five years, Parquet
  with its truth file (``region-300k-5y.parquet``, ``region-300k-5y-truth.parquet``).

Peak memory is the child process's maximum resident set size (``wait4``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).parent / "data"
MEMORY_BOUND_MB = 4096


@dataclass(frozen=True)
class Run:
    name: str
    args: tuple[str, ...]
    out: Path


def runs(preset: str) -> list[Run]:
    country = ("--country", "--years", "3", "--end-date", "2024-12-31", "--seed", "1")
    region = ("--insured", "300000", "--years", "5", "--end-date", "2024-12-31", "--seed", "1")
    plans = {
        "country-3y": [
            Run(
                "country, 3 years, Parquet",
                (*country, "--format", "parquet"),
                DATA / "country-3y.parquet",
            ),
            Run("country, 3 years, JSON Lines", country, DATA / "country-3y.jsonl"),
        ],
        "region-300k-5y": [
            Run(
                "300,000 insured, 5 years, Parquet + truth",
                (
                    *region,
                    "--format",
                    "parquet",
                    "--truth",
                    str(DATA / "region-300k-5y-truth.parquet"),
                ),
                DATA / "region-300k-5y.parquet",
            )
        ],
    }
    if preset == "all":
        return [run for group in plans.values() for run in group]
    return plans[preset]


def measure(run: Run) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of one ``rehabkoll synth`` process."""
    command = [sys.executable, "-m", "rehabkoll", "synth", *run.args, "--out", str(run.out)]
    print("$", " ".join(command[2:]), flush=True)
    started = time.perf_counter()
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{run.name}: exit status {process.returncode}")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--preset", choices=("country-3y", "region-300k-5y", "all"), default="country-3y"
    )
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    results = []
    for run in runs(args.preset):
        seconds, peak = measure(run)
        size = run.out.stat().st_size / 1e6
        results.append((run.name, seconds, peak, size))
    print(f"\n{'run':<45} {'wall':>9} {'peak memory':>12} {'file':>10}")
    for name, seconds, peak, size in results:
        flag = "" if peak < MEMORY_BOUND_MB else "  over the 4 GB bound"
        print(f"{name:<45} {seconds:8.1f}s {peak:9.0f} MB {size:7.0f} MB{flag}")


if __name__ == "__main__":
    main()
