"""Commands of rehabkoll.synth (placeholder until that capability lands)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the root command line."""
