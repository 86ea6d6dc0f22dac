"""Swedish diagnosis texts: the file formats, the most-specific-text rule, and
the search terms. The first tests read small files written here in the
distributed formats; the last ones read the reference data itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rehabkoll.config import Settings
from rehabkoll.lib import diagnosis_texts as dt
from rehabkoll.lib.diagnosis_texts import Source


def write_folder(root: Path) -> Path:
    codes = root / "diagnoskoder"
    codes.mkdir(parents=True)
    # KSH97-P layout: code in six columns, "-" fills, trailing P a grouping mark.
    (codes / "KSH97P_KOD.ANS").write_bytes(
        "F32-   Depressiv episod \n"
        "F419P  Annat ångesttillstånd \n"
        "F438A  Utmattningssyndrom\n"
        "M545   Lumbago \n".encode("iso-8859-1")
    )
    (codes / "KSH97P_SFAMALT.ANS").write_bytes(
        "F32-   Depressiv episod\nF32-   Depression\nM545   Ryggskott\n".encode("iso-8859-1")
    )
    # block.txt: UTF-8 with a byte-order mark, tab separated.
    (codes / "block.txt").write_text(
        "\ufeffF30-F39\t\tFörstämningssyndrom\nM50-M54\t\tAndra ryggsjukdomar\n"
        "J00-J06\t\tAkuta övre luftvägsinfektioner\n",
        encoding="utf-8",
    )
    (codes / "diagnoskapitel.txt").write_text(
        "F00-F99Psykiska sjukdomar och syndrom samt beteendestörningar\n", encoding="utf-8"
    )
    fmb = root / "fmb"
    fmb.mkdir()
    keyword = {"kod": "F432", "kodsystemnamn": "ICD-10", "beskrivning": "Anpassningsstörning"}
    other = {"kod": "51316009", "kodsystemnamn": "SNOMED-CT", "beskrivning": "åtgärd"}
    # FMB names M54 too; KSH97-P's own M54.5 title must still win for M54.5.
    back = {"kod": "M54", "kodsystemnamn": "ICD-10", "beskrivning": "Ryggvärk"}
    (fmb / "typfall.json").write_text(
        json.dumps({"data": [{"attributes": {"nyckelord": [keyword, other, back]}}]}),
        encoding="utf-8",
    )
    return root


@pytest.fixture
def catalogue(tmp_path: Path) -> dt.Catalogue:
    return dt.load(write_folder(tmp_path))


@pytest.mark.parametrize(
    ("field", "code"),
    [
        ("A00-  ", "A00"),  # three characters, "-" fills
        ("A02-P ", "A02"),  # grouping mark after the fill
        ("F419P ", "F41.9"),  # grouping mark after a four-character code
        ("F438A ", "F43.8A"),  # the Swedish extension letter A is part of the code
        ("A481P ", "A48.1"),
        ("123   ", None),
    ],
)
def test_it_reads_a_ksh97p_code_field(field: str, code: str | None) -> None:
    assert dt.ksh_code(field) == code


def test_it_reads_titles_synonyms_blocks_and_fmb_names(catalogue: dt.Catalogue) -> None:
    assert catalogue.titles["F41.9"] == "Annat ångesttillstånd"  # ISO-8859-1 å read right
    assert catalogue.titles["F43.2"] == "Anpassningsstörning"  # from FMB
    assert "51316009" not in str(catalogue.titles)  # SNOMED keywords are not ICD-10
    assert catalogue.synonyms["F32"] == ("Depressiv episod", "Depression")
    assert catalogue.blocks[0] == dt.Range("F30", "F39", "Förstämningssyndrom")  # BOM gone
    assert catalogue.chapter("F32.1") == dt.Range(
        "F00", "F99", "Psykiska sjukdomar och syndrom samt beteendestörningar"
    )


@pytest.mark.parametrize(
    ("code", "text", "source", "of"),
    [
        # own titles
        ("M54.5", "Lumbago", Source.OWN, ""),
        ("F43.8A", "Utmattningssyndrom", Source.OWN, ""),
        ("F43.2", "Anpassningsstörning", Source.OWN, ""),  # FMB's name
        # F32.1 has no title of its own: F32's (one level up) is the nearest.
        ("F32.1", "Depressiv episod", Source.PARENT, "F32"),
        # F41.91 → F41.9 (the grouping F419P), not a block.
        ("F41.91", "Annat ångesttillstånd", Source.PARENT, "F41.9"),
        # M54.2 has none, but FMB names its category M54.
        ("M54.2", "Ryggvärk", Source.PARENT, "M54"),
        # F31.1: neither it nor F31 is named here: the block F30-F39's title.
        ("F31.1", "Förstämningssyndrom", Source.BLOCK, "F30-F39"),
    ],
)
def test_it_shows_the_most_specific_swedish_text(
    catalogue: dt.Catalogue, code: str, text: str, source: Source, of: str
) -> None:
    found = catalogue.describe(code)
    assert (found.text, found.source, found.of) == (text, source, of)
    assert found.swedish


def test_it_says_in_the_tooltip_whose_text_it_is(catalogue: dt.Catalogue) -> None:
    assert catalogue.describe("M54.5").note == ""
    assert catalogue.describe("F32.1").note == "Texten gäller den överordnade koden F32"
    assert catalogue.describe("F31.1").note == "Texten gäller avsnittet F30–F39"
    assert catalogue.describe("F32.1").title == (
        "Depressiv episod (Texten gäller den överordnade koden F32)"
    )


def test_it_falls_back_to_who_english_only_without_any_swedish_text(
    catalogue: dt.Catalogue,
) -> None:
    # K35.8: no title, no parent title, no block in the small folder → WHO's English.
    found = catalogue.describe("K35.8")
    assert found.source is Source.WHO
    assert not found.swedish
    assert found.text == "Acute appendicitis, other and unspecified"
    assert found.note == "Engelsk text från WHO: svensk text saknas för koden"


def test_a_missing_folder_gives_english_texts_not_an_error(tmp_path: Path) -> None:
    empty = dt.load(tmp_path / "nowhere")
    assert empty.describe("M54.5").text == "Low back pain"
    assert empty.describe("M54.5").source is Source.WHO


def test_search_terms_hold_synonyms_of_the_code_and_its_parents(
    catalogue: dt.Catalogue,
) -> None:
    # F32.1: F32's title and its synonym "Depression", and the block's title.
    assert catalogue.search_terms("F32.1") == (
        "Depressiv episod",
        "Depression",
        "Förstämningssyndrom",
    )
    # M54.5: its own title and synonym, then M54's FMB name "Ryggvärk", the block.
    assert catalogue.search_terms("M54.5") == (
        "Lumbago",
        "Ryggskott",
        "Ryggvärk",
        "Andra ryggsjukdomar",
    )


def test_ancestors_run_from_the_code_to_its_category() -> None:
    assert list(dt.ancestors("F43.8A")) == ["F43.8A", "F43.8", "F43"]
    assert list(dt.ancestors("F32")) == ["F32"]


def test_a_relative_data_dir_is_found_from_the_project_root(tmp_path: Path) -> None:
    absolute = Settings(data_dir=tmp_path)
    assert absolute.reference_data() == tmp_path
    nowhere = Settings(data_dir=Path("no/such/folder/anywhere"))
    assert nowhere.reference_data() == Path("no/such/folder/anywhere")


# The reference data itself (../shared/data, or REHABKOLL_DATA_DIR).
REAL = Settings().reference_data()
needs_data = pytest.mark.skipif(
    not (REAL / "diagnoskoder" / "KSH97P_KOD.ANS").is_file(),
    reason=f"no reference data at {REAL} (set REHABKOLL_DATA_DIR)",
)


@needs_data
@pytest.mark.parametrize(
    ("code", "text", "source"),
    [
        ("F32.1", "Depressiv episod", Source.PARENT),  # from F32-
        ("M54.5", "Lumbago", Source.OWN),  # M545
        ("F43.8A", "Utmattningssyndrom", Source.OWN),  # F438A
        ("F43.2", "Anpassningsstörning", Source.OWN),  # FMB's F432
        ("M75.1", "Rotator cuff-syndrom i skulderled", Source.OWN),
    ],
)
def test_the_reference_data_gives_the_issues_examples(code: str, text: str, source: Source) -> None:
    found = dt.load(REAL).describe(code)
    assert (found.text, found.source) == (text, source)


@needs_data
def test_the_reference_data_has_every_ksh97p_code_and_the_fmb_names() -> None:
    catalogue = dt.load(REAL)
    ksh = dt.read_titles(REAL / "diagnoskoder" / "KSH97P_KOD.ANS")
    assert len(ksh) == 977  # one title per line of the file
    assert len(catalogue.titles) > 977 + 200  # FMB names codes KSH97-P does not
    assert len(catalogue.chapters) == 22  # the last line has no newline, and is read
    assert "depression" in " ".join(catalogue.search_terms("F32.1")).casefold()
    assert "ryggvärk" in " ".join(catalogue.search_terms("M54.5")).casefold()
