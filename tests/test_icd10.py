"""ICD-10-SE code validation."""

import pytest

from rehabkoll.lib import icd10


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("F43.8A", "F43.8A"),  # Swedish extension of WHO F43.8
        ("f438a", "F43.8A"),  # dot optional, case-insensitive
        ("M54.5", "M54.5"),
        ("M545", "M54.5"),
        ("F43", "F43"),  # a three-character category is a code too
        ("S72.00", "S72.00"),  # fifth character extends WHO S72.0
    ],
)
def test_it_accepts_and_normalises_codes(text: str, canonical: str) -> None:
    assert icd10.normalize(text) == canonical


@pytest.mark.parametrize("text", ["F99.9XX", "V", "F40-F48", "Q9", "U99.9", "12.3", "F43.8AAAA"])
def test_it_rejects_unknown_codes_and_blocks(text: str) -> None:
    with pytest.raises(icd10.UnknownDiagnosisCodeError):
        icd10.normalize(text)


def test_it_describes_an_extension_code_by_its_who_parent() -> None:
    assert icd10.describe("F43.8A") == icd10.describe("F43.8") != ""


def test_category_and_chapter_letter() -> None:
    assert icd10.category("F43.8A") == "F43"
    assert icd10.chapter_letter("m54.5") == "M"
