"""RIVTA import speed: LISJP RegisterCertificate messages (written from the
storage benchmark's certificates) in a zip, imported into a fresh SQLite
database with ``rehabkoll import`` (XSD validation, rules, storing, archive).

    .venv/bin/python -m benchmarks.bench_rivta_import --messages 20000
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
from pathlib import Path

from benchmarks.certgen import certificate_lines
from rehabkoll.certificates.schema import Certificate, parse_line
from rehabkoll.exchange import writing


def write_zip(path: Path, count: int) -> int:
    """``count`` LISJP messages in a zip; returns the bytes of XML written."""
    size = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number, line in enumerate(certificate_lines(count, units=20), start=1):
            cert = parse_line(line)
            assert isinstance(cert, Certificate)
            data = writing.register_certificate(cert)
            size += len(data)
            archive.writestr(f"{number:08d}.xml", data)
    return size


def run_once(bundle: Path, workdir: Path, turn: int) -> tuple[float, float]:
    """Wall seconds of the import, and CPU seconds of the import's own process
    (storing; the reading processes come from a fork server and are not counted)."""
    db = f"sqlite:///{workdir / f'bench-{turn}.db'}"
    # Migrate first, so that the timing is the import alone.
    subprocess.run(
        [sys.executable, "-m", "rehabkoll", "import", "/dev/null", "--db", db],
        check=False,
        capture_output=True,
    )
    cpu_before = _children_cpu()
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "rehabkoll", "import", str(bundle), "--db", db],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started, _children_cpu() - cpu_before


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        bundle = workdir / "lisjp.zip"
        size = write_zip(bundle, args.messages)
        print(f"{args.messages} messages, {size / args.messages:,.0f} bytes each on average")
        runs = [run_once(bundle, workdir, turn) for turn in range(args.runs)]
        read = reading_cpu(bundle)
    load = os.getloadavg()[0]
    for wall, cpu in runs:
        print(
            f"  wall {wall:.2f} s = {args.messages / wall:,.0f} messages/s; "
            f"storing process CPU {cpu / args.messages * 1000:.3f} ms per message"
        )
    wall = statistics.median(w for w, _ in runs)
    store = statistics.median(c for _, c in runs) / args.messages
    print(
        f"median wall {wall:.2f} s = {args.messages / wall:,.0f} messages/s "
        f"(load average {load:.1f}, including the command's start)"
    )
    # Reading runs on two processes beside the storing one: on two free cores
    # the rate is bounded by the storing process and by the cores' total work.
    bound = 1 / max(store, (read + store) / 2)
    print(
        f"CPU per message: reading {read * 1000:.3f} ms, storing {store * 1000:.3f} ms "
        f"→ at most {bound:,.0f} messages/s on two free cores"
    )


def reading_cpu(bundle: Path, count: int = 2000) -> float:
    """CPU seconds per message of reading (XSD, rules, archive copy), in this process."""
    from rehabkoll.exchange import importing

    chunk = [(n, name, data) for n, (name, data) in enumerate(importing.sources(bundle))]
    chunk = chunk[:count]
    importing.read_chunk(chunk[:10])  # load the schemas first
    started = time.process_time()
    importing.read_chunk(chunk)
    return (time.process_time() - started) / len(chunk)


if __name__ == "__main__":
    main()
