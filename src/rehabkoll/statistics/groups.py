"""The groups the reports count by: diagnosis groups and ICD-10 chapters, age
groups, length groups, degrees and certificates per case.

Each grouping is one table of bounds; from it come both the plain Python
classifier (used by the reference form and the tests) and the SQL ``CASE``
expression the DuckDB engine uses, so there is one definition of each group.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Group:
    """One group: machine key (JSON, CSV), Swedish label (tables, web)."""

    key: str
    label: str


@dataclass(frozen=True, slots=True)
class Band:
    """A numeric band ``low <= value <= high`` (None: open)."""

    low: int | None
    high: int | None
    group: Group


@dataclass(frozen=True, slots=True)
class CodeRange:
    """Three-character ICD-10 categories ``first <= category <= last``."""

    first: str
    last: str
    group: Group


def _band(low: int | None, high: int | None, key: str, label: str) -> Band:
    return Band(low, high, Group(key, label))


AGE_BANDS: tuple[Band, ...] = (
    _band(None, 15, "0-15", "under 16 år"),
    *(_band(a, a + 4, f"{a}-{a + 4}", f"{a}–{a + 4} år") for a in range(16, 62, 5)),
    _band(66, None, "66-", "över 65 år"),
)

LENGTH_BANDS: tuple[Band, ...] = (
    _band(None, 14, "0-14", "under 15 dagar"),
    _band(15, 30, "15-30", "15–30 dagar"),
    _band(31, 60, "31-60", "31–60 dagar"),
    _band(61, 90, "61-90", "61–90 dagar"),
    _band(91, 180, "91-180", "91–180 dagar"),
    _band(181, 364, "181-364", "181–364 dagar"),
    _band(365, 730, "365-730", "1–2 år"),
    _band(731, None, "731-", "över 2 år"),
)

DEGREE_BANDS: tuple[Band, ...] = tuple(_band(d, d, str(d), f"{d} %") for d in (25, 50, 75, 100))

CERTIFICATE_BANDS: tuple[Band, ...] = (
    *(_band(n, n, str(n), f"{n} intyg") for n in (1, 2, 3, 4)),
    _band(5, None, "5-", "5 intyg eller fler"),
)

OTHER = Group("other", "Övriga")

DIAGNOSIS_GROUPS: tuple[CodeRange, ...] = (
    CodeRange("F00", "F99", Group("psychiatric", "Psykiatriska diagnoser (F)")),
    CodeRange("M00", "M99", Group("musculoskeletal", "Muskuloskeletala diagnoser (M)")),
    CodeRange("A00", "E90", Group("somatic", "Somatiska diagnoser")),
    CodeRange("G00", "L99", Group("somatic", "Somatiska diagnoser")),
    CodeRange("N00", "N99", Group("somatic", "Somatiska diagnoser")),
    CodeRange("O00", "O99", Group("pregnancy", "Graviditet och förlossning (O)")),
    CodeRange("R00", "R99", Group("symptoms", "Symtom och sjukdomstecken (R)")),
    CodeRange("Z00", "Z99", Group("factors", "Faktorer av betydelse för hälsotillståndet (Z)")),
)

_CHAPTERS = (
    ("A00", "B99", "I", "Vissa infektionssjukdomar och parasitsjukdomar"),
    ("C00", "D48", "II", "Tumörer"),
    ("D50", "D89", "III", "Sjukdomar i blod och blodbildande organ"),
    ("E00", "E90", "IV", "Endokrina sjukdomar, nutritionsrubbningar och ämnesomsättning"),
    ("F00", "F99", "V", "Psykiska sjukdomar och syndrom samt beteendestörningar"),
    ("G00", "G99", "VI", "Sjukdomar i nervsystemet"),
    ("H00", "H59", "VII", "Sjukdomar i ögat och närliggande organ"),
    ("H60", "H95", "VIII", "Sjukdomar i örat och mastoidutskottet"),
    ("I00", "I99", "IX", "Cirkulationsorganens sjukdomar"),
    ("J00", "J99", "X", "Andningsorganens sjukdomar"),
    ("K00", "K93", "XI", "Matsmältningsorganens sjukdomar"),
    ("L00", "L99", "XII", "Hudens och underhudens sjukdomar"),
    ("M00", "M99", "XIII", "Sjukdomar i muskuloskeletala systemet och bindväven"),
    ("N00", "N99", "XIV", "Sjukdomar i urin- och könsorganen"),
    ("O00", "O99", "XV", "Graviditet, förlossning och barnsängstid"),
    ("P00", "P96", "XVI", "Vissa perinatala tillstånd"),
    ("Q00", "Q99", "XVII", "Medfödda missbildningar och kromosomavvikelser"),
    ("R00", "R99", "XVIII", "Symtom, sjukdomstecken och onormala fynd"),
    ("S00", "T98", "XIX", "Skador, förgiftningar och vissa andra följder av yttre orsaker"),
    ("V01", "Y98", "XX", "Yttre orsaker till sjukdom och död"),
    ("Z00", "Z99", "XXI", "Faktorer av betydelse för hälsotillståndet"),
    ("U00", "U99", "XXII", "Koder för särskilda ändamål"),
)

CHAPTERS: tuple[CodeRange, ...] = tuple(
    CodeRange(first, last, Group(f"{first}-{last}", f"{roman} {title} ({first}–{last})"))
    for first, last, roman, title in _CHAPTERS
)


def classify_band(value: int, bands: Sequence[Band]) -> Group | None:
    for band in bands:
        if (band.low is None or value >= band.low) and (band.high is None or value <= band.high):
            return band.group
    return None


def classify_code(code: str, ranges: Sequence[CodeRange]) -> Group:
    category = code[:3].upper()
    for item in ranges:
        if item.first <= category <= item.last:
            return item.group
    return OTHER


def band_sql(column: str, bands: Sequence[Band]) -> str:
    """A SQL CASE giving each band's key (NULL outside every band)."""
    whens = []
    for band in bands:
        tests = []
        if band.low is not None:
            tests.append(f"{column} >= {band.low}")
        if band.high is not None:
            tests.append(f"{column} <= {band.high}")
        whens.append(f"WHEN {' AND '.join(tests) or 'TRUE'} THEN '{band.group.key}'")
    return f"(CASE {' '.join(whens)} END)"


