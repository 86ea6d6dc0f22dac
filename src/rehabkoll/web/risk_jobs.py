"""Background jobs of the risk model's admin page: a training or an
evaluation runs in a thread of the web process, never in a request, and
reports its stage; the status page reads it from here.

One job at a time per process (a second is refused with ``BusyError``): a
training reads every case of the region and takes up to a minute or two,
and two at once would only slow each other on a small server. The registry
lives in the process (``app.state.risk_jobs``): a restart forgets the jobs
(a model is stored, or not, in one transaction either way), and with
``rehabkoll serve --workers N`` each worker has its own (docs/decision-support.md).
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from rehabkoll.accounts.service import utcnow

log = logging.getLogger(__name__)

KEEP = 20
"""Finished jobs kept for their status page (and an evaluation's report)."""


class Kind(StrEnum):
    TRAIN = "train"
    EVALUATE = "evaluate"

    @property
    def label(self) -> str:
        return {Kind.TRAIN: "Träning", Kind.EVALUATE: "Utvärdering"}[self]


STAGES = {
    "queued": "Väntar på att starta",
    "read": "Läser sjukfallen ur databasen",
    "learn": "Tränar modellen",
    "store": "Sparar modellen",
    "evaluate": "Beräknar måtten och diagrammen",
    "done": "Klar",
    "failed": "Misslyckades",
}


class JobFailedError(Exception):
    """A failure with a message for the user (Swedish, no patient data)."""


@dataclass
class Job:
    id: str
    kind: Kind
    username: str
    started_at: datetime
    params: dict[str, str]
    stage: str = "queued"
    finished_at: datetime | None = None
    error: str = ""
    version: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] | None = None

    @property
    def running(self) -> bool:
        return self.stage not in ("done", "failed")

    @property
    def stage_label(self) -> str:
        return STAGES.get(self.stage, self.stage)


class BusyError(Exception):
    """Another job is running; ``job`` is that one."""

    def __init__(self, job: Job) -> None:
        super().__init__(f"a {job.kind} job is running")
        self.job = job


Work = Callable[[Job], None]


class Registry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._threads: dict[str, threading.Thread] = {}

    def running(self) -> Job | None:
        with self._lock:
            return next((j for j in self._jobs.values() if j.running), None)

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def recent(self) -> list[Job]:
        with self._lock:
            return list(reversed(self._jobs.values()))

    def start(self, kind: Kind, username: str, params: dict[str, str], work: Work) -> Job:
        """Run ``work`` in a thread; it sets the job's stage and results, and
        raises ``JobFailedError`` (or anything else) to fail it."""
        with self._lock:
            busy = next((j for j in self._jobs.values() if j.running), None)
            if busy is not None:
                raise BusyError(busy)
            job = Job(secrets.token_urlsafe(9), kind, username, utcnow(), params)
            self._jobs[job.id] = job
            while len(self._jobs) > KEEP:
                oldest = next(iter(self._jobs))
                if self._jobs[oldest].running:
                    break
                self._jobs.pop(oldest)
                self._threads.pop(oldest, None)
            thread = threading.Thread(
                target=self._run, args=(job, work), name=f"risk-{kind}-{job.id}", daemon=True
            )
            self._threads[job.id] = thread
        thread.start()
        return job

    def wait(self, job_id: str, timeout: float | None = None) -> Job | None:
        """Until the job has finished (tests, and a shutdown that waits)."""
        with self._lock:
            thread = self._threads.get(job_id)
        if thread is not None:
            thread.join(timeout)
        return self.get(job_id)

    @staticmethod
    def _run(job: Job, work: Work) -> None:
        try:
            work(job)
        except JobFailedError as err:
            job.error = str(err)
            job.stage = "failed"
        except Exception as err:
            # The type only: a message could carry data (the log holds no personnummer).
            log.error("risk %s job %s failed: %s", job.kind, job.id, type(err).__name__)
            job.error = "Ett oväntat fel inträffade. Ingenting sparades."
            job.stage = "failed"
        else:
            job.stage = "done"
        finally:
            job.finished_at = utcnow()
