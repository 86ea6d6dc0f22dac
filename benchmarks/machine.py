"""How fast this (shared, virtual) machine is right now: printed with every
benchmark so that figures of different moments can be compared.

The calibration is a plain Python loop of ten million additions in a
function. On the project's 2-core machine it takes 0.37–0.43 s in an ordinary
moment. (docs/benchmarks.md also quotes the same loop written at module level,
where every name is a global: about 2.5 times as long, 0.92–1.58 s.)

    .venv/bin/python -m benchmarks.machine            # the state, as benchmarks print it
    .venv/bin/python -m benchmarks.machine --memory   # what fresh memory costs

``--memory`` fills 1 GB three ways: first touch, freed and taken again at
once, and taken again after 3 s idle (when the virtual machine may have handed
the freed memory back to its host)."""

from __future__ import annotations

import argparse
import os
import time

import numpy as np


def calibration() -> float:
    """Seconds for ten million additions in a plain Python loop."""
    began = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.perf_counter() - began


def describe() -> str:
    return (
        f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f},"
        f" calibration loop {calibration():.2f} s"
    )


def fresh_memory() -> dict[str, float]:
    """Seconds to fill 1 GB: new to the process, freed and taken again at once,
    and taken again after 3 s idle."""
    timings = {}
    for name, pause in (("first touch", 0.0), ("again at once", 0.0), ("again after 3 s", 3.0)):
        time.sleep(pause)
        began = time.perf_counter()
        filled = np.ones(125_000_000, dtype=np.int64)
        timings[name] = time.perf_counter() - began
        del filled
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--memory", action="store_true", help="time filling 1 GB of fresh memory")
    args = parser.parse_args()
    print(describe())
    if args.memory:
        print("1 GB: " + ", ".join(f"{k} {v:.2f} s" for k, v in fresh_memory().items()))


if __name__ == "__main__":
    main()
