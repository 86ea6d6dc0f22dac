"""The access log's "Detalj" in Swedish: the one place that turns the details
written by the web pages, the API and the CLI into words a user reads.

Details are stored as they were written (the log is never rewritten), so old
rows written in developer English read as Swedish too. A detail that is not
known is shown as it is.
"""

from __future__ import annotations

import re

WORDS = {
    # web/coordination.py: the record read, and the form of each change
    "coordination record": "Koordineringsjournalen",
    "contact": "Kontakt",
    "meeting": "Möte",
    "plan": "Plan",
    "status": "Status",
    "task": "Uppgift",
    "consent": "Samtycke",
    "withdrawn": "Samtycke återkallat",
    "referral": "Remiss",
    "done": "Uppgift markerad som klar",
    "unit tasks": "Enhetens uppgifter",
    "my tasks": "Mina uppgifter",
}
"""Whole details, as written, → Swedish."""

ENTRY_KINDS = {
    "consent": "samtycke",
    "contact": "kontakt",
    "meeting": "möte",
    "plan": "plan",
    "referral": "remiss",
    "task": "uppgift",
}
"""web/corrections.py: the kinds of entry of the coordination record, in Swedish."""

PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # web/corrections.py: an entry of the coordination record corrected or withdrawn
    *(
        (re.compile(rf"^{change} {kind} (?P<id>\d+)$"), rf"{words} {swedish} \g<id>")
        for change, words in (("corrected", "Rättelse av"), ("retracted", "Återkallelse av"))
        for kind, swedish in ENTRY_KINDS.items()
    ),
    # web/patient.py: a case of another unit of the same care provider shown
    (re.compile(r"^unit (?P<rest>.+)$"), r"Annan enhet: \g<rest>"),
    # web/matters.py: a message from Försäkringskassan marked handled
    (re.compile(r"^message (?P<rest>.+)$"), r"Meddelande \g<rest>"),
    # cases/cli.py: patient data printed by the command line
    (
        re.compile(r"^rehabkoll (?P<cmd>cases|patient), (?P<day>.+)$"),
        r"Kommandot rehabkoll \g<cmd>, \g<day>",
    ),
)
"""Details with a variable part: (pattern, Swedish replacement)."""

COLUMN_WORDS = {
    "name": "Namn",
    "pnr": "Personnummer",
    "diagnosis": "Diagnos",
    "days": "Dagar",
    "milestone": "Nästa milstolpe",
    "fmb": "FMB",
    "age": "Ålder",
    "sex": "Kön",
    "occupation": "Sysselsättning",
    "start": "Start",
    "end": "Slut",
    "net_days": "Nettodagar",
    "certificates": "Intyg",
    "degrees": "Grad",
    "doctor": "Läkare",
    "status": "Status",
    "to_milestone": "Dagar till milstolpe",
    "matters": "Ärenden",
}
"""Column keys that old Excel-export details name (new ones are written in Swedish)."""


def detail_text(detail: str | None) -> str:
    """The Swedish words for an access-log detail."""
    if not detail:
        return ""
    if detail in WORDS:
        return WORDS[detail]
    if detail.startswith("Excel: "):
        keys = [k.strip() for k in detail.removeprefix("Excel: ").split(",")]
        return "Excel: " + ", ".join(COLUMN_WORDS.get(k, k) for k in keys if k)
    for pattern, replacement in PATTERNS:
        if pattern.match(detail):
            return pattern.sub(replacement, detail)
    return detail
