"""A RIVTA XML import killed with SIGKILL (not an exception: the process and
its reading processes simply stop) leaves the database consistent, and a
re-run completes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from benchmarks.bench_rivta_import import write_zip
from sqlalchemy import func, select

from rehabkoll.certificates import models as cert_models
from rehabkoll.db.session import make_engine, session_scope, upgrade
from rehabkoll.exchange import importing, models
from tests.rivta_helpers import SCENARIOS

pytestmark = pytest.mark.skipif(not SCENARIOS.is_dir(), reason="shared RIVTA data missing")
MESSAGES = 5000


def test_a_killed_xml_import_leaves_whole_chunks_and_a_rerun_completes_it(
    tmp_path: Path,
) -> None:
    bundle = tmp_path / "lisjp.zip"
    write_zip(bundle, MESSAGES)
    url = f"sqlite:///{tmp_path / 'kill.db'}"
    engine = make_engine(url)
    upgrade(engine)
    command = [sys.executable, "-m", "rehabkoll", "import", str(bundle), "--db", url]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # wait until a chunk is committed
            with session_scope(engine) as session:
                if session.scalar(select(func.count()).select_from(cert_models.Certificate)):
                    break
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait()

    def number(model: type[object]) -> int:
        with session_scope(engine) as session:
            return session.scalar(select(func.count()).select_from(model)) or 0

    stored = number(cert_models.Certificate)
    with session_scope(engine) as session:
        counted = session.scalar(select(func.sum(cert_models.ImportBatch.stored)))
    # Every message here is a LISJP that is stored, so whole chunks of 1,000
    # mean a multiple of 1,000 certificates, each with its origin row and its
    # archived message, and the batch counting exactly those.
    assert 0 < stored < MESSAGES
    assert stored % importing.CHUNK_MESSAGES == 0
    assert number(models.CertificateOrigin) == stored
    assert number(models.ArchivedMessage) == stored
    assert counted == stored
    rerun = subprocess.run(command, capture_output=True, text=True, check=True)
    text = "".join(rerun.stdout.split())  # the terminal's line wrapping varies
    assert f"{MESSAGES - stored}stored,{stored}unchanged,0ignored,0rejected" in text
    assert number(cert_models.Certificate) == number(models.ArchivedMessage) == MESSAGES
    engine.dispose()
