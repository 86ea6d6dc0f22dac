"""The certificate format: one FK 7804 certificate (läkarintyg för sjukpenning)
or one revocation (makulering) per JSON line.

These Pydantic models are the single definition of the format: validation,
the published JSON Schema (``rehabkoll schema``) and docs/certificate-format.md
all follow from them. Unknown fields are rejected.
"""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from rehabkoll.certificates.text import FieldError as FieldError
from rehabkoll.certificates.text import check_text, decode
from rehabkoll.config import get_settings
from rehabkoll.lib import icd10, personnummer

EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)
MAX_DAYS_AHEAD = 730
"""A period may not end more than this many days after the certificate was signed."""

DEGREES = (25, 50, 75, 100)
_HSA_ID = re.compile(r"^SE\d{10}-[0-9A-Za-z]{1,31}$")
_STOCKHOLM = ZoneInfo("Europe/Stockholm")


class Occupation(StrEnum):
    """Sysselsättning: what the patient's work capacity is assessed against."""

    CURRENT_JOB = "CURRENT_JOB"
    JOB_SEEKER = "JOB_SEEKER"
    PARENTAL_LEAVE = "PARENTAL_LEAVE"
    STUDIES = "STUDIES"


def _hsa_id(value: str) -> str:
    if not _HSA_ID.match(value):
        raise ValueError("must be an HSA id such as SE2321000016-U001")
    return value


def _personal_number(value: str) -> str:
    try:
        number = personnummer.parse(value)
    except personnummer.InvalidPersonalNumberError as err:
        raise ValueError(f"is not a valid personnummer or samordningsnummer: {err}") from None
    if number.synthetic and not get_settings().accept_synthetic_ids:
        raise ValueError(
            "is a synthetic number (month of birth + 20), and this installation "
            "accepts real numbers only (REHABKOLL_ACCEPT_SYNTHETIC_IDS=false)"
        )
    return number.canonical


def _diagnosis_code(value: str) -> str:
    try:
        return icd10.normalize(value)
    except icd10.UnknownDiagnosisCodeError as err:
        raise ValueError(str(err)) from None


def _as_text(value: Any) -> Any:
    """Dates and times are written as ISO 8601 text, never as a number of seconds."""
    if not isinstance(value, str):
        raise ValueError("must be ISO 8601 text, such as 2016-02-01")
    return value


def _in_range(day: date) -> None:
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValueError(f"must lie between {EARLIEST_DATE} and {LATEST_DATE}")


def _date_in_range(value: date) -> date:
    _in_range(value)
    return value


def _local_naive(value: datetime) -> datetime:
    """Signing times are Swedish local time; an explicit offset is converted to
    it. The range is checked first: converting a time in the year 9999 (or 1)
    would overflow."""
    _in_range(value.date())
    if value.tzinfo is not None:
        return value.astimezone(_STOCKHOLM).replace(tzinfo=None)
    return value


_NO_CONTROL = r"\x00-\x1f\x7f-\x9f"
"""No control characters in any text: ``text.check_text`` refuses them with
a reason before these patterns are reached; the patterns publish the rule."""

