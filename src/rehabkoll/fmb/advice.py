"""Tänk på: the project's own short advice per diagnosis group (three-character
ICD-10 code) for the doctor and the coordinator, each with its source. The
texts are reference data of the project, kept in ``advice.json`` beside this
module; a code is looked up by its first three characters."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rehabkoll.fmb.rules import normalise

ADVICE_FILE = Path(__file__).with_name("advice.json")


@dataclass(frozen=True, slots=True)
class Point:
    text: str
    source: str


@dataclass(frozen=True, slots=True)
class Advice:
    code: str
    title: str
    doctor: tuple[Point, ...]
    coordinator: tuple[Point, ...]


class AdviceFileError(ValueError):
    """The advice file does not have the form this module reads."""


@lru_cache(maxsize=1)
def all_advice(path: Path = ADVICE_FILE) -> dict[str, Advice]:
    """Every group's advice by its three-character code."""
    body = json.loads(path.read_text(encoding="utf-8"))
    groups = body.get("groups") if isinstance(body, dict) else None
    if not isinstance(groups, dict):
        raise AdviceFileError(f"{path}: groups: missing")
    found: dict[str, Advice] = {}
    for code, item in groups.items():

        def points(key: str, code: str = code, item: object = item) -> tuple[Point, ...]:
            given = item.get(key) if isinstance(item, dict) else None
            if not isinstance(given, list) or not given:
                raise AdviceFileError(f"{path}: {code}.{key}: missing or empty")
            out = []
            for n, point in enumerate(given):
                if not (
                    isinstance(point, dict)
                    and isinstance(point.get("text"), str)
                    and isinstance(point.get("source"), str)
                    and point["text"].strip()
                    and point["source"].strip()
                ):
                    raise AdviceFileError(f"{path}: {code}.{key}[{n}]: needs text and source")
                out.append(Point(point["text"].strip(), point["source"].strip()))
            return tuple(out)

        title = item.get("title") if isinstance(item, dict) else None
        if len(code) != 3 or not isinstance(title, str):
            raise AdviceFileError(f"{path}: {code}: a three-character code with a title")
        found[code] = Advice(code, title, points("doctor"), points("coordinator"))
    return found


def for_code(code: str) -> Advice | None:
    """The advice of the code's group (F32.1 → F32), or None."""
    return all_advice().get(normalise(code)[:3])
