"""What the patient page shows of FMB per case: the recommendation and the
case's days against it, the typical cases and diagnosis texts of the lead
certificate's codes, and the project's "tänk på" advice."""

from __future__ import annotations

from dataclasses import dataclass

from rehabkoll.cases.engine import CaseRow
from rehabkoll.fmb import advice, rules
from rehabkoll.fmb.service import SOURCE_NAME, Catalogue, DiagnosisInfo


@dataclass(frozen=True, slots=True)
class CodeFmb:
    """One code of the lead certificate and what FMB has for it."""

    code: str
    matched: str | None
    typical_cases: tuple[rules.TypicalCase, ...]
    diagnoses: tuple[DiagnosisInfo, ...]


@dataclass(frozen=True, slots=True)
class CaseFmb:
    assessment: rules.Assessment | None
    source: str
    """"Socialstyrelsen, FMB (2018-06-05)", or empty without FMB."""
    codes: tuple[CodeFmb, ...]
    advice: tuple[advice.Advice, ...]

    @property
    def share_percent(self) -> int | None:
        share = self.assessment.share if self.assessment else None
        return round(100 * share) if share is not None else None


def case_fmb(catalogue: Catalogue | None, row: CaseRow) -> CaseFmb:
    codes = [c for c in (row.diagnosis, *row.secondary_diagnoses) if c]
    found: list[CodeFmb] = []
    if catalogue is not None:
        for code in codes:
            matched, cases = catalogue.typical_cases(code)
            _, diagnoses = catalogue.diagnoses(code)
            if matched or diagnoses:
                found.append(CodeFmb(code, matched, cases, diagnoses))
    groups: dict[str, advice.Advice] = {}
    for code in codes:
        item = advice.for_code(code)
        if item is not None:
            groups.setdefault(item.code, item)
    return CaseFmb(
        assessment=catalogue.assess(codes, row.days) if catalogue else None,
        source=f"{SOURCE_NAME} ({catalogue.version.label})" if catalogue else "",
        codes=tuple(found),
        advice=tuple(groups.values()),
    )
