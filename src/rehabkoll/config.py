"""Configuration: every setting comes from an environment variable with the
prefix ``REHABKOLL_`` (documented in docs/configuration.md)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REHABKOLL_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///rehabkoll.db",
        description="SQLAlchemy URL; PostgreSQL in production (postgresql+psycopg://…)",
    )
    data_dir: Path = Field(
        default=Path("../shared/data"),
        description="Reference data that is not the project's own (FMB, Swedish diagnosis "
        "texts), see its README; a relative path is looked for from the working directory, "
        "then from the project's root and the two folders above it",
    )
    fmb_source: str = Field(
        default="",
        description="Where `rehabkoll fmb import` reads FMB when given no PATH_OR_URL: "
        "a folder, or the API's address; empty: the fmb folder of data_dir",
    )
    risk_thresholds: str = Field(
        default="0.39,0.62",
        description="Bounds LOW,HIGH of the risk categories (probability of a case longer "
        "than 90 days): under LOW Måttlig risk, LOW to HIGH Hög risk, over HIGH Mycket hög risk",
    )

    @field_validator("risk_thresholds")
    @classmethod
    def _two_bounds(cls, value: str) -> str:
        from rehabkoll.risk.categories import parse_thresholds

        parse_thresholds(value)  # refused at start-up, not on the first risk shown
        return value

    cookie_secure: bool = Field(
        default=False, description="Mark cookies Secure: set it when served behind HTTPS"
    )
    accept_synthetic_ids: bool = Field(
        default=True,
        description="Accept synthetic personnummer (month of birth + 20) in certificates; "
        "set false in production so that generated data cannot enter it",
    )
    session_idle_minutes: int = Field(default=30, description="Idle time before a session ends")
    log_level: str = Field(default="INFO", description="Application log level")
    agreement_max_file_bytes: int = Field(
        default=5_000_000,
        description="Largest file a region coordinator may hand in as evidence (bytes)",
    )
    rivta_schemas: Path | None = Field(
        default=None,
        description="Folder of the national RIVTA schemas (XSD, WSDL); by default "
        "rivta/schemas in the reference data (REHABKOLL_DATA_DIR)",
    )
    rivta_max_message_bytes: int = Field(
        default=2_000_000, description="Largest RIVTA message accepted, in bytes"
    )
    rivta_care_providers: str = Field(
        default="",
        description="Comma-separated HSA ids of the care providers whose RIVTA messages "
        "this installation accepts; empty accepts every care provider",
    )
    db_pool_size: int = Field(
        default=20,
        ge=1,
        description="Database connections per process; a web server serves as many "
        "requests at once and lets the others wait in line",
    )
    db_wait_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How long a request waits in line for a database connection "
        "before it is answered 503 with Retry-After",
    )
    sqlite_wal_limit_mb: int = Field(
        default=64,
        ge=1,
        description="SQLite: the write-ahead log is checkpointed and cut back to empty "
        "when it grows past this size, even while readers keep it busy",
    )

    def fmb_location(self) -> str:
        """Where FMB is read from by default: ``fmb_source``, else the ``fmb``
        folder of the reference data."""
        return self.fmb_source or str(self.reference_data() / "fmb")

    def reference_data(self) -> Path:
        """``data_dir`` as a folder that exists where one does: a relative path
        is looked for from the working directory, then from the project's root
        and the two folders above it (a git worktree beside the main checkout)."""
        if self.data_dir.is_absolute() or self.data_dir.is_dir():
            return self.data_dir
        for base in (PROJECT_ROOT, *PROJECT_ROOT.parents[:2]):
            if (base / self.data_dir).is_dir():
                return (base / self.data_dir).resolve()
        return self.data_dir


PROJECT_ROOT = Path(__file__).resolve().parents[2]
"""The folder of pyproject.toml, in a source checkout."""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
