"""Where the tests find Socialstyrelsen's FMB data (the shared reference data,
never copied into the project): REHABKOLL_DATA_DIR, else ../shared/data from
the project, else from the folder above it (a git worktree)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def fmb_dir() -> Path:
    candidates = [
        Path(os.environ["REHABKOLL_DATA_DIR"]) if os.environ.get("REHABKOLL_DATA_DIR") else None,
        ROOT.parent / "shared" / "data",
        ROOT.parent.parent / "shared" / "data",
    ]
    for base in candidates:
        if base is not None and (base / "fmb" / "typfall.json").is_file():
            return base / "fmb"
    pytest.skip("the shared FMB data is not here (set REHABKOLL_DATA_DIR)")
