"""The "tänk på" advice file: every group the issue names, both kinds of
advice, each point with its text and source."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rehabkoll.fmb import advice

GROUPS = [
    "F31",
    "F32",
    "F33",
    "F41",
    "F43",
    "G56",
    "I63",
    "M16",
    "M17",
    "M19",
    "M23",
    "M51",
    "M53",
    "M54",
    "M75",
    "M77",
    "M79",
    "R52",
    "R53",
    "S52",
    "S62",
    "S82",
    "S83",
]


def test_every_group_has_advice_for_the_doctor_and_the_coordinator_with_sources() -> None:
    found = advice.all_advice()
    assert set(GROUPS) <= set(found)
    for code in GROUPS:
        item = found[code]
        assert item.doctor, code
        assert item.coordinator, code
        for point in (*item.doctor, *item.coordinator):
            assert point.source, code
            # each continues "tänk på att …": lower case, or an abbreviation (KBT)
            first = point.text.split()[0].split(":")[0]
            assert first[0].islower() or first.isupper(), code


def test_a_code_is_matched_by_its_first_three_characters() -> None:
    found = advice.for_code("f43.8a")
    assert found is not None
    assert found.code == "F43"
    assert advice.for_code("Z00") is None


def test_a_point_without_a_source_is_refused(tmp_path: Path) -> None:
    body = {"groups": {"F32": {"title": "x", "doctor": [{"text": "a"}], "coordinator": []}}}
    path = tmp_path / "advice.json"
    path.write_text(json.dumps(body))
    with pytest.raises(advice.AdviceFileError, match=r"F32\.doctor\[0\]: needs text and source"):
        advice.all_advice.__wrapped__(path)