HsaId = Annotated[str, AfterValidator(_hsa_id)]
PersonalId = Annotated[str, AfterValidator(_personal_number)]
DiagnosisCode = Annotated[str, AfterValidator(_diagnosis_code)]
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=rf"^[^{_NO_CONTROL}]*$")]
CertificateId = Annotated[
    str, Field(min_length=1, max_length=100, pattern=rf"^[^\s{_NO_CONTROL}]+$")
]
LocalDateTime = Annotated[datetime, BeforeValidator(_as_text), AfterValidator(_local_naive)]
IsoDate = Annotated[date, BeforeValidator(_as_text), AfterValidator(_date_in_range)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Patient(_Strict):
    id: PersonalId = Field(description="Personnummer or samordningsnummer, YYYYMMDD-NNNN")
    name: Name


class Staff(_Strict):
    id: HsaId = Field(description="HSA id of the signing doctor")
    name: Name


class Organisation(_Strict):
    id: HsaId
    name: Name


class Diagnosis(_Strict):
    code: DiagnosisCode = Field(description="Main diagnosis, ICD-10-SE, dot optional")
    secondary: list[DiagnosisCode] = Field(default_factory=list, max_length=2)


class Period(_Strict):
    start: IsoDate
    end: IsoDate
    degree: Literal[25, 50, 75, 100] = Field(description="Sjukskrivningsgrad in per cent")

    @field_validator("end")
    @classmethod
    def _not_before_start(cls, value: date, info: ValidationInfo) -> date:
        start = info.data.get("start")
        if start is not None and value < start:
            raise ValueError("is before start")
        return value


class Certificate(_Strict):
    """Läkarintyg för sjukpenning (FK 7804)."""

    id: CertificateId
    type: Literal["FK7804"]
    signed_at: LocalDateTime
    patient: Patient
    doctor: Staff
    unit: Organisation = Field(description="Vårdenhet: the care unit")
    care_provider: Organisation = Field(description="Vårdgivare: the care provider")
    diagnosis: Diagnosis
    occupation: list[Occupation] = Field(min_length=1, max_length=4)
    periods: list[Period] = Field(min_length=1, max_length=20)
    replaces: CertificateId | None = Field(
        default=None, description="Id of an earlier certificate this one replaces (ersätter)"
    )
    test: StrictBool = Field(
        default=False, description="Test certificates never enter cases (true or false)"
    )

    @field_validator("occupation")
    @classmethod
    def _distinct_occupations(cls, value: list[Occupation]) -> list[Occupation]:
        if len(set(value)) != len(value):
            raise ValueError("lists an occupation twice")
        return value

    @field_validator("periods")
    @classmethod
    def _no_overlap(cls, value: list[Period], info: ValidationInfo) -> list[Period]:
        ordered = sorted(value, key=lambda p: p.start)
        for before, after in itertools.pairwise(ordered):
            if after.start <= before.end:
                raise ValueError(
                    f"periods overlap: {before.start}–{before.end} and {after.start}–{after.end}"
                )
        signed_at: datetime | None = info.data.get("signed_at")
        if signed_at is not None:
            latest = signed_at.date() + timedelta(days=MAX_DAYS_AHEAD)
            if ordered[-1].end > latest:
                raise ValueError(f"end more than {MAX_DAYS_AHEAD} days after signed_at")
        return ordered

    @field_validator("replaces")
    @classmethod
    def _not_itself(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and value == info.data.get("id"):
            raise ValueError("a certificate cannot replace itself")
        return value

    @property
    def start(self) -> date:
        return self.periods[0].start

    @property
    def end(self) -> date:
        return self.periods[-1].end


class Revocation(_Strict):
    """Makulering: withdraws an earlier certificate from every case."""

    revokes: CertificateId
    revoked_at: LocalDateTime


def _field_errors(err: ValidationError) -> FieldError:
    first = err.errors(include_url=False, include_input=False)[0]
    loc = ".".join(str(part) for part in first["loc"]) or "(line)"
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown field"
    elif first["type"] == "bool_type":
        message = "must be true or false"
    return FieldError(loc, message)


def parse_document(
    data: Any, *, whole: str = "(line)", text_checked: bool = False
) -> Certificate | Revocation:
    """Validate one decoded JSON value as a certificate or a revocation.
    ``text_checked``: ``text.decode`` found nothing for ``check_text`` to do."""
    if not text_checked:
        check_text(data, whole=whole)
    if not isinstance(data, dict):
        raise FieldError(whole, "must be a JSON object")
    model: type[Certificate] | type[Revocation] = Revocation if "revokes" in data else Certificate
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise _field_errors(err) from None


def parse_line(line: str) -> Certificate | Revocation:
    """Validate one line of JSON Lines input (a byte-order mark may lead)."""
    data, suspect = decode(line, whole="(line)")
    return parse_document(data, text_checked=not suspect)


def json_schema() -> dict[str, Any]:
    """The published JSON Schema: one line is a certificate or a revocation."""
    certificate = Certificate.model_json_schema(ref_template="#/$defs/{model}")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "rehabkoll certificate line",
        "oneOf": [
            {"$ref": "#/$defs/Certificate"},
            {"$ref": "#/$defs/Revocation"},
        ],
        "$defs": {
            **certificate["$defs"],
            "Certificate": {k: v for k, v in certificate.items() if k != "$defs"},
            "Revocation": Revocation.model_json_schema(ref_template="#/$defs/{model}"),
        },
    }