def code_sql(column: str, ranges: Sequence[CodeRange]) -> str:
    """A SQL CASE giving the group key of a diagnosis code column."""
    category = f"upper(substr({column}, 1, 3))"
    whens = " ".join(
        f"WHEN {category} BETWEEN '{r.first}' AND '{r.last}' THEN '{r.group.key}'" for r in ranges
    )
    return f"(CASE {whens} ELSE '{OTHER.key}' END)"


def groups_of(bands: Sequence[Band] | Sequence[CodeRange]) -> list[Group]:
    """The distinct groups of a table, in order (``other`` last for code ranges)."""
    seen: dict[str, Group] = {}
    for item in bands:
        seen.setdefault(item.group.key, item.group)
    if bands and isinstance(bands[0], CodeRange):
        seen.setdefault(OTHER.key, OTHER)
    return list(seen.values())


def chapter_of(text: str) -> CodeRange | None:
    """The chapter named by ``text``: a key (F00-F99), a roman numeral (V) or a
    single letter whose codes lie in one chapter (F)."""
    wanted = text.strip().upper()
    for item, (_first, _last, roman, _title) in zip(CHAPTERS, _CHAPTERS, strict=True):
        if wanted in (item.group.key.upper(), roman):
            return item
    if len(wanted) == 1 and wanted.isalpha():
        matches = [c for c in CHAPTERS if c.first[0] <= wanted <= c.last[0]]
        if len(matches) == 1:
            return matches[0]
        # A letter shared by chapters (D, H): every code starting with it.
        if matches:
            return CodeRange(f"{wanted}00", f"{wanted}99", Group(wanted, f"Koder {wanted}00–99"))
    return None


def label(key: str) -> str:
    """The Swedish label of any group key (the key itself if unknown)."""
    for table in (AGE_BANDS, LENGTH_BANDS, DEGREE_BANDS, CERTIFICATE_BANDS):
        for band in table:
            if band.group.key == key:
                return band.group.label
    for item in (*DIAGNOSIS_GROUPS, *CHAPTERS):
        if item.group.key == key:
            return item.group.label
    return OTHER.label if key == OTHER.key else key
