"""What an entry of the coordination record must make sense as, as plain
functions: each returns the problems, field by field, in Swedish words that
say what to do (empty: the entry can be recorded). The service raises the
first as InvalidEntryError; the pages show them all, next to their fields."""

from __future__ import annotations

from datetime import date

Problems = dict[str, str]

TEXT_MAX = 5000
SHORT_MAX = 200
TITLE_MAX = 500


def contact(*, day: date, summary: str, today: date) -> Problems:
    """A contact happened (not in the future) and says what it was about."""
    problems: Problems = {}
    if day > today:
        problems["day"] = (
            f"En kontakt kan inte registreras i förväg: välj ett datum till och med "
            f"{today.isoformat()}."
        )
    if not summary.strip():
        problems["summary"] = "Skriv kort vad kontakten gällde."
    return problems


def plan(*, planned_end: date | None, today: date) -> Problems:
    """A plan made today does not end before it starts."""
    problems: Problems = {}
    if planned_end is not None and planned_end < today:
        problems["planned_end"] = (
            f"Planerat slutdatum har redan passerat: välj {today.isoformat()} eller senare."
        )
    return problems


def task(*, title: str, due: date | None, today: date) -> Problems:
    """A task says what to do, and is not due before the day it is created."""
    problems: Problems = {}
    if not title.strip():
        problems["title"] = "Skriv vad som ska göras."
    if due is not None and due < today:
        problems["due"] = (
            f"Förfallodagen har redan passerat: välj {today.isoformat()} eller senare."
        )
    return problems


def assignee(*, username: str, known: bool, of_unit: bool) -> Problems:
    """A task goes to a user of the unit."""
    if not username.strip():
        return {"assignee": "Ange vem som ska göra uppgiften."}
    if not known:
        return {"assignee": f"Det finns ingen användare som heter {username}."}
    if not of_unit:
        return {
            "assignee": f"{username} arbetar inte på enheten: välj någon av enhetens användare."
        }
    return {}


def consent(*, valid_from: date, valid_to: date | None) -> Problems:
    if valid_to is not None and valid_to < valid_from:
        return {"valid_to": "Slutdatumet ligger före startdatumet: välj ett senare datum."}
    return {}


def length(field: str, text: str, limit: int) -> Problems:
    if len(text) > limit:
        return {field: f"Texten är {len(text)} tecken lång; högst {limit} tecken får plats."}
    return {}
