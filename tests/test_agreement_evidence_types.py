"""Evidence files are checked by their content (magic bytes), not only by the
type the browser declares."""

from __future__ import annotations

import io
import zipfile

import pytest

from rehabkoll.agreement.errors import InvalidInputError
from rehabkoll.agreement.evidence import TYPE_NAMES, Upload, check_content, content_type_of

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def office(folder: str) -> bytes:
    """The smallest zip an Office reader would open far enough to say its kind:
    the content-types part and the main part's folder (word/ or xl/)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}/document.xml", "<x/>")
    return buffer.getvalue()


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 24
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\0" * 8


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"%PDF-1.4\n%...", "application/pdf"),
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (office("word"), DOCX),
        (office("xl"), XLSX),
        ("Handlingsplan för 2016, åtgärd 1\r\n\tklar\n".encode(), "text/plain"),
        (b"\xef\xbb\xbfmed BOM", "text/plain"),
    ],
)
def test_each_accepted_type_is_known_by_its_bytes(content: bytes, expected: str) -> None:
    assert content_type_of(content) == expected


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x00\x03\x00\x00\x00",  # a Windows program
        b"\x7fELF\x02\x01\x01\x00",  # a Linux program
        b"GIF89a\x01\x00\x01\x00",  # an image type not accepted
        b"text\x00with a NUL",  # not text
        b"\xff\xfe\x00t",  # not UTF-8
        b"PK\x03\x04" + b"\0" * 26,  # a zip that is not an Office document
    ],
)
def test_other_content_is_none_of_the_accepted_types(content: bytes) -> None:
    assert content_type_of(content) is None


def test_a_declared_type_that_the_content_contradicts_is_refused_naming_the_file() -> None:
    # A program renamed to plan.pdf and declared as PDF by the browser.
    with pytest.raises(InvalidInputError, match=r"'plan\.pdf' är inte PDF, text, PNG"):
        check_content(Upload("plan.pdf", "application/pdf", b"MZ\x90\x00\x03\x00"))
    # A PNG declared as PDF: the message says both.
    with pytest.raises(InvalidInputError, match=r"'bild\.pdf' sägs vara PDF men innehållet är PNG"):
        check_content(Upload("bild.pdf", "application/pdf", PNG))
    # Text declared as Excel.
    with pytest.raises(InvalidInputError, match=r"sägs vara Excel \(XLSX\) men innehållet är text"):
        check_content(Upload("tal.xlsx", XLSX, b"1;2;3\n"))


def test_a_file_whose_bytes_match_its_declared_type_passes() -> None:
    for declared in TYPE_NAMES:
        content = {
            "application/pdf": b"%PDF-1.7\n",
            "text/plain": b"ok\n",
            "image/png": PNG,
            "image/jpeg": JPEG,
            DOCX: office("word"),
            XLSX: office("xl"),
        }[declared]
        check_content(Upload("f", declared, content))
