"""Shared helpers of the RIVTA tests: the national examples, and the check
digit they get wrong."""

from __future__ import annotations

from pathlib import Path

from rehabkoll.exchange.safexml import schemas_dir

EXAMPLES = schemas_dir().parent / "examples"
SCENARIOS = EXAMPLES / "lisjp-scenarios"
# Inera's scenario files name the patient 19270310-4321, whose check digit is
# wrong (Luhn of 2703104321 sums to 32): rehabkoll rejects it like any bad
# personnummer. Tests that need the rest of such a file read it with the
# number's correct check digit (…4329), the only change.
INERA_BAD_NUMBER = b"192703104321"
INERA_FIXED_NUMBER = b"192703104329"


def example(path: Path, *, fix_check_digit: bool = True) -> bytes:
    data = path.read_bytes()
    return data.replace(INERA_BAD_NUMBER, INERA_FIXED_NUMBER) if fix_check_digit else data


def scenario_files(prefix: str) -> list[Path]:
    return sorted(SCENARIOS.glob(f"{prefix}*.xml"))
