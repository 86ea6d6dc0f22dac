"""Import batches whose process is gone: an import killed half-way (``kill -9``,
a lost machine) leaves its batch without ``finished_at``; the next import
marks such batches interrupted, so that no batch stays "running" for ever.

Every batch records its owner as ``host:pid`` (``service.start_batch``, for
certificate imports, RIVTA imports and API intake alike). A batch of this host whose process
no longer runs is interrupted; a batch of another host is left alone (its
process cannot be seen from here), and so is one whose process still runs
(an import running alongside). Batches of versions before owners were
recorded, never finished, are interrupted too.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rehabkoll.certificates import models


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def is_gone(owner: str | None, *, host: str | None = None) -> bool:
    """Whether the process that ``owner`` names has ended (False when it cannot be told)."""
    if owner is None:
        return True
    owner_host, _, pid_text = owner.rpartition(":")
    if owner_host != (host or socket.gethostname()) or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # another user's process: it runs
    return False


def mark_interrupted(session: Session) -> list[int]:
    """Mark the unfinished batches whose process is gone; their ids."""
    unfinished = session.scalars(
        select(models.ImportBatch).where(
            models.ImportBatch.finished_at.is_(None), models.ImportBatch.interrupted_at.is_(None)
        )
    ).all()
    now = datetime.now()
    marked = []
    for batch in unfinished:
        if is_gone(batch.owner):
            batch.interrupted_at = now
            marked.append(batch.id)
    session.flush()
    return marked
