"""Benchmark of the risk model (issue 17, §3): a synthetic region, imported,
trained on its first years, judged on the half year after against the
oracle of the truth file. Each step is its own ``rehabkoll`` process, as a
user runs it; the wall time of each is printed, then the evaluation's figures.

    .venv/bin/python -m benchmarks.bench_risk                         # 300,000 insured, 5 years
    .venv/bin/python -m benchmarks.bench_risk --insured 30000         # a small region

Targets (docs/benchmarks.md): AUC within 0.02 of the oracle's and expected
calibration error at most 0.02, for women and men each; training under 2
minutes. The seed (7171) is one no test uses. Files go to benchmarks/data/
(ignored by git); an existing database of the same region is reused with
--reuse (the import is then skipped).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.machine import describe

DATA = Path(__file__).parent / "data"
SEED = 7171
END = date(2025, 12, 31)
TRAIN_SINCE = date(2022, 1, 1)
"""A year after the data begins: every case's 12 months of history are in the
data, and no case is in only because it lasted into the data."""
TRAIN_AS_OF = date(2024, 6, 30)
EVALUATE = (date(2024, 7, 1), date(2025, 9, 30))
TARGET_GAP = 0.02
TARGET_ECE = 0.02
TARGET_TRAIN_SECONDS = 120.0


def rehabkoll(*args: str) -> float:
    """Run one command; its wall time in seconds (it must succeed)."""
    began = time.perf_counter()
    subprocess.run([sys.executable, "-m", "rehabkoll", *args], check=True)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--insured", type=int, default=300_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--reuse", action="store_true", help="Keep an existing database.")
    args = parser.parse_args()
    DATA.mkdir(exist_ok=True)
    name = f"risk-{args.insured}-{args.years}y-{args.seed}"
    certificates, truth = DATA / f"{name}.jsonl", DATA / f"{name}-truth.csv"
    database = DATA / f"{name}.db"
    db = f"sqlite:///{database}"
    report = DATA / f"{name}-evaluation.json"
    print(describe(), flush=True)
    times: dict[str, float] = {}
    if not (args.reuse and database.exists()):
        database.unlink(missing_ok=True)
        times["synth"] = rehabkoll(
            "synth",
            *("--insured", str(args.insured), "--years", str(args.years)),
            *("--end-date", END.isoformat(), "--seed", str(args.seed)),
            *("--out", str(certificates), "--truth", str(truth)),
        )
        print(f"synth: {times['synth']:.1f} s", flush=True)
        times["import"] = rehabkoll("import", str(certificates), "--db", db)
        print(f"import: {times['import']:.1f} s", flush=True)
    times["train"] = rehabkoll(
        "risk",
        "train",
        *("--as-of", TRAIN_AS_OF.isoformat(), "--since", TRAIN_SINCE.isoformat()),
        *("--seed", "1", "--db", db),
    )
    print(f"train: {times['train']:.1f} s", flush=True)
    times["evaluate"] = rehabkoll(
        "risk",
        "evaluate",
        *("--from", EVALUATE[0].isoformat(), "--to", EVALUATE[1].isoformat()),
        *("--as-of", END.isoformat(), "--truth", str(truth)),
        *("--format", "json", "--out", str(report), "--db", db),
    )
    print(f"evaluate: {times['evaluate']:.1f} s", flush=True)
    result = json.loads(report.read_text(encoding="utf-8"))
    print(summary(result, times["train"]))
    print(describe(), flush=True)


def summary(result: dict[str, Any], train_seconds: float) -> str:
    lines = [
        f"model version {result['model_version']}: {result['n']:,} cases evaluated",
        f"{'':8}{'n':>8}{'AUC':>8}{'oracle':>8}{'gap':>8}{'ECE':>8}",
    ]
    met = train_seconds < TARGET_TRAIN_SECONDS
    rows = [("all", result), ("women", result["by_sex"]["F"]), ("men", result["by_sex"]["M"])]
    for label, part in rows:
        gap, ece = part.get("auc_gap"), part["ece"]
        lines.append(
            f"{label:8}{part['n']:>8,}{part['auc']:>8.3f}{part.get('oracle_auc') or 0:>8.3f}"
            f"{gap if gap is not None else float('nan'):>8.3f}{ece:>8.3f}"
        )
        if label != "all":
            met = met and gap is not None and gap <= TARGET_GAP and ece <= TARGET_ECE
    lines.append(f"Brier {result['brier']:.3f}; training {train_seconds:.1f} s")
    lines.append("targets met" if met else "targets NOT met")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
