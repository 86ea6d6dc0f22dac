"""The case engine, bulk form (DuckDB): placeholder until it lands."""

from __future__ import annotations

from pathlib import Path


def build_cases_file(input_file: Path, output_file: Path, *, gap: int) -> str:
    raise NotImplementedError
