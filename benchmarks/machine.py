"""How fast this (shared, virtual) machine is right now: printed with every
benchmark so that figures of different moments can be compared.

The calibration is a plain Python loop of ten million additions in a
function. On the project's 2-core machine it takes 0.37–0.43 s in an ordinary
moment. (docs/benchmarks.md also quotes the same loop written at module level,
where every name is a global: about 2.5 times as long, 0.92–1.58 s.)"""

from __future__ import annotations

import os
import time


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
