"""What a synthetic data set can be asked for: the output format, the insured
of the whole country and the default region. No numpy here: the command line
reads these for its options when it starts."""

from __future__ import annotations

from enum import StrEnum

COUNTRY_INSURED = 6_300_000
DEFAULT_REGION = "Region Sörmland"


class OutputFormat(StrEnum):
    jsonl = "jsonl"
    parquet = "parquet"
    rivta = "rivta"
